-- Appends one event, creating the session on its first event, refreshing the session TTL, and
-- opening a promotion window when none is pending.
--
-- Enforces the store's quotas (sessions, events, bytes) in the same script, after giving back
-- what expired sessions held: {-2, quota name, limit} when the event does not fit, and nothing
-- written.
--
-- Idempotency record (the one place its format lives): an append with an Idempotency-Key stores,
-- in the session's meta hash (so it expires and is deleted with the session), the field
-- `idempotency:<key>` = `<eventId> <requestHash>`. A later append with the same key in the same
-- session writes nothing and answers {2, eventId, requestHash} from it; the caller compares the
-- request hash to tell a replay from a conflicting reuse of the key.
--
-- KEYS (9): 1 store config, 2 session meta, 3 session events, 4 session order, 5 expiry index,
--           6 owners hash, 7 promotion due, 8 store usage, 9 session usage
-- ARGV: 1 store prefix, 2 session id, 3 event id, 4 event JSON, 5 event createdAt (ms),
--       6 actor id, 7 namespace ('' for none), 8 now (ms), 9 max events per session,
--       10 Idempotency-Key ('' for none), 11 the request's hash (with 10),
--       12-14 default quotas for sessions, events, bytes (stores configured before quotas existed),
--       15 namespace resource id ('' for none): binds a new session; must match a bound one,
--       16 max bytes of event JSON per session
-- Returns {1, ownerId, namespace, sessionCreated, promotionOpened, dueAt} when appended;
--   {0} no such store, {-1, 'events' or 'bytes', limit} session full, {-2, quota, limit} over a quota,
--   {-3} the session is bound to another namespace resource, {-4} no such namespace,
--   {-5} the session's namespace is archived (it takes no new events),
--   {-6} the session's owner is being erased (keys.ts erasingOwnerField; nothing written, the
--   erase would miss it),
--   {2, eventId, requestHash} when the Idempotency-Key was seen before (see above).
-- Key shapes derived from the prefix: includes/keys.lua.

--- @include "includes/sessions"
--- @include "includes/namespaces"

local cfg = redis.call('HMGET', KEYS[1], 'shortTermTtlSeconds', 'extractionCadenceSeconds')
if not cfg[1] then return {0} end
local ttl_ms = tonumber(cfg[1]) * 1000
local cadence_ms = (tonumber(cfg[2]) or 300) * 1000
local prefix, sid, now = ARGV[1], ARGV[2], tonumber(ARGV[8])

-- Idempotency-Key: a key seen before in this session answers with what it stored the first time.
local idempotency_field = ARGV[10] ~= '' and ('idempotency:' .. ARGV[10]) or nil
if idempotency_field then
  local prior = redis.call('HGET', KEYS[2], idempotency_field)
  if prior then
    local event_id, request_hash = string.match(prior, '^([^ ]*) ?([^ ]*)')
    return {2, event_id, request_hash}
  end
end

local meta = redis.call('HMGET', KEYS[2], 'ownerId', 'namespace', 'namespaceId')
local owner, namespace, created = meta[1], meta[2], 0
if redis.call('HEXISTS', KEYS[1], erasing_field(owner or ARGV[6])) == 1 then return {-6} end
if owner and redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[9]) then return {-1, 'events', tonumber(ARGV[9])} end
-- The session's own bytes (its share in the session usage hash, released with it): a full session
-- is refused before the quota sweep below, as an event-count-full one is.
local bytes = #ARGV[4]
if owner and (tonumber(redis.call('HGET', KEYS[9], sid .. ':bytes')) or 0) + bytes > tonumber(ARGV[16]) then
  return {-1, 'bytes', tonumber(ARGV[16])}
end

-- Namespace resource: the first event binds the session; later ones may repeat it, not change it.
local namespace_id = ARGV[15]
if owner then
  local bound = meta[3] or ''
  if namespace_id ~= '' and namespace_id ~= bound then return {-3} end
  namespace_id = bound
