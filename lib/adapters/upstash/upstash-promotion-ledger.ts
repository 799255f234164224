import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import type { PromotionMessage } from '../../contracts/promotion-message.js';
import type {
  DueWindow,
  FailureRecord,
  ParkedRange,
  PromotionLedger,
  PromotionState,
  RunRecord,
} from '../../ports/promotion-ledger.js';
import { sessionKeys, storeKeys } from './keys.js';
import { redisCall } from './redis-call.js';

/**
 * KEYS: 1 session meta, 2 session promotion state, 3 promotion due
 * ARGV: 1 session id, 2 job id, 3 window start (ms), 4 due (ms), 5 now (ms)
 * Closes the window only if it is the one this job was sent for (a newer window stays open).
 * Returns 1 when the session exists, else 0.
 */
const RECORD_JOB = `
local due = redis.call('ZSCORE', KEYS[3], ARGV[1])
if due and tonumber(due) <= tonumber(ARGV[4]) then redis.call('ZREM', KEYS[3], ARGV[1]) end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], 'lastJobId', ARGV[2], 'lastWindowStartedAt', ARGV[3], 'lastReceivedAt', ARGV[5])
redis.call('HINCRBY', KEYS[2], 'jobsReceived', 1)
redis.call('PEXPIRE', KEYS[2], redis.call('PTTL', KEYS[1]))
return 1
`;

