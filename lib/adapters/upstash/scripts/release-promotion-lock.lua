-- Deletes the promotion lock only if the holder still owns it.
--
-- KEYS (1): 1 lock
-- ARGV: 1 holder token
-- Returns 1 when released, 0 when another holder (or nobody) has it.

if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
