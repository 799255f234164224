-- Records a failed promotion run. Counts the runs in a row that failed on the batch starting at
-- the same event (the watermark did not move between them); a failure on another batch starts the
-- count again. The state expires with the session.
--
-- KEYS (2): 1 session promotion state, 2 session meta
-- ARGV: 1 error code, 2 now, 3 input tokens, 4 output tokens, 5 batch's first event id ('' none)
-- Returns the count of failed runs in a row on that batch (0 without a batch).

redis.call('HSET', KEYS[1], 'lastErrorCode', ARGV[1], 'lastErrorAt', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'inputTokens', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'outputTokens', ARGV[4])
local runs = 0
if ARGV[5] ~= '' then
  if redis.call('HGET', KEYS[1], 'failingFrom') == ARGV[5] then
    runs = redis.call('HINCRBY', KEYS[1], 'failingRuns', 1)
  else
    redis.call('HSET', KEYS[1], 'failingFrom', ARGV[5], 'failingRuns', 1)
    runs = 1
  end
end
local ttl = redis.call('PTTL', KEYS[2])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return runs
