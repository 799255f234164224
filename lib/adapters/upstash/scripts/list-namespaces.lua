-- One page of the namespaces at a location (a parent's children or a root list), by name.
-- Read-only (EVALSHA_RO).
--
-- KEYS (0): none; derived from the prefix (includes/keys.lua), all in the store's hash slot
-- ARGV: 1 store prefix, 2 parent id ('' for roots), 3 scope, 4 owner id, 5 start rank, 6 stop rank
-- Returns {total, namespace...} (each as get-namespaces.lua gives it), or {-1} when the parent is missing.

--- @include "includes/namespaces"

local prefix, parent = ARGV[1], ARGV[2]
if parent ~= '' and redis.call('EXISTS', namespace_key(prefix, parent)) == 0 then return {-1} end
local list = namespace_list_key(prefix, parent, ARGV[3], ARGV[4])
local out = {redis.call('ZCARD', list)}
for _, member in ipairs(redis.call('ZRANGE', list, ARGV[5], ARGV[6])) do
  local id = string.match(member, '/(.*)$')
  out[#out + 1] = namespace_read(prefix, id) or 0
end
return out
