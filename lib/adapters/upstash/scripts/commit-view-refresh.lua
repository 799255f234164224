-- Stores a partition's refreshed result: the partition JSON, its covered memory ids (replaced on a
-- full refresh, edited on an incremental one), removes the changed ids the refresh read (ids
-- changed meanwhile stay for the next refresh) and opens the debounce latch.
--
-- KEYS (4): 1 partitions hash, 2 changed set, 3 covered sorted set, 4 scheduled latch
-- ARGV: 1 partition id, 2 partition JSON, 3 '1' full / '0' incremental,
--       4 n processed ids, then the ids; then m covered adds as score,id pairs; then k removals
-- Returns the number of changes still waiting (the caller queues another refresh when > 0).

redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local a = 4
local n = tonumber(ARGV[a])
for i = 1, n do redis.call('SREM', KEYS[2], ARGV[a + i]) end
a = a + n + 1
if ARGV[3] == '1' then redis.call('DEL', KEYS[3]) end
local m = tonumber(ARGV[a])
for i = 1, m do redis.call('ZADD', KEYS[3], ARGV[a + i * 2 - 1], ARGV[a + i * 2]) end
a = a + m * 2 + 1
local k = tonumber(ARGV[a])
for i = 1, k do redis.call('ZREM', KEYS[3], ARGV[a + i]) end
redis.call('DEL', KEYS[4])
return redis.call('SCARD', KEYS[2])
