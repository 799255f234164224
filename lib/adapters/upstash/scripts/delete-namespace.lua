-- Deletes an empty leaf namespace: no children, and no live memory or session filed under it. The
-- member set is checked against the records and sessions here (a moved or deleted memory, an
-- expired session no longer counts) and its stale entries dropped on the way.
--
-- KEYS (0): none; derived from the prefix (includes/keys.lua), all in the store's hash slot
-- ARGV: 1 store prefix, 2 id, 3 now (ms)
-- Returns 1 deleted, 0 missing, -1 has children, -2 not empty.

--- @include "includes/namespaces"

local prefix, id, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local cur = namespace_read(prefix, id)
if not cur then return 0 end
if redis.call('ZCARD', namespace_children_key(prefix, id)) > 0 then return -1 end
local members_key = namespace_members_key(prefix, id)
for _, member in ipairs(redis.call('SMEMBERS', members_key)) do
  local kind, member_id = string.sub(member, 1, 1), string.sub(member, 3)
  local live = false
  if kind == 'm' then
    local json = redis.call('GET', record_key(prefix, member_id))
    if json then
      local record = cjson.decode(json)
      live = record.namespaceId == id and tonumber(record.expiresAt) > now
    end
  else
    live = redis.call('HGET', session_key(prefix, member_id, 'meta'), 'namespaceId') == id
  end
  if live then return -2 end
  redis.call('SREM', members_key, member)
end
redis.call('DEL', namespace_key(prefix, id), members_key, namespace_children_key(prefix, id))
redis.call('ZREM', namespace_list_key(prefix, cur[6], cur[4], cur[5]), cur[2] .. '/' .. id)
return 1
