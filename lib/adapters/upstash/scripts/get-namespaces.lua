-- Namespaces by id, each with its current path. Read-only (EVALSHA_RO).
--
-- KEYS (0): none; derived from the prefix (includes/keys.lua), all in the store's hash slot
-- ARGV: 1 store prefix, 2.. namespace ids
-- Returns one entry per id: {id, name, path, scope, ownerId, parentId, state, createdAt, updatedAt,
--   depth}, or 0 where missing.

--- @include "includes/namespaces"

local out = {}
for i = 2, #ARGV do
  out[#out + 1] = namespace_read(ARGV[1], ARGV[i]) or 0
end
return out
