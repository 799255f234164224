/**
 * Lua scripts of the store and API-key registries: compare-and-set writes, so an update computed
 * from a record that changed meanwhile (a concurrent PATCH, rotation or deletion) is refused instead
 * of overwriting it (security review 2026-12, finding 12). The "version" compared is the stored JSON
 * itself: the adapter writes records only as `JSON.stringify(schema.parse(record))`, so the JSON of a
 * record as read is byte-equal to the stored value until someone writes a different record. Each
 * returns 1 (written), 0 (no such record: deleted or revoked) or -1 (changed since read).
 */

/**
 * A store's configuration hash (see `UpstashStoreRegistry`). Never creates it, so an update that
 * races DeleteStore cannot bring the store back.
 * KEYS: 1 config hash; ARGV: 1 expected record JSON, 2 new record JSON, then field/value pairs of
 * the scalar fields the data scripts read (TTLs, cadence, quotas: `scriptFields` in the adapter,
 * the same list `putStore` writes).
 */
export const REPLACE_STORE = `
local current = redis.call('HGET', KEYS[1], 'record')
if not current then return 0 end
if current ~= ARGV[1] then return -1 end
for i = 3, #ARGV - 1, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'record', ARGV[2])
return 1
`;

/**
 * An API key record and its expiry-index entry; with KEYS 3-5, also registers the key's replacement
 * (rotation), so the old key winds down and the new one appears in one step.
 * KEYS: 1 record, 2 expiry index, [3 new record, 4 new id -> hash pointer, 5 id listing];
 * ARGV: 1 expected JSON, 2 new JSON, 3 key id, 4 expiresAt (unix s, 0 = never),
 * [5 replacement JSON, 6 replacement hash, 7 replacement key id, 8 replacement expiresAt].
 */
export const REPLACE_API_KEY = `
local function set_expiry(id, at)
  if tonumber(at) > 0 then redis.call('ZADD', KEYS[2], at, id) else redis.call('ZREM', KEYS[2], id) end
end
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if current ~= ARGV[1] then return -1 end
redis.call('SET', KEYS[1], ARGV[2])
set_expiry(ARGV[3], ARGV[4])
if #KEYS >= 5 then
  redis.call('SET', KEYS[3], ARGV[5])
  redis.call('SET', KEYS[4], ARGV[6])
  redis.call('ZADD', KEYS[5], 0, ARGV[7])
  set_expiry(ARGV[7], ARGV[8])
end
return 1
`;
