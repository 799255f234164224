-- Session helpers shared by the session scripts: giving back a session's quota share, and the
-- lazy sweep of expired sessions out of the indexes.

--- @include "keys"
--- @include "usage"

local SESSION_SORTS = {'created', 'updated', 'lex'}
-- Give back what a session counted against the store's event and byte quotas.
local function release_session(usage_key, session_usage_key, sid)
  local held = redis.call('HMGET', session_usage_key, sid .. ':events', sid .. ':bytes')
  add_usage(usage_key, 'events', -(tonumber(held[1]) or 0))
  add_usage(usage_key, 'bytes', -(tonumber(held[2]) or 0))
  redis.call('HDEL', session_usage_key, sid .. ':events', sid .. ':bytes')
end
-- Drop expired sessions from every index and give back their quota. Session keys expire on their
-- own (PEXPIRE); the indexes and counts do not, so listings and appends call this first and never
-- show or count an expired session.
local function sweep_expired(prefix, expiry_key, owners_key, usage_key, session_usage_key, now)
  local expired = redis.call('ZRANGE', expiry_key, '-inf', now, 'BYSCORE', 'LIMIT', 0, 1000)
  for _, sid in ipairs(expired) do
    release_session(usage_key, session_usage_key, sid)
    local owner = redis.call('HGET', owners_key, sid)
    for _, sort in ipairs(SESSION_SORTS) do redis.call('ZREM', session_index_key(prefix, sort), sid) end
    if owner then
      for _, sort in ipairs(SESSION_SORTS) do
        redis.call('ZREM', owner_session_index_key(prefix, owner, sort), sid)
      end
      redis.call('HDEL', owners_key, sid)
    end
    redis.call('ZREM', expiry_key, sid)
  end
end
