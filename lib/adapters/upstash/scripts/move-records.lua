-- Files long-term records under a namespace: compare-and-set on each record's updatedAt, the new
-- JSON written, the record noted as a member of the namespace; only while the namespace is active.
-- The search indexes are partitioned by owner and namespace label, not by namespace id, so a move
-- changes no index entry: the record itself is what the namespaceRef filter reads.
--
-- KEYS (1): 1 store usage
-- ARGV: 1 store prefix, 2 namespace id, then per record: id, expected updatedAt, new JSON
-- Returns {1, outcome per record: 1 moved, 0 missing, -1 changed since read}, {0} no such namespace,
--   {-1} archived.

--- @include "includes/namespaces"
--- @include "includes/usage"

local prefix, ns = ARGV[1], ARGV[2]
local state = redis.call('HGET', namespace_key(prefix, ns), 'state')
if not state then return {0} end
if state == 'ARCHIVED' then return {-1} end
local out = {1}
for i = 3, #ARGV, 3 do
  local id, expected, json = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local key = record_key(prefix, id)
  local current = redis.call('GET', key)
  if not current then
    out[#out + 1] = 0
  elseif tostring(cjson.decode(current).updatedAt) ~= expected then
    out[#out + 1] = -1
  else
    redis.call('SET', key, json, 'KEEPTTL')
    add_usage(KEYS[1], 'bytes', #json - #current)
    redis.call('SADD', namespace_members_key(prefix, ns), 'm:' .. id)
    out[#out + 1] = 1
  end
end
return out
