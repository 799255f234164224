-- One page of a session index, after dropping expired sessions.
--
-- KEYS (5): 1 expiry index, 2 owners hash, 3 the index to page through (store-wide or one
--           owner's, by created/updated/lex), 4 store usage, 5 session usage
-- ARGV: 1 store prefix, 2 now (ms), 3 offset, 4 limit, 5 '1' for descending, 6 '1' to include rows
-- Returns {total, n, id1..idn, [ownerId, namespace, createdAt, updatedAt, namespace resource id]
--   x n when rows are asked}.
-- Key shapes derived from the prefix: includes/keys.lua.

--- @include "includes/sessions"

local prefix = ARGV[1]
sweep_expired(prefix, KEYS[1], KEYS[2], KEYS[4], KEYS[5], tonumber(ARGV[2]))
local total = redis.call('ZCARD', KEYS[3])
local offset, limit = tonumber(ARGV[3]), tonumber(ARGV[4])
local ids
if ARGV[5] == '1' then
  ids = redis.call('ZRANGE', KEYS[3], offset, offset + limit - 1, 'REV')
else
  ids = redis.call('ZRANGE', KEYS[3], offset, offset + limit - 1)
end
local out = {total, #ids}
for _, sid in ipairs(ids) do out[#out + 1] = sid end
if ARGV[6] == '1' then
  for _, sid in ipairs(ids) do
    local row = redis.call('HMGET', session_key(prefix, sid, 'meta'), 'ownerId', 'namespace', 'createdAt', 'updatedAt', 'namespaceId')
    for k = 1, 5 do out[#out + 1] = row[k] or '' end
  end
end
return out
