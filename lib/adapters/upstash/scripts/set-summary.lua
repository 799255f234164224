-- Stores the session's running summary, if the session still exists.
--
-- KEYS (1): 1 session meta
-- ARGV: 1 summary JSON
-- Returns 1 when stored, 0 when the session is gone.

if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'summary', ARGV[1])
return 1
