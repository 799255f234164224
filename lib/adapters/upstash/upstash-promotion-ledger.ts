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
import {
  ADD_EXTRACTION_TOKENS,
  COMMIT_PROMOTION_RUN,
  RECORD_PROMOTION_FAILURE,
  RECORD_PROMOTION_JOB,
  RELEASE_PROMOTION_LOCK,
} from './scripts/generated.js';

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

/**
 * A session's promotion bookkeeping: the due window (closed by record-promotion-job.lua), the lock,
 * the progress hash and parked ranges, and the store's daily token counter. Multi-key changes are
 * the `scripts/*-promotion-*.lua` scripts and add-extraction-tokens.lua (keys and arguments in
 * their headers).
 */
export class UpstashPromotionLedger implements PromotionLedger {
  private readonly recordScript;
  private readonly releaseScript;
  private readonly commitScript;
  private readonly failureScript;
  private readonly tokensScript;

  constructor(private readonly redis: Redis) {
    this.failureScript = redis.createScript<unknown>(RECORD_PROMOTION_FAILURE.source);
    this.tokensScript = redis.createScript<unknown>(ADD_EXTRACTION_TOKENS.source);
    this.recordScript = redis.createScript<unknown>(RECORD_PROMOTION_JOB.source);
    this.releaseScript = redis.createScript<unknown>(RELEASE_PROMOTION_LOCK.source);
    this.commitScript = redis.createScript<unknown>(COMMIT_PROMOTION_RUN.source);
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
