-- Reads one long-term record and, if it exists, records the access.
--
-- KEYS (2): 1 record, 2 accessed
-- ARGV: 1 id, 2 now (ms)
-- Returns the record's JSON, or false.

local json = redis.call('GET', KEYS[1])
if json then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) end
return json
