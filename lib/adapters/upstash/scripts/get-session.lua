-- Reads a session: meta and every event in order. Read-only (EVALSHA_RO).
--
-- KEYS (3): 1 session meta, 2 session events, 3 session order
-- ARGV: none
-- Returns false when the session does not exist, else
--   {ownerId, namespace or '', summary JSON or '', namespace resource id or '', event JSON...}
--   (events in order).

local meta = redis.call('HMGET', KEYS[1], 'ownerId', 'namespace', 'summary', 'namespaceId')
if not meta[1] then return false end
local out = {meta[1], meta[2] or '', meta[3] or '', meta[4] or ''}
local ids = redis.call('ZRANGE', KEYS[3], 0, -1)
-- HMGET in chunks: Lua's unpack is limited to a few thousand values.
for i = 1, #ids, 1000 do
  local chunk = {}
  for j = i, math.min(i + 999, #ids) do chunk[#chunk + 1] = ids[j] end
  local values = redis.call('HMGET', KEYS[2], unpack(chunk))
  for _, value in ipairs(values) do
    if value then out[#out + 1] = value end
  end
end
return out
