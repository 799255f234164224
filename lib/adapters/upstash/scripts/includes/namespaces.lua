-- Reading namespaces (keys.ts `namespaceKeys`): a namespace is a hash; its path is its ancestors'
-- names joined by '/', derived on every read so a rename never rewrites descendants or records.
-- The walk is bounded by the depth limit (contracts/namespaces.ts NAMESPACE_DEPTH_MAX, passed in).

--- @include "keys"

local NAMESPACE_FIELDS = {'name', 'scope', 'ownerId', 'parentId', 'state', 'createdAt', 'updatedAt'}

-- {id, name, path, scope, ownerId, parentId, state, createdAt, updatedAt, depth} or nil.
local function namespace_read(prefix, id)
  local v = redis.call('HMGET', namespace_key(prefix, id), unpack(NAMESPACE_FIELDS))
  if not v[1] then return nil end
  local path, depth, parent = v[1], 1, v[4]
  while parent and parent ~= '' and depth < 64 do
    local p = redis.call('HMGET', namespace_key(prefix, parent), 'name', 'parentId')
    if not p[1] then break end
    path = p[1] .. '/' .. path
    parent, depth = p[2], depth + 1
  end
  return {id, v[1], path, v[2], v[3] or '', v[4] or '', v[5], v[6], v[7], depth}
end

-- The sorted set holding the namespaces at a location: a parent's children, or a root list.
local function namespace_list_key(prefix, parent, scope, owner)
  if parent ~= '' then return namespace_children_key(prefix, parent) end
  if scope == 'SHARED' then return namespace_shared_roots_key(prefix) end
  return namespace_personal_roots_key(prefix, owner)
end

-- The id of the namespace called `name` in a list (members are `<name>/<id>`; names have no '/'
-- and '0' follows '/', so the range holds exactly that name's member), or nil.
local function namespace_find(list_key, name)
  local m = redis.call('ZRANGEBYLEX', list_key, '[' .. name .. '/', '(' .. name .. '0', 'LIMIT', 0, 1)
  if #m == 0 then return nil end
  return string.sub(m[1], #name + 2)
end
