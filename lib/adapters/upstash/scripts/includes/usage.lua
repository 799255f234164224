-- Lua helpers for the storage quotas (store config `quotas`), included by the scripts that write
-- or delete counted data, so a count changes in the same script as the data it counts.
--
-- `usage` (keys.ts `storeKeys.usage`) holds the running `events` and `bytes` of a store. Data
-- written before counting began was never counted, so a decrement never takes a count below zero:
-- such a store's counts may read low until it empties once, never high.

local function add_usage(usage_key, field, delta)
  if delta == 0 then return end
  if redis.call('HINCRBY', usage_key, field, delta) < 0 then redis.call('HSET', usage_key, field, 0) end
end
local function usage_of(usage_key, field)
  return tonumber(redis.call('HGET', usage_key, field)) or 0
end
-- A quota from the store's config hash; stores configured before quotas existed use the default.
local function quota_of(config_key, field, default)
  return tonumber(redis.call('HGET', config_key, field)) or tonumber(default)
end
