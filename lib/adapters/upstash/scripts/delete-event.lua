-- Deletes one event, giving back its share of the store's quotas.
--
-- KEYS (5): 1 session meta, 2 session events, 3 session order, 4 store usage, 5 session usage
-- ARGV: 1 store prefix, 2 session id, 3 event id, 4 now (ms)
-- Returns 1 when deleted, 0 when the session or event does not exist.
-- Key shapes derived from the prefix: includes/keys.lua.

--- @include "includes/sessions"

local owner = redis.call('HGET', KEYS[1], 'ownerId')
if not owner then return 0 end
local bytes = redis.call('HSTRLEN', KEYS[2], ARGV[3])
if redis.call('HDEL', KEYS[2], ARGV[3]) == 0 then return 0 end
redis.call('ZREM', KEYS[3], ARGV[3])
add_usage(KEYS[4], 'events', -1)
add_usage(KEYS[4], 'bytes', -bytes)
-- The session's share shrinks too (kept non-negative for sessions written before counting began).
if redis.call('HINCRBY', KEYS[5], ARGV[2] .. ':events', -1) < 0 then redis.call('HSET', KEYS[5], ARGV[2] .. ':events', 0) end
if redis.call('HINCRBY', KEYS[5], ARGV[2] .. ':bytes', -bytes) < 0 then redis.call('HSET', KEYS[5], ARGV[2] .. ':bytes', 0) end
local now = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'updatedAt', now)
redis.call('ZADD', session_index_key(ARGV[1], 'updated'), 'XX', now, ARGV[2])
redis.call('ZADD', owner_session_index_key(ARGV[1], owner, 'updated'), 'XX', now, ARGV[2])
return 1