/** KEYS: 1 lock; ARGV: 1 holder. Deletes the lock only if the holder still owns it. */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * KEYS: 1 promotion state, 2 session meta, 3 parked ranges
 * ARGV: 1 watermark ('' keeps it: a parked range's retry), 2 processed, 3 input tokens,
 *       4 output tokens, 5 memories, 6 now, 7 conversation records, 8 parked range JSON ('' none),
 *       9 parked range's first event id, 10 first event id of a range resolved on retry ('' none)
 * The state expires with the session (it describes nothing once the session is gone).
 */
const COMMIT_RUN = `
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'watermark', ARGV[1]) end
redis.call('HSET', KEYS[1], 'lastRunAt', ARGV[6])
redis.call('HDEL', KEYS[1], 'lastErrorCode', 'lastErrorAt', 'failingFrom', 'failingRuns', 'deferredUntil')
redis.call('HINCRBY', KEYS[1], 'processedEvents', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'runs', 1)
redis.call('HINCRBY', KEYS[1], 'inputTokens', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'outputTokens', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'memoriesWritten', ARGV[5])
redis.call('HINCRBY', KEYS[1], 'conversationRecordsWritten', ARGV[7])
if ARGV[8] ~= '' then redis.call('HSET', KEYS[3], ARGV[9], ARGV[8]) end
if ARGV[10] ~= '' then redis.call('HDEL', KEYS[3], ARGV[10]) end
local ttl = redis.call('PTTL', KEYS[2])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], ttl) end
end
return 1
`;

/**
 * KEYS: 1 promotion state, 2 session meta
 * ARGV: 1 error code, 2 now, 3 input tokens, 4 output tokens, 5 batch's first event id ('' none)
 * Counts the runs in a row that failed on the batch starting at the same event (the watermark did
 * not move between them); a failure on another batch starts the count again. Returns the count.
 */
const RECORD_FAILURE = `
redis.call('HSET', KEYS[1], 'lastErrorCode', ARGV[1], 'lastErrorAt', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'inputTokens', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'outputTokens', ARGV[4])
local runs = 0
if ARGV[5] ~= '' then
  if redis.call('HGET', KEYS[1], 'failingFrom') == ARGV[5] then
    runs = redis.call('HINCRBY', KEYS[1], 'failingRuns', 1)
  else
    redis.call('HSET', KEYS[1], 'failingFrom', ARGV[5], 'failingRuns', 1)
    runs = 1
  end
end
local ttl = redis.call('PTTL', KEYS[2])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return runs
`;

/**
 * KEYS: 1 the store's tokens of one day; ARGV: 1 tokens, 2 expiry (s)
 * The counter outlives its day a little, so a run that started just before midnight still finds it.
 */
const ADD_TOKENS = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return total
`;
/** Two days: the day itself plus slack for runs that straddle midnight and clock skew. */
const TOKEN_COUNTER_TTL_SECONDS = 2 * 86_400;

const parkedRangeSchema = z.object({
  firstEventId: z.string(),
  lastEventId: z.string(),
  events: z.number().int().min(0),
  failures: z.number().int().min(0),
  lastErrorCode: z.string(),
  parkedAt: z.number(),
  retryRequestedAt: z.number().optional(),
});

/** The fields of a session's promotion hash, read by name. */
const STATE_FIELDS = [
  'watermark',
  'processedEvents',
  'runs',
  'lastRunAt',
  'lastErrorCode',
  'lastErrorAt',
  'inputTokens',
  'outputTokens',
  'memoriesWritten',
  'conversationRecordsWritten',
  'deferredUntil',
] as const;

/** HMGET without automatic deserialization: one value (or null) per field, in order. */
const stateValuesSchema = z.array(z.string().nullable()).length(STATE_FIELDS.length);

export class UpstashPromotionLedger implements PromotionLedger {
  private readonly recordScript;
  private readonly releaseScript;
  private readonly commitScript;
  private readonly failureScript;
  private readonly tokensScript;

  constructor(private readonly redis: Redis) {
    this.failureScript = redis.createScript<unknown>(RECORD_FAILURE);
    this.tokensScript = redis.createScript<unknown>(ADD_TOKENS);
    this.recordScript = redis.createScript<unknown>(RECORD_JOB);
    this.releaseScript = redis.createScript<unknown>(RELEASE_LOCK);
    this.commitScript = redis.createScript<unknown>(COMMIT_RUN);
  }

  async acquireLock(storeId: string, sessionId: string, holder: string, ttlMs: number): Promise<boolean> {
    const reply = await redisCall('take promotion lock', () =>
      this.redis.set(sessionKeys.promotionLock(storeId, sessionId), holder, { nx: true, px: ttlMs }),
    );
    return reply === 'OK';
  }

  async releaseLock(storeId: string, sessionId: string, holder: string): Promise<void> {
    await redisCall('release promotion lock', () =>
      this.releaseScript.exec([sessionKeys.promotionLock(storeId, sessionId)], [holder]),
    );
  }

  async readState(storeId: string, sessionId: string): Promise<PromotionState> {
    // HMGET, not HGETALL: @upstash/redis never auto-pipelines HGETALL, so the status route's three
    // reads (session, state, due window) went out as two requests instead of one.
    const values = stateValuesSchema.parse(
      await redisCall('read promotion state', () =>
        this.redis.hmget(sessionKeys.promotion(storeId, sessionId), ...STATE_FIELDS),
      ),
    );
    type Field = (typeof STATE_FIELDS)[number];
    const raw: Partial<Record<Field, string>> = {};
    STATE_FIELDS.forEach((field, i) => {
      const value = values[i];
      if (value !== null && value !== undefined) raw[field] = value;
    });
    const num = (field: Field) => Number(raw[field] ?? 0);
    return {
      watermarkEventId: raw.watermark || undefined,
      processedEvents: num('processedEvents'),
      runs: num('runs'),
      lastRunAt: raw.lastRunAt ? Number(raw.lastRunAt) : undefined,
      lastError: raw.lastErrorCode ? { code: raw.lastErrorCode, at: Number(raw.lastErrorAt) } : undefined,
      inputTokens: num('inputTokens'),
      outputTokens: num('outputTokens'),
      memoriesWritten: num('memoriesWritten'),
      conversationRecordsWritten: num('conversationRecordsWritten'),
      deferredUntil: raw.deferredUntil ? Number(raw.deferredUntil) : undefined,
    };
  }

  async commitRun(storeId: string, sessionId: string, run: RunRecord): Promise<void> {
    await redisCall('commit promotion run', () =>
      this.commitScript.exec(
        [
          sessionKeys.promotion(storeId, sessionId),
          sessionKeys.meta(storeId, sessionId),
          sessionKeys.promotionParked(storeId, sessionId),
        ],
        [
          run.watermarkEventId ?? '',
          String(run.processedEvents),
          String(run.inputTokens),
          String(run.outputTokens),
          String(run.memoriesWritten),
          String(run.now),
          String(run.conversationRecordsWritten),
          run.park ? JSON.stringify(run.park) : '',
          run.park?.firstEventId ?? '',
          run.resolvedParkedRange ?? '',
        ],
      ),
    );
  }

  async recordFailure(storeId: string, sessionId: string, failure: FailureRecord): Promise<number> {
    const reply = await redisCall('record promotion failure', () =>
      this.failureScript.exec(
        [sessionKeys.promotion(storeId, sessionId), sessionKeys.meta(storeId, sessionId)],
        [
          failure.code,
          String(failure.now),
          String(failure.inputTokens),
          String(failure.outputTokens),
          failure.batchFirstEventId ?? '',
        ],
      ),
    );
    return Number(reply);
  }

  async parkedRanges(storeId: string, sessionId: string): Promise<ParkedRange[]> {
    const reply = await redisCall('read parked ranges', () =>
      this.redis.hvals(sessionKeys.promotionParked(storeId, sessionId)),
    );
    return z
      .array(z.unknown())
      .parse(reply ?? [])
      .map((value) => parkedRangeSchema.parse(typeof value === 'string' ? JSON.parse(value) : value))
      .sort((a, b) => (a.firstEventId < b.firstEventId ? -1 : 1));
  }

  async saveParkedRange(storeId: string, sessionId: string, range: ParkedRange): Promise<void> {
    await redisCall('save parked range', () =>
      this.redis.hset(sessionKeys.promotionParked(storeId, sessionId), {
        [range.firstEventId]: JSON.stringify(range),
      }),
    );
  }

  async recordDeferral(storeId: string, sessionId: string, until: number, now: number): Promise<void> {
    await redisCall('record promotion deferral', () =>
      this.redis.hset(sessionKeys.promotion(storeId, sessionId), {
        deferredUntil: String(until),
        lastReceivedAt: String(now),
      }),
    );
  }

  async storeTokens(storeId: string, day: string): Promise<number> {
    const reply = await redisCall('read store tokens', () =>
      this.redis.get<unknown>(storeKeys.extractionTokens(storeId, day)),
    );
    return reply === null || reply === undefined ? 0 : Number(reply);
  }

  async addStoreTokens(storeId: string, day: string, tokens: number): Promise<number> {
    const reply = await redisCall('count store tokens', () =>
      this.tokensScript.exec(
        [storeKeys.extractionTokens(storeId, day)],
        [String(Math.max(0, Math.round(tokens))), String(TOKEN_COUNTER_TTL_SECONDS)],
      ),
    );
    return Number(reply);
  }

  async dueAt(storeId: string, sessionId: string): Promise<number | undefined> {
    const score = await redisCall('read due window', () =>
      this.redis.zscore(storeKeys.promotionDue(storeId), sessionId),
    );
    return score === null || score === undefined ? undefined : Number(score);
  }

  async recordJobReceived(message: PromotionMessage, now: number): Promise<boolean> {
    const { storeId, sessionId } = message;
    const reply = await redisCall('record promotion job', () =>
      this.recordScript.exec(
        [
          sessionKeys.meta(storeId, sessionId),
          sessionKeys.promotion(storeId, sessionId),
          storeKeys.promotionDue(storeId),
        ],
        [
          sessionId,
          `${storeId}:${sessionId}:${message.windowStartedAt}`,
          String(message.windowStartedAt),
          String(message.dueAt),
          String(now),
        ],
      ),
    );
    return reply === 1;
  }

  async overdueWindows(storeId: string, before: number, limit: number): Promise<DueWindow[]> {
    const reply = await redisCall('read overdue windows', () =>
      this.redis.zrange(storeKeys.promotionDue(storeId), '-inf', before, {
        byScore: true,
        offset: 0,
        count: limit,
        withScores: true,
      }),
    );
    const flat = z.array(z.union([z.string(), z.number()])).parse(reply);
    const windows: DueWindow[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      windows.push({ sessionId: String(flat[i]), dueAt: Number(flat[i + 1]) });
    }
    return windows;
  }

  async postponeWindow(storeId: string, sessionId: string, dueAt: number): Promise<void> {
    await redisCall('postpone window', () =>
      this.redis.zadd(storeKeys.promotionDue(storeId), { xx: true }, { score: dueAt, member: sessionId }),
    );
  }
}
