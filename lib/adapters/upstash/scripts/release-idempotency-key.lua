-- Drops a claim on an Idempotency-Key if it is still the caller's (a failed request: the retry
-- runs afresh). A claim taken over after its lease, or already completed, is left alone.
--
-- KEYS (1): 1 the key's record
-- ARGV: 1 the claim's record JSON as the caller wrote it
-- Returns 1 when dropped, 0 otherwise.

if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
