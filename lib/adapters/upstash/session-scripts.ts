/**
 * Lua scripts of the session store. Each multi-key change is one script, so every endpoint costs a
 * single round trip (EVALSHA; EVAL once per cold start when the script is not cached yet) and no
 * reader sees half an append. All keys of a store share one cluster slot (see keys.ts), so the
 * owner- and session-scoped keys a script derives from the store prefix are in the same slot as
 * the keys it is passed. Key shapes derived here must match keys.ts.
 */

import { USAGE } from './quota-scripts.js';

/** Shared Lua helpers, prepended to the scripts that need them. */
const HELPERS = `${USAGE}
local function owner_index(prefix, owner, sort)
  return prefix .. 'owner:' .. owner .. ':sessions:by-' .. sort
end
local function session_key(prefix, sid, suffix)
  return prefix .. 'session:' .. sid .. ':' .. suffix
end
-- Give back what a session counted against the store's event and byte quotas.
local function release_session(usage_key, session_usage_key, sid)
  local held = redis.call('HMGET', session_usage_key, sid .. ':events', sid .. ':bytes')
  add_usage(usage_key, 'events', -(tonumber(held[1]) or 0))
  add_usage(usage_key, 'bytes', -(tonumber(held[2]) or 0))
  redis.call('HDEL', session_usage_key, sid .. ':events', sid .. ':bytes')
end
-- Drop expired sessions from every index and give back their quota. Session keys expire on their
-- own (PEXPIRE); the indexes and counts do not, so listings and appends call this first and never
-- show or count an expired session.
local function sweep_expired(prefix, expiry_key, owners_key, usage_key, session_usage_key, now)
  local expired = redis.call('ZRANGE', expiry_key, '-inf', now, 'BYSCORE', 'LIMIT', 0, 1000)
  for _, sid in ipairs(expired) do
    release_session(usage_key, session_usage_key, sid)
    local owner = redis.call('HGET', owners_key, sid)
    redis.call('ZREM', prefix .. 'sessions:by-created', sid)
    redis.call('ZREM', prefix .. 'sessions:by-updated', sid)
    redis.call('ZREM', prefix .. 'sessions:by-lex', sid)
    if owner then
      redis.call('ZREM', owner_index(prefix, owner, 'created'), sid)
      redis.call('ZREM', owner_index(prefix, owner, 'updated'), sid)
      redis.call('ZREM', owner_index(prefix, owner, 'lex'), sid)
      redis.call('HDEL', owners_key, sid)
    end
    redis.call('ZREM', expiry_key, sid)
  end
end
`;

/**
 * Appends one event, creating the session on its first event, refreshing the session TTL, and
 * opening a promotion window when none is pending.
 *
 * Enforces the store's quotas (sessions, events, bytes) in the same script, after giving back
 * what expired sessions held: {-2, quota name, limit} when the event does not fit, and nothing written.
 *
 * KEYS: 1 store config, 2 session meta, 3 session events, 4 session order, 5 expiry index,
 *       6 owners hash, 7 promotion due, 8 store usage, 9 session usage
 * ARGV: 1 store prefix, 2 session id, 3 event id, 4 event JSON, 5 event createdAt (ms),
 *       6 actor id, 7 namespace ('' for none), 8 now (ms), 9 max events per session,
 *       10 idempotency field ('' for none), 11 what to remember under it,
 *       12-14 default quotas for sessions, events, bytes (stores configured before quotas existed)
 * Returns {status, ownerId, namespace, sessionCreated, promotionOpened, dueAt}; status 1 = ok,
 * 0 = no such store, -1 = session full, {-2, quota, limit} = over a quota; or {2, remembered} when the
 * idempotency field was set.
 */
export const APPEND_EVENT = `${HELPERS}
local cfg = redis.call('HMGET', KEYS[1], 'shortTermTtlSeconds', 'extractionCadenceSeconds')
if not cfg[1] then return {0} end
local ttl_ms = tonumber(cfg[1]) * 1000
local cadence_ms = (tonumber(cfg[2]) or 300) * 1000
local prefix, sid, now = ARGV[1], ARGV[2], tonumber(ARGV[8])

-- Idempotency-Key: a key seen before in this session answers with what it stored the first time.
if ARGV[10] ~= '' then
  local prior = redis.call('HGET', KEYS[2], ARGV[10])
  if prior then return {2, prior} end
end

local meta = redis.call('HMGET', KEYS[2], 'ownerId', 'namespace')
local owner, namespace, created = meta[1], meta[2], 0
if owner and redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[9]) then return {-1} end

-- Quotas, checked before anything is written. Expired sessions are swept first: their share is free.
sweep_expired(prefix, KEYS[5], KEYS[6], KEYS[8], KEYS[9], now)
local bytes = #ARGV[4]
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
    for _, sort in ipairs({'created', 'updated', 'lex'}) do
      redis.call('ZREM', owner_index(prefix, previous_owner, sort), sid)
    end
  end
  redis.call('DEL', KEYS[3], KEYS[4])
  redis.call('HSET', KEYS[2], 'ownerId', owner, 'namespace', namespace, 'createdAt', now, 'updatedAt', now)
  redis.call('HSET', KEYS[6], sid, owner)
  redis.call('ZADD', prefix .. 'sessions:by-created', now, sid)
  redis.call('ZADD', prefix .. 'sessions:by-lex', 0, sid)
  redis.call('ZADD', owner_index(prefix, owner, 'created'), now, sid)
  redis.call('ZADD', owner_index(prefix, owner, 'lex'), 0, sid)
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
if ARGV[10] ~= '' then redis.call('HSET', KEYS[2], ARGV[10], ARGV[11]) end
redis.call('ZADD', prefix .. 'sessions:by-updated', now, sid)
redis.call('ZADD', owner_index(prefix, owner, 'updated'), now, sid)

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
`;

