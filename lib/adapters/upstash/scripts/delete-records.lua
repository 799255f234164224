-- Deletes long-term records and their listing entries; a partition left empty leaves the
-- partition set (includes/partitions.lua).
--
-- KEYS (4 + R): 1 by-created, 2 expiry, 3 accessed, 4 store usage, 5.. the R record keys
-- ARGV: 1 store prefix, 2.. the R ids (in the order of their keys)
-- Also touches, derived from the prefix: owner indexes, the partition set and counts.
-- Returns per record its JSON (so the caller can clear the search indexes) or false.
-- Key shapes derived from the prefix: includes/keys.lua.

--- @include "includes/keys"
--- @include "includes/partitions"
--- @include "includes/usage"

local partitions = partitions_key(ARGV[1])
local out = {}
for i = 5, #KEYS do
  local id = ARGV[i - 3]
  local json = redis.call('GET', KEYS[i])
  if json then
    local record = cjson.decode(json)
    redis.call('DEL', KEYS[i])
    add_usage(KEYS[4], 'bytes', -#json)
    redis.call('ZREM', owner_records_key(ARGV[1], record.ownerId), id)
    leave_partition(ARGV[1], partitions, record_partition_tag(record))
    out[#out + 1] = json
  else
    out[#out + 1] = false
  end
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
end
reset_if_empty(ARGV[1], KEYS[1], partitions)
return out
