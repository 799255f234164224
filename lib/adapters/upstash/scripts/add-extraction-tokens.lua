-- Adds model tokens to a store's counter of one UTC day. The counter outlives its day a little, so
-- a run that started just before midnight still finds it.
--
-- KEYS (1): 1 the store's tokens of one day (keys.ts storeKeys.extractionTokens)
-- ARGV: 1 tokens, 2 expiry (s)
-- Returns the day's total.

local total = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return total
