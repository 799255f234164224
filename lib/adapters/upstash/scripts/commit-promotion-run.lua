-- Commits a promotion run: moves the watermark, adds the run's counters, clears the failure
-- streak, and parks or resolves a range of events the model could not extract.
-- The state expires with the session (it describes nothing once the session is gone).
--
-- KEYS (3): 1 session promotion state, 2 session meta, 3 parked ranges
-- ARGV: 1 watermark ('' keeps it: a parked range's retry), 2 processed events, 3 input tokens,
--       4 output tokens, 5 memories, 6 now, 7 conversation records, 8 parked range JSON ('' none),
--       9 parked range's first event id, 10 first event id of a range resolved on retry ('' none)
-- Returns 1.

if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'watermark', ARGV[1]) end
redis.call('HSET', KEYS[1], 'lastRunAt', ARGV[6])
redis.call('HDEL', KEYS[1], 'lastErrorCode', 'lastErrorAt', 'failingFrom', 'failingRuns', 'deferredUntil')
redis.call('HINCRBY', KEYS[1], 'processedEvents', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'runs', 1)
redis.call('HINCRBY', KEYS[1], 'inputTokens', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'outputTokens', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'memoriesWritten', ARGV[5])
redis.call('HINCRBY', KEYS[1], 'conversationRecordsWritten', ARGV[7])
if ARGV[8] ~= '' then redis.call('HSET', KEYS[3], ARGV[9], ARGV[8]) end
if ARGV[10] ~= '' then redis.call('HDEL', KEYS[3], ARGV[10]) end
local ttl = redis.call('PTTL', KEYS[2])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], ttl) end
end
return 1