/**
 * Reads a session: meta and every event in order.
 * KEYS: 1 meta, 2 events, 3 order
 * Returns nil when the session does not exist, else {ownerId, namespace, summaryJSON-or-'', eventJSON...}.
 */
export const GET_SESSION = `
local meta = redis.call('HMGET', KEYS[1], 'ownerId', 'namespace', 'summary')
if not meta[1] then return false end
local out = {meta[1], meta[2] or '', meta[3] or ''}
local ids = redis.call('ZRANGE', KEYS[3], 0, -1)
-- HMGET in chunks: Lua's unpack is limited to a few thousand values.
for i = 1, #ids, 1000 do
  local chunk = {}
  for j = i, math.min(i + 999, #ids) do chunk[#chunk + 1] = ids[j] end
  local values = redis.call('HMGET', KEYS[2], unpack(chunk))
  for _, value in ipairs(values) do
    if value then out[#out + 1] = value end
  end
end
return out
`;

/**
 * Stores the session's running summary, if the session still exists.
 * KEYS: 1 meta; ARGV: 1 summary JSON. Returns 1 when stored, 0 when the session is gone.
 */
export const SET_SUMMARY = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'summary', ARGV[1])
return 1
`;

/**
 * Deletes one event.
 * KEYS: 1 meta, 2 events, 3 order, 4 store usage, 5 session usage
 * ARGV: 1 store prefix, 2 session id, 3 event id, 4 now (ms)
 * Returns 1 when deleted, 0 when the session or event does not exist.
 */
export const DELETE_EVENT = `${HELPERS}
local owner = redis.call('HGET', KEYS[1], 'ownerId')
if not owner then return 0 end
local bytes = redis.call('HSTRLEN', KEYS[2], ARGV[3])
if redis.call('HDEL', KEYS[2], ARGV[3]) == 0 then return 0 end
redis.call('ZREM', KEYS[3], ARGV[3])
add_usage(KEYS[4], 'events', -1)
add_usage(KEYS[4], 'bytes', -bytes)
-- The session's share shrinks too (kept non-negative for sessions written before counting began).
if redis.call('HINCRBY', KEYS[5], ARGV[2] .. ':events', -1) < 0 then redis.call('HSET', KEYS[5], ARGV[2] .. ':events', 0) end
if redis.call('HINCRBY', KEYS[5], ARGV[2] .. ':bytes', -bytes) < 0 then redis.call('HSET', KEYS[5], ARGV[2] .. ':bytes', 0) end
local now = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'updatedAt', now)
redis.call('ZADD', ARGV[1] .. 'sessions:by-updated', 'XX', now, ARGV[2])
redis.call('ZADD', owner_index(ARGV[1], owner, 'updated'), 'XX', now, ARGV[2])
return 1
`;

/**
 * Deletes a session and its index entries. Long-term memories already extracted stay.
 * KEYS: 1 meta, 2 events, 3 order, 4 promotion state, 5 expiry index, 6 owners hash, 7 promotion due,
 *       8 store usage, 9 session usage
 * ARGV: 1 store prefix, 2 session id
 * Returns 1 when the session existed, else 0.
 */
export const DELETE_SESSION = `${HELPERS}
local prefix, sid = ARGV[1], ARGV[2]
local existed = redis.call('EXISTS', KEYS[1])
release_session(KEYS[8], KEYS[9], sid)
local owner = redis.call('HGET', KEYS[6], sid)
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
for _, sort in ipairs({'created', 'updated', 'lex'}) do
  redis.call('ZREM', prefix .. 'sessions:by-' .. sort, sid)
  if owner then redis.call('ZREM', owner_index(prefix, owner, sort), sid) end
end
redis.call('HDEL', KEYS[6], sid)
redis.call('ZREM', KEYS[5], sid)
redis.call('ZREM', KEYS[7], sid)
return existed
`;

/**
 * One page of a session index, after dropping expired sessions.
 * KEYS: 1 expiry index, 2 owners hash, 3 the index to page through, 4 store usage, 5 session usage
 * ARGV: 1 store prefix, 2 now (ms), 3 offset, 4 limit, 5 '1' for descending, 6 '1' to include rows
 * Returns {total, n, id1..idn, [ownerId, namespace, createdAt, updatedAt] x n when rows are asked}.
 */
export const LIST_SESSIONS = `${HELPERS}
local prefix = ARGV[1]
sweep_expired(prefix, KEYS[1], KEYS[2], KEYS[4], KEYS[5], tonumber(ARGV[2]))
local total = redis.call('ZCARD', KEYS[3])
local offset, limit = tonumber(ARGV[3]), tonumber(ARGV[4])
local ids
if ARGV[5] == '1' then
  ids = redis.call('ZRANGE', KEYS[3], offset, offset + limit - 1, 'REV')
else
  ids = redis.call('ZRANGE', KEYS[3], offset, offset + limit - 1)
end
local out = {total, #ids}
for _, sid in ipairs(ids) do out[#out + 1] = sid end
if ARGV[6] == '1' then
  for _, sid in ipairs(ids) do
    local row = redis.call('HMGET', session_key(prefix, sid, 'meta'), 'ownerId', 'namespace', 'createdAt', 'updatedAt')
    for k = 1, 4 do out[#out + 1] = row[k] or '' end
  end
end
return out
`;
