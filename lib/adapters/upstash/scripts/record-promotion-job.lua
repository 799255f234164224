-- Records that a promotion job arrived, and closes its promotion window only if it is the one this
-- job was sent for (a newer window, opened by append-event.lua's `ZADD NX`, stays open).
-- The state expires with the session.
--
-- KEYS (3): 1 session meta, 2 session promotion state, 3 promotion due
-- ARGV: 1 session id, 2 job id, 3 window start (ms), 4 due (ms), 5 now (ms)
-- Returns 1 when the session exists, else 0.

local due = redis.call('ZSCORE', KEYS[3], ARGV[1])
if due and tonumber(due) <= tonumber(ARGV[4]) then redis.call('ZREM', KEYS[3], ARGV[1]) end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], 'lastJobId', ARGV[2], 'lastWindowStartedAt', ARGV[3], 'lastReceivedAt', ARGV[5])
redis.call('HINCRBY', KEYS[2], 'jobsReceived', 1)
redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
return 1
