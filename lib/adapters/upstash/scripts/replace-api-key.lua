-- Compare-and-set write of an API key record and its expiry-index entry; with KEYS 3-5, also
-- registers the key's replacement (rotation), so the old key winds down and the new one appears in
-- one step. As replace-store.lua, the version compared is the stored JSON itself (the adapter
-- writes records only as `JSON.stringify(schema.parse(record))`), so a write computed from a record
-- that changed meanwhile (a concurrent rotation or revocation) is refused (security review
-- 2026-12, finding 12).
--
-- KEYS (2 or 5): 1 key record, 2 expiry index, [3 new key record, 4 new id -> hash pointer,
--                5 id listing]
-- ARGV: 1 expected JSON, 2 new JSON, 3 key id, 4 expiresAt (unix s, 0 = never),
--       [5 replacement JSON, 6 replacement hash, 7 replacement key id, 8 replacement expiresAt]
-- Returns 1 (written), 0 (no such key: deleted or revoked) or -1 (changed since read).

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
