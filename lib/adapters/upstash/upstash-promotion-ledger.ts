import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import type { PromotionMessage } from '../../contracts/promotion-message.js';
import type { DueWindow, PromotionLedger } from '../../ports/promotion-ledger.js';
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

export class UpstashPromotionLedger implements PromotionLedger {
  private readonly recordScript;

  constructor(private readonly redis: Redis) {
    this.recordScript = redis.createScript<unknown>(RECORD_JOB);
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
