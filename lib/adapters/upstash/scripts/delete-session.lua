-- Deletes a session and its index entries, giving back its share of the store's quotas.
-- Long-term memories already extracted stay.
--
-- KEYS (9): 1 session meta, 2 session events, 3 session order, 4 session promotion state,
--           5 expiry index, 6 owners hash, 7 promotion due, 8 store usage, 9 session usage
-- ARGV: 1 store prefix, 2 session id
-- Returns 1 when the session existed, else 0.
-- Key shapes derived from the prefix: includes/keys.lua.

--- @include "includes/sessions"

local prefix, sid = ARGV[1], ARGV[2]
local existed = redis.call('EXISTS', KEYS[1])
release_session(KEYS[8], KEYS[9], sid)
local owner = redis.call('HGET', KEYS[6], sid)
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
for _, sort in ipairs(SESSION_SORTS) do
  redis.call('ZREM', session_index_key(prefix, sort), sid)
  if owner then redis.call('ZREM', owner_session_index_key(prefix, owner, sort), sid) end
end
redis.call('HDEL', KEYS[6], sid)
redis.call('ZREM', KEYS[5], sid)
redis.call('ZREM', KEYS[7], sid)
return existed
