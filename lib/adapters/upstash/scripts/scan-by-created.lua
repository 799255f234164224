-- Long-term records in creation order from a rank, with the index size. Read-only (EVALSHA_RO).
--
-- KEYS (1): 1 the by-created index to read (store-wide or one owner's)
-- ARGV: 1 store prefix, 2 start rank, 3 stop rank (inclusive)
-- Returns {total, JSON or false per id in the range}.
-- Key shapes derived from the prefix: includes/keys.lua.

--- @include "includes/keys"

local ids = redis.call('ZRANGE', KEYS[1], ARGV[2], ARGV[3])
local out = {redis.call('ZCARD', KEYS[1])}
for _, id in ipairs(ids) do
  out[#out + 1] = redis.call('GET', record_key(ARGV[1], id))
end
return out
