-- Creates long-term records that do not exist yet (SET NX semantics), with their index entries,
-- within the store's quotas: the new records of one call are refused together when they would
-- take the store past its record or byte quota (a batch is one request: all of it fits, or none
-- of it is written).
--
-- Records are JSON strings at `ltm:record:<id>`; the listing indexes are sorted sets by creation
-- (store-wide and per owner), the expiry index and the set of partitions (includes/partitions.lua).
--
-- KEYS (5 + R): 1 by-created, 2 expiry, 3 partitions, 4 store config, 5 store usage,
--               6.. the R record keys
-- ARGV: 1 store prefix, 2 memories allowed per owner, 3 default record quota, 4 default byte
--       quota, then per record 5 values: id, JSON, createdAt, expiresAt, partition tag
--       (`ownerId:namespace`, keys.ts partitionTag)
-- Returns {limit, per record 1 (created), 0 (id exists), 2 (its owner holds the maximum already),
--   3 (over the record quota), 4 (over the byte quota) or 5 (its owner is being erased: keys.ts
--   erasingOwnerField)}; limit is the quota that refused, else 0.
-- Key shapes derived from the prefix: includes/keys.lua.

--- @include "includes/keys"
--- @include "includes/partitions"
--- @include "includes/usage"

local prefix = ARGV[1]
local per_owner = tonumber(ARGV[2])
local FIRST = 6
local out, fresh, owner_added, fresh_bytes = {}, {}, {}, 0
-- First pass: which records are new, and what they would add.
for i = FIRST, #KEYS do
  local a = 5 + (i - FIRST) * 5
  local json, tag = ARGV[a + 1], ARGV[a + 4]
  local owner = string.match(tag, '^([^:]+):')
  if redis.call('HEXISTS', KEYS[4], erasing_field(owner)) == 1 then
    out[#out + 1] = 5
  elseif redis.call('EXISTS', KEYS[i]) == 1 then
    out[#out + 1] = 0
  elseif redis.call('ZCARD', owner_records_key(prefix, owner)) + (owner_added[owner] or 0) >= per_owner then
    out[#out + 1] = 2
  else
    owner_added[owner] = (owner_added[owner] or 0) + 1
    fresh_bytes = fresh_bytes + #json
    fresh[#fresh + 1] = i
    out[#out + 1] = 1
  end
end
local refused, limit = 0, 0
local max_records = quota_of(KEYS[4], 'quotaLongTermRecords', ARGV[3])
local max_bytes = quota_of(KEYS[4], 'quotaBytes', ARGV[4])
if #fresh > 0 and redis.call('ZCARD', KEYS[1]) + #fresh > max_records then
  refused, limit = 3, max_records
elseif #fresh > 0 and usage_of(KEYS[5], 'bytes') + fresh_bytes > max_bytes then
  refused, limit = 4, max_bytes
end
if refused ~= 0 then
  for _, i in ipairs(fresh) do out[i - FIRST + 1] = refused end
  table.insert(out, 1, limit)
  return out
end
if #fresh > 0 and reset_if_empty(prefix, KEYS[1], KEYS[3]) then
  redis.call('HSET', partition_counts_key(prefix), '*', 1)
end
for _, i in ipairs(fresh) do
  local a = 5 + (i - FIRST) * 5
  local id, json, created, expires, tag = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  redis.call('SET', KEYS[i], json)
  redis.call('ZADD', KEYS[1], created, id)
  redis.call('ZADD', owner_records_key(prefix, string.match(tag, '^([^:]+):')), created, id)
  redis.call('ZADD', KEYS[2], expires, id)
  redis.call('SADD', KEYS[3], tag)
  enter_partition(prefix, tag)
end
add_usage(KEYS[5], 'bytes', fresh_bytes)
table.insert(out, 1, 0)
return out
