-- One page of the live sessions bound to a namespace resource (optionally of one owner), sorted.
-- Reads the namespace's member set (includes/keys.lua `namespace_members_key`): its cost grows with
-- the sessions ever bound to the namespace; entries of sessions that expired or were deleted are
-- dropped on the way.
--
-- KEYS (0): none; derived from the prefix (includes/keys.lua), all in the store's hash slot
-- ARGV: 1 store prefix, 2 namespace id, 3 owner id ('' for all), 4 sort field (createdAt,
--       updatedAt or sessionId), 5 '1' for descending, 6 offset, 7 limit
-- Returns {total, n, [sessionId, ownerId, namespace, createdAt, updatedAt, namespace id] x n}.

--- @include "includes/keys"

local prefix, ns, owner, sort_by, desc = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1'
local offset, limit = tonumber(ARGV[6]), tonumber(ARGV[7])
local members_key = namespace_members_key(prefix, ns)
local rows = {}
for _, member in ipairs(redis.call('SMEMBERS', members_key)) do
  if string.sub(member, 1, 2) == 's:' then
    local sid = string.sub(member, 3)
    local m = redis.call('HMGET', session_key(prefix, sid, 'meta'), 'ownerId', 'namespace', 'createdAt', 'updatedAt', 'namespaceId')
    if m[5] ~= ns then
      redis.call('SREM', members_key, member)
    elseif owner == '' or m[1] == owner then
      rows[#rows + 1] = {sid, m[1] or '', m[2] or '', m[3] or '0', m[4] or '0', m[5]}
    end
  end
end
local function key_of(row)
  if sort_by == 'sessionId' then return row[1] end
  return tonumber(sort_by == 'createdAt' and row[4] or row[5])
end
table.sort(rows, function(a, b)
  local ka, kb = key_of(a), key_of(b)
  if ka == kb then
    if desc then return a[1] > b[1] end
    return a[1] < b[1]
  end
  if desc then return ka > kb end
  return ka < kb
end)
local out = {#rows, 0}
for i = offset + 1, math.min(offset + limit, #rows) do
  for k = 1, 6 do out[#out + 1] = rows[i][k] end
  out[2] = out[2] + 1
end
return out
