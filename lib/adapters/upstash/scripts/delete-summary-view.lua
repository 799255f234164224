-- Deletes a summary view with its partitions and their bookkeeping.
--
-- KEYS (3): 1 the store's views hash, 2 the view's partitions hash, 3 the store's reconcile hash
-- ARGV: 1 view id, 2 the view's key prefix (keys.ts viewKeys.prefix)
-- Returns 1 when the view existed.

local existed = redis.call('HDEL', KEYS[1], ARGV[1])
for _, pid in ipairs(redis.call('HKEYS', KEYS[2])) do
  redis.call('DEL', ARGV[2] .. 'changed:' .. pid, ARGV[2] .. 'covered:' .. pid, ARGV[2] .. 'sched:' .. pid)
end
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[3], ARGV[1])
return existed
