-- Renames and/or archives a namespace. An archived namespace stays archived (no unarchive) and
-- refuses a rename; archiving it again changes nothing.
--
-- KEYS (0): none; derived from the prefix (includes/keys.lua), all in the store's hash slot
-- ARGV: 1 store prefix, 2 id, 3 new name ('' to keep), 4 archive ('1' or '0'), 5 now (ms),
--       6 max path length
-- Returns {1, namespace...} (as get-namespaces.lua) updated; {0} missing; {-1} the name is taken at
--   its location; {-2} archived (a rename, or unarchive); {-3} the new path would be too long.

--- @include "includes/namespaces"

local prefix, id, name, archive, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1', ARGV[5]
local cur = namespace_read(prefix, id)
if not cur then return {0} end
local key = namespace_key(prefix, id)
if name ~= '' and name ~= cur[2] then
  if cur[7] == 'ARCHIVED' then return {-2} end
  if #cur[3] - #cur[2] + #name > tonumber(ARGV[6]) then return {-3} end
  local list = namespace_list_key(prefix, cur[6], cur[4], cur[5])
  if namespace_find(list, name) then return {-1} end
  redis.call('ZREM', list, cur[2] .. '/' .. id)
  redis.call('ZADD', list, 0, name .. '/' .. id)
  redis.call('HSET', key, 'name', name, 'updatedAt', now)
end
if archive and cur[7] ~= 'ARCHIVED' then
  redis.call('HSET', key, 'state', 'ARCHIVED', 'updatedAt', now)
end
local updated = namespace_read(prefix, id)
table.insert(updated, 1, 1)
return updated
