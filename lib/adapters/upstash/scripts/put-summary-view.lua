-- Creates or replaces a summary view, refusing a new one past the store's cap on views.
--
-- KEYS (1): 1 the store's views hash (keys.ts viewKeys.views)
-- ARGV: 1 view id, 2 view JSON, 3 most views a store may hold, 4 '1' to create only
-- Returns 1 when written, 0 when the store is at its cap, -1 when create-only found the id taken.

local exists = redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1
if ARGV[4] == '1' and exists then return -1 end
if not exists and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
