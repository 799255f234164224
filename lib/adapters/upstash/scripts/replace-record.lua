-- Replaces a long-term record if its stored updatedAt is the expected one (compare-and-set).
-- The byte count follows the new size; an update is not refused by the byte quota (a record's text
-- is bounded, so the count overshoots by at most one record's growth).
--
-- KEYS (5): 1 record, 2 by-created, 3 expiry, 4 partitions, 5 store usage
-- ARGV: 1 store prefix, 2 id, 3 new JSON, 4 expected updatedAt, 5 new partition tag
--       (`ownerId:namespace`), 6 expiresAt
-- Returns 1 replaced, 0 missing, -1 conflict.
-- Key shapes derived from the prefix: includes/keys.lua.

--- @include "includes/keys"
--- @include "includes/partitions"
--- @include "includes/usage"

local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local old = cjson.decode(current)
if tostring(old.updatedAt) ~= ARGV[4] then return -1 end
local new = cjson.decode(ARGV[3])
redis.call('SET', KEYS[1], ARGV[3])
add_usage(KEYS[5], 'bytes', #ARGV[3] - #current)
if old.ownerId ~= new.ownerId then
  redis.call('ZREM', owner_records_key(ARGV[1], old.ownerId), ARGV[2])
  redis.call('ZADD', owner_records_key(ARGV[1], new.ownerId), new.createdAt, ARGV[2])
end
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[5])
local old_tag = record_partition_tag(old)
if old_tag ~= ARGV[5] then
  enter_partition(ARGV[1], ARGV[5])
  leave_partition(ARGV[1], KEYS[4], old_tag)
end
return 1
