import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import type { PromotionMessage } from '../../contracts/promotion-message.js';
import type { DueWindow, PromotionLedger, PromotionState, RunRecord } from '../../ports/promotion-ledger.js';
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
 * KEYS: 1 promotion state, 2 session meta
 * ARGV: 1 watermark, 2 processed, 3 input tokens, 4 output tokens, 5 memories, 6 now,
 *       7 conversation records
 * The state expires with the session (it describes nothing once the session is gone).
 */
const COMMIT_RUN = `
redis.call('HSET', KEYS[1], 'watermark', ARGV[1], 'lastRunAt', ARGV[6])
redis.call('HDEL', KEYS[1], 'lastErrorCode', 'lastErrorAt')
redis.call('HINCRBY', KEYS[1], 'processedEvents', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'runs', 1)
redis.call('HINCRBY', KEYS[1], 'inputTokens', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'outputTokens', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'memoriesWritten', ARGV[5])
redis.call('HINCRBY', KEYS[1], 'conversationRecordsWritten', ARGV[7])
local ttl = redis.call('PTTL', KEYS[2])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`;

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
] as const;

/** HMGET without automatic deserialization: one value (or null) per field, in order. */
const stateValuesSchema = z.array(z.string().nullable()).length(STATE_FIELDS.length);

export class UpstashPromotionLedger implements PromotionLedger {
  private readonly recordScript;
  private readonly releaseScript;
  private readonly commitScript;

  constructor(private readonly redis: Redis) {
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
    };
  }

  async commitRun(storeId: string, sessionId: string, run: RunRecord): Promise<void> {
    await redisCall('commit promotion run', () =>
      this.commitScript.exec(
        [sessionKeys.promotion(storeId, sessionId), sessionKeys.meta(storeId, sessionId)],
        [
          run.watermarkEventId,
          String(run.processedEvents),
          String(run.inputTokens),
          String(run.outputTokens),
          String(run.memoriesWritten),
          String(run.now),
          String(run.conversationRecordsWritten),
        ],
      ),
    );
  }

  async recordFailure(storeId: string, sessionId: string, code: string, now: number): Promise<void> {
    await redisCall('record promotion failure', () =>
      this.redis.hset(sessionKeys.promotion(storeId, sessionId), {
        lastErrorCode: code,
        lastErrorAt: String(now),
      }),
    );
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
