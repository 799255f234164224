-- Marks one owner as being erased, in the store's configuration hash (keys.ts erasingOwnerField),
-- unless an erase of that owner already runs. The write scripts that read the configuration
-- (append-event, create-records) refuse the owner's writes while the field exists.
--
-- KEYS (1): 1 store config hash
-- ARGV: 1 the owner's field, 2 the new job's id
-- Returns the id of the job erasing the owner (ARGV[2] when this call started it), or false when
-- the store does not exist (never creates the hash: a deleted store stays deleted).

if redis.call('HEXISTS', KEYS[1], 'record') == 0 then return false end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then return ARGV[2] end
return redis.call('HGET', KEYS[1], ARGV[1])
