-- Erases sessions: every key of each session (whatever its family: the caller passes them, from
-- keys.ts erasureKeys.session), its entries in the store-wide and owner session indexes, the
-- promotion queue and the owners hash, giving back its share of the store's quotas. An erasure
-- job's batch (lib/adapters/upstash/upstash-erasure.ts); delete-session.lua is the API's single
-- delete and keeps the keys it does not own.
--
-- KEYS (5 + S*F): 1 expiry index, 2 owners hash, 3 promotion due, 4 store usage, 5 session usage,
--                 then F keys per session, in the order of ARGV's session ids
-- ARGV: 1 store prefix, 2 F (keys per session), 3 owner whose indexes must lose the ids too ('' for
--       none: the owner recorded for each session is used), 4.. the S session ids
-- Returns the number of sessions that still had a key.
-- Key shapes derived from the prefix: includes/keys.lua.

--- @include "includes/sessions"

local prefix, per_session, erased_owner = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local existed = 0
for s = 4, #ARGV do
  local sid = ARGV[s]
  release_session(KEYS[4], KEYS[5], sid)
  local owner = redis.call('HGET', KEYS[2], sid)
  local first = 6 + (s - 4) * per_session
  for k = first, first + per_session - 1 do existed = existed + redis.call('UNLINK', KEYS[k]) end
  for _, sort in ipairs(SESSION_SORTS) do
    redis.call('ZREM', session_index_key(prefix, sort), sid)
    if owner then redis.call('ZREM', owner_session_index_key(prefix, owner, sort), sid) end
    if erased_owner ~= '' then redis.call('ZREM', owner_session_index_key(prefix, erased_owner, sort), sid) end
  end
  redis.call('HDEL', KEYS[2], sid)
  redis.call('HDEL', KEYS[5], sid .. ':events', sid .. ':bytes')
  redis.call('ZREM', KEYS[1], sid)
  redis.call('ZREM', KEYS[3], sid)
end
return existed
