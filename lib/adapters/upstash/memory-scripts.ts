import { USAGE } from './quota-scripts.js';

/**
 * Lua scripts of the long-term record store. Records are JSON strings at `ltm:record:{id}`; the
 * listing indexes are sorted sets by creation (store-wide and per owner), the expiry index and the
 * set of partitions. Owner-scoped keys are derived from the store prefix (same slot); keep the
 * shapes in step with keys.ts.
 */

const OWNER_INDEX = `
local function owner_index(prefix, owner)
  return prefix .. 'ltm:owner:' .. owner .. ':by-created'
end
`;

/**
 * Partition bookkeeping, so the partition set shrinks when a partition empties (a store-wide
 * search reads every partition in it). `ltm:partition-counts` holds tag -> live records, plus the
 * field `*` once the counts are complete: it is set when the store's first record is created (the
 * store was empty, so every count starts from zero). Stores that held records before counting
 * began have no `*`: their counts cover only later records, so no partition is dropped on them
 * (as before) until the store empties once.
 */
const PARTITIONS = `
local function counts_key(prefix) return prefix .. 'ltm:partition-counts' end
local function partition_tag(record)
  local ns = record.namespace
  return record.ownerId .. ':' .. (type(ns) == 'string' and string.lower(ns) or '_')
end
local function enter_partition(prefix, tag) redis.call('HINCRBY', counts_key(prefix), tag, 1) end
local function leave_partition(prefix, partitions, tag)
  local counts = counts_key(prefix)
  local left = redis.call('HINCRBY', counts, tag, -1)
  if left > 0 then return end
  redis.call('HDEL', counts, tag)
  if left == 0 and redis.call('HEXISTS', counts, '*') == 1 then redis.call('SREM', partitions, tag) end
end
-- Nothing left in the store: no partition holds anything, and counting can start afresh.
local function reset_if_empty(prefix, by_created, partitions)
  if redis.call('ZCARD', by_created) == 0 then
    redis.call('DEL', counts_key(prefix), partitions)
    return true
  end
  return false
end
`;

/**
 * Creates records that do not exist yet (SET NX), with their index entries, within the store's
 * quotas: the new records of one call are refused together when they would take the store past
 * its record or byte quota (a batch is one request: all of it fits, or none of it is written).
 * KEYS: 1 by-created, 2 expiry, 3 partitions, 4 store config, 5 store usage, 6.. record keys
 * ARGV: 1 store prefix, 2 memories allowed per owner, 3 default record quota, 4 default byte
 * quota, then per record 5 values: id, JSON, createdAt, expiresAt, ownerId:partition
 * Returns {limit, per record 1 (created), 0 (id exists), 2 (its owner holds the maximum already),
 * 3 (over the record quota) or 4 (over the byte quota)}; limit is the quota that refused, else 0.
 */
export const CREATE_RECORDS = `${OWNER_INDEX}${PARTITIONS}${USAGE}
local prefix = ARGV[1]
local per_owner = tonumber(ARGV[2])
local FIRST = 6
local out, fresh, owner_added, fresh_bytes = {}, {}, {}, 0
-- First pass: which records are new, and what they would add.
for i = FIRST, #KEYS do
  local a = 5 + (i - FIRST) * 5
  local json, tag = ARGV[a + 1], ARGV[a + 4]
  local owner = string.match(tag, '^([^:]+):')
  if redis.call('EXISTS', KEYS[i]) == 1 then
    out[#out + 1] = 0
  elseif redis.call('ZCARD', owner_index(prefix, owner)) + (owner_added[owner] or 0) >= per_owner then
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
if #fresh > 0 and reset_if_empty(prefix, KEYS[1], KEYS[3]) then redis.call('HSET', counts_key(prefix), '*', 1) end
for _, i in ipairs(fresh) do
  local a = 5 + (i - FIRST) * 5
  local id, json, created, expires, tag = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  redis.call('SET', KEYS[i], json)
  redis.call('ZADD', KEYS[1], created, id)
  redis.call('ZADD', owner_index(prefix, string.match(tag, '^([^:]+):')), created, id)
  redis.call('ZADD', KEYS[2], expires, id)
  redis.call('SADD', KEYS[3], tag)
  enter_partition(prefix, tag)
end
add_usage(KEYS[5], 'bytes', fresh_bytes)
table.insert(out, 1, 0)
return out
`;

/**
 * Replaces a record if its stored updatedAt is the expected one (compare-and-set).
 * The byte count follows the new size; an update is not refused by the byte quota (a record's text
 * is bounded, so the count overshoots by at most one record's growth).
 * KEYS: 1 record, 2 by-created, 3 expiry, 4 partitions, 5 store usage
 * ARGV: 1 store prefix, 2 id, 3 new JSON, 4 expected updatedAt, 5 new ownerId:partition, 6 expiresAt
 * Returns 1 replaced, 0 missing, -1 conflict.
 */
export const REPLACE_RECORD = `${OWNER_INDEX}${PARTITIONS}${USAGE}
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local old = cjson.decode(current)
if tostring(old.updatedAt) ~= ARGV[4] then return -1 end
local new = cjson.decode(ARGV[3])
redis.call('SET', KEYS[1], ARGV[3])
add_usage(KEYS[5], 'bytes', #ARGV[3] - #current)
if old.ownerId ~= new.ownerId then
  redis.call('ZREM', owner_index(ARGV[1], old.ownerId), ARGV[2])
  redis.call('ZADD', owner_index(ARGV[1], new.ownerId), new.createdAt, ARGV[2])
end
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[5])
local old_tag = partition_tag(old)
if old_tag ~= ARGV[5] then
  enter_partition(ARGV[1], ARGV[5])
  leave_partition(ARGV[1], KEYS[4], old_tag)
end
return 1
`;

/**
 * Deletes records and their listing entries.
 * KEYS: 1 by-created, 2 expiry, 3 accessed, 4 store usage, 5.. record keys
 * ARGV: 1 store prefix, 2.. ids
 * (also the derived partition set and counts: a partition left empty leaves the set)
 * Returns per record its JSON (so the caller can clear the search indexes) or false.
 */
export const DELETE_RECORDS = `${OWNER_INDEX}${PARTITIONS}${USAGE}
local partitions = ARGV[1] .. 'ltm:partitions'
local out = {}
for i = 5, #KEYS do
  local id = ARGV[i - 3]
  local json = redis.call('GET', KEYS[i])
  if json then
    local record = cjson.decode(json)
    redis.call('DEL', KEYS[i])
    add_usage(KEYS[4], 'bytes', -#json)
    redis.call('ZREM', owner_index(ARGV[1], record.ownerId), id)
    leave_partition(ARGV[1], partitions, partition_tag(record))
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
`;

/**
 * Reads one record and, if it exists, records the access.
 * KEYS: 1 record, 2 accessed; ARGV: 1 id, 2 now (ms). Returns the JSON or false.
 */
export const READ_AND_TOUCH = `
local json = redis.call('GET', KEYS[1])
if json then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) end
return json
`;

/**
 * Records in creation order from a rank, with the index size.
 * KEYS: 1 the by-created index to read; ARGV: 1 store prefix, 2 start rank, 3 stop rank
 * Returns {total, json-or-false...}.
 */
export const SCAN_BY_CREATED = `
local ids = redis.call('ZRANGE', KEYS[1], ARGV[2], ARGV[3])
local out = {redis.call('ZCARD', KEYS[1])}
for _, id in ipairs(ids) do
  out[#out + 1] = redis.call('GET', ARGV[1] .. 'ltm:record:' .. id)
end
return out
`;
