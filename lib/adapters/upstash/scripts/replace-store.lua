-- Compare-and-set write of a store's configuration hash (see `UpstashStoreRegistry`), so an update
-- computed from a record that changed meanwhile (a concurrent PATCH or deletion) is refused instead
-- of overwriting it (security review 2026-12, finding 12). The "version" compared is the stored
-- JSON itself: the adapter writes records only as `JSON.stringify(schema.parse(record))`, so the
-- JSON of a record as read is byte-equal to the stored value until someone writes a different
-- record. Never creates the hash, so an update that races DeleteStore cannot bring the store back.
--
-- KEYS (1): 1 store config hash
-- ARGV: 1 expected record JSON, 2 new record JSON, then field/value pairs of the scalar fields
--       the data scripts read (TTLs, cadence, quotas: `scriptFields` in the adapter, the same list
--       `putStore` writes)
-- Returns 1 (written), 0 (no such store: deleted) or -1 (changed since read).

local current = redis.call('HGET', KEYS[1], 'record')
if not current then return 0 end
if current ~= ARGV[1] then return -1 end
for i = 3, #ARGV - 1, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'record', ARGV[2])
return 1
