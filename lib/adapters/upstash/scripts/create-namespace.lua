-- Creates a namespace, or the missing segments of a path: existing segments are walked, missing
-- ones created; the last segment must not exist (an archived occupant counts: 409 either way).
--
-- KEYS (0): none; every key is derived from the prefix and the ids (includes/keys.lua), all in the
--           store's hash slot
-- ARGV: 1 store prefix, 2 parent id ('' for a root), 3 scope, 4 owner id ('' for none),
--       5 now (ms), 6 max path length, 7 max depth, 8 n segments, 9..8+n names, 9+n..8+2n new ids
-- Returns {1, id, name, path, scope, ownerId, parentId, state, createdAt, updatedAt, depth} created;
--   {0} parent missing, {-1, id} occupied, {-2, id} an archived parent or segment,
--   {-3} path too long, {-4} too deep.

--- @include "includes/namespaces"

local prefix, parent, scope, owner, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local max_path, max_depth, n = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local names = {}
for i = 1, n do names[i] = ARGV[8 + i] end
local base_path, depth = '', 0
if parent ~= '' then
  local p = namespace_read(prefix, parent)
  if not p then return {0} end
  if p[7] == 'ARCHIVED' then return {-2, parent} end
  scope, owner, base_path, depth = p[4], p[5], p[3] .. '/', p[10]
end
if #base_path + #table.concat(names, '/') > max_path then return {-3} end
if depth + n > max_depth then return {-4} end

for i = 1, n do
  local existing = namespace_find(namespace_list_key(prefix, parent, scope, owner), names[i])
  if not existing then
    for j = i, n do
      local id = ARGV[8 + n + j]
      redis.call('HSET', namespace_key(prefix, id), 'name', names[j], 'scope', scope, 'ownerId', owner,
        'parentId', parent, 'state', 'ACTIVE', 'createdAt', now, 'updatedAt', now)
      redis.call('ZADD', namespace_list_key(prefix, parent, scope, owner), 0, names[j] .. '/' .. id)
      parent = id
    end
    local created = namespace_read(prefix, parent)
    table.insert(created, 1, 1)
    return created
  end
  if i == n then return {-1, existing} end
  if redis.call('HGET', namespace_key(prefix, existing), 'state') == 'ARCHIVED' then return {-2, existing} end
  parent = existing
end
return {-1, parent}