end
if namespace_id ~= '' then
  local state = redis.call('HGET', namespace_key(prefix, namespace_id), 'state')
  if not state then return {-4} end
  if state == 'ARCHIVED' then return {-5} end
end

-- Quotas, checked before anything is written. Expired sessions are swept first: their share is free.
sweep_expired(prefix, KEYS[5], KEYS[6], KEYS[8], KEYS[9], now)
local max_sessions = quota_of(KEYS[1], 'quotaSessions', ARGV[12])
local max_events = quota_of(KEYS[1], 'quotaEvents', ARGV[13])
local max_bytes = quota_of(KEYS[1], 'quotaBytes', ARGV[14])
if not redis.call('ZSCORE', KEYS[5], sid) and redis.call('ZCARD', KEYS[5]) >= max_sessions then
  return {-2, 'sessions', max_sessions}
end
if usage_of(KEYS[8], 'events') + 1 > max_events then return {-2, 'events', max_events} end
if usage_of(KEYS[8], 'bytes') + bytes > max_bytes then return {-2, 'bytes', max_bytes} end

if not owner then
  -- First event (or the session expired): it fixes owner and namespace.
  owner, namespace, created = ARGV[6], ARGV[7], 1
  local previous_owner = redis.call('HGET', KEYS[6], sid)
  if previous_owner and previous_owner ~= owner then
    for _, sort in ipairs(SESSION_SORTS) do
      redis.call('ZREM', owner_session_index_key(prefix, previous_owner, sort), sid)
    end
  end
  redis.call('DEL', KEYS[3], KEYS[4])
  redis.call('HSET', KEYS[2], 'ownerId', owner, 'namespace', namespace, 'createdAt', now, 'updatedAt', now)
  if namespace_id ~= '' then
    redis.call('HSET', KEYS[2], 'namespaceId', namespace_id)
    redis.call('SADD', namespace_members_key(prefix, namespace_id), 's:' .. sid)
  end
  redis.call('HSET', KEYS[6], sid, owner)
  redis.call('ZADD', session_index_key(prefix, 'created'), now, sid)
  redis.call('ZADD', session_index_key(prefix, 'lex'), 0, sid)
  redis.call('ZADD', owner_session_index_key(prefix, owner, 'created'), now, sid)
  redis.call('ZADD', owner_session_index_key(prefix, owner, 'lex'), 0, sid)
  -- Events of an expired incarnation of this session are gone: give their share back.
  release_session(KEYS[8], KEYS[9], sid)
else
  redis.call('HSET', KEYS[2], 'updatedAt', now)
end

redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[3])
add_usage(KEYS[8], 'events', 1)
add_usage(KEYS[8], 'bytes', bytes)
redis.call('HINCRBY', KEYS[9], sid .. ':events', 1)
redis.call('HINCRBY', KEYS[9], sid .. ':bytes', bytes)
-- Kept in the session's meta hash: it expires and is deleted with the session.
if idempotency_field then redis.call('HSET', KEYS[2], idempotency_field, ARGV[3] .. ' ' .. ARGV[11]) end
redis.call('ZADD', session_index_key(prefix, 'updated'), now, sid)
redis.call('ZADD', owner_session_index_key(prefix, owner, 'updated'), now, sid)

-- Every append refreshes the session's TTL.
redis.call('PEXPIRE', KEYS[2], ttl_ms)
redis.call('PEXPIRE', KEYS[3], ttl_ms)
redis.call('PEXPIRE', KEYS[4], ttl_ms)
redis.call('ZADD', KEYS[5], now + ttl_ms, sid)

-- NX keeps the earliest due time: a burst of appends opens one window, hence one job.
local due = now + cadence_ms
local opened = redis.call('ZADD', KEYS[7], 'NX', due, sid)
if opened == 0 then due = tonumber(redis.call('ZSCORE', KEYS[7], sid)) end
return {1, owner, namespace, created, opened, due}
