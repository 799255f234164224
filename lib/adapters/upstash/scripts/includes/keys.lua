-- Key shapes the scripts derive from a store prefix (keys.ts `storePrefix`: `am:{<storeId>}:`).
-- Every key a script builds itself is built here, one function per keys.ts builder (named beside
-- it); test/integration/lua-key-shapes.test.ts checks both give the same keys for the same ids.
-- All of them carry the prefix, so they share the store's cluster slot with the keys a script is
-- passed (the braces are a hash tag).

-- storeKeys.sessionIndex(storeId, sort)
local function session_index_key(prefix, sort)
  return prefix .. 'sessions:by-' .. sort
end
-- storeKeys.ownerSessionIndex(storeId, ownerId, sort)
local function owner_session_index_key(prefix, owner, sort)
  return prefix .. 'owner:' .. owner .. ':sessions:by-' .. sort
end
-- sessionKeys.<suffix>(storeId, sessionId), e.g. suffix 'meta'
local function session_key(prefix, sid, suffix)
  return prefix .. 'session:' .. sid .. ':' .. suffix
end
-- memoryKeys.record(storeId, memoryId)
local function record_key(prefix, id)
  return prefix .. 'ltm:record:' .. id
end
-- memoryKeys.ownerByCreated(storeId, ownerId)
local function owner_records_key(prefix, owner)
  return prefix .. 'ltm:owner:' .. owner .. ':by-created'
end
-- memoryKeys.partitions(storeId)
local function partitions_key(prefix)
  return prefix .. 'ltm:partitions'
end
-- memoryKeys.partitionCounts(storeId)
local function partition_counts_key(prefix)
  return prefix .. 'ltm:partition-counts'
end
-- keys.ts partitionTag({ownerId, namespace}): namespace lower-cased, '_' for none (nil or JSON null).
local function partition_tag(owner, namespace)
  return owner .. ':' .. (type(namespace) == 'string' and string.lower(namespace) or '_')
end
-- namespaceKeys.namespace(storeId, namespaceId)
local function namespace_key(prefix, id)
  return prefix .. 'ns:' .. id
end
-- namespaceKeys.members(storeId, namespaceId)
local function namespace_members_key(prefix, id)
  return prefix .. 'ns:' .. id .. ':members'
end
-- namespaceKeys.children(storeId, namespaceId)
local function namespace_children_key(prefix, id)
  return prefix .. 'ns:' .. id .. ':children'
end
-- namespaceKeys.personalRoots(storeId, ownerId)
local function namespace_personal_roots_key(prefix, owner)
  return prefix .. 'ns-roots:personal:' .. owner
end
-- namespaceKeys.sharedRoots(storeId)
local function namespace_shared_roots_key(prefix)
  return prefix .. 'ns-roots:shared'
end
-- keys.ts erasingOwnerField(ownerId): a field of the store config hash, set while the owner is erased
local function erasing_field(owner)
  return 'erasing:' .. owner
end
