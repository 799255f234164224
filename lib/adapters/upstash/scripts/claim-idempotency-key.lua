-- Claims an Idempotency-Key for a request about to run, unless the key already has a record.
--
-- KEYS (1): 1 the key's record (keys.ts `storeKeys.idempotency`)
-- ARGV: 1 the claim's record JSON, 2 lease (ms)
-- Returns the existing record's JSON, or false when this call claimed the key.

local prior = redis.call('GET', KEYS[1])
if prior then return prior end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
