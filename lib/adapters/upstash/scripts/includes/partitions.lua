-- Partition bookkeeping of the long-term record store, so the partition set shrinks when a
-- partition empties (a store-wide search reads every partition in it). `ltm:partition-counts`
-- holds tag -> live records, plus the field `*` once the counts are complete: it is set when the
-- store's first record is created (the store was empty, so every count starts from zero). Stores
-- that held records before counting began have no `*`: their counts cover only later records, so
-- no partition is dropped on them (as before) until the store empties once.

--- @include "keys"

-- The partition tag of a decoded record.
local function record_partition_tag(record)
  return partition_tag(record.ownerId, record.namespace)
end
local function enter_partition(prefix, tag) redis.call('HINCRBY', partition_counts_key(prefix), tag, 1) end
local function leave_partition(prefix, partitions, tag)
  local counts = partition_counts_key(prefix)
  local left = redis.call('HINCRBY', counts, tag, -1)
  if left > 0 then return end
  redis.call('HDEL', counts, tag)
  if left == 0 and redis.call('HEXISTS', counts, '*') == 1 then redis.call('SREM', partitions, tag) end
end
-- Nothing left in the store: no partition holds anything, and counting can start afresh.
local function reset_if_empty(prefix, by_created, partitions)
  if redis.call('ZCARD', by_created) == 0 then
    redis.call('DEL', partition_counts_key(prefix), partitions)
    return true
  end
  return false
end
