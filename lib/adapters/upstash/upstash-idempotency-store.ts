import { createHash } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import type { IdempotencyRecord, IdempotencyScope, IdempotencyStore } from '../../ports/idempotency-store.js';
import { storeKeys } from './keys.js';
import { redisCall } from './redis-call.js';
import { CLAIM_IDEMPOTENCY_KEY, RELEASE_IDEMPOTENCY_KEY } from './scripts/generated.js';

const recordSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('pending'), requestHash: z.string(), token: z.string() }),
  z.object({ state: z.literal('done'), requestHash: z.string(), answer: z.unknown() }),
]);
const replySchema = z.union([z.string(), z.null(), z.literal(false)]);

/** Idempotency records as JSON strings with an expiry; one round trip per method. */
export class UpstashIdempotencyStore implements IdempotencyStore {
  private readonly claimScript;
  private readonly releaseScript;

  constructor(private readonly redis: Redis) {
    this.claimScript = redis.createScript<unknown>(CLAIM_IDEMPOTENCY_KEY.source);
    this.releaseScript = redis.createScript<unknown>(RELEASE_IDEMPOTENCY_KEY.source);
  }

  async claim(
    scope: IdempotencyScope,
    claim: { requestHash: string; token: string; leaseMs: number },
  ): Promise<IdempotencyRecord | undefined> {
    const reply = await redisCall('claim idempotency key', () =>
      this.claimScript.exec([keyOf(scope)], [pendingJson(claim), String(claim.leaseMs)]),
    );
    return parsed(replySchema.parse(reply));
  }

  async read(scope: IdempotencyScope): Promise<IdempotencyRecord | undefined> {
    const reply = await redisCall('read idempotency key', () => this.redis.get(keyOf(scope)));
    return parsed(replySchema.parse(reply));
  }

  async complete(
    scope: IdempotencyScope,
    done: { requestHash: string; answer: unknown; retentionSeconds: number },
  ): Promise<void> {
    const record = JSON.stringify({ state: 'done', requestHash: done.requestHash, answer: done.answer });
    await redisCall('store idempotent answer', () =>
      this.redis.set(keyOf(scope), record, { ex: done.retentionSeconds }),
    );
  }

  async release(scope: IdempotencyScope, claim: { requestHash: string; token: string }): Promise<void> {
    // The script compares the stored claim whole with the one this request wrote.
    const reply = await redisCall('release idempotency key', () =>
      this.releaseScript.exec([keyOf(scope)], [pendingJson(claim)]),
    );
    z.number().parse(reply);
  }
}

/** A claim's JSON, written the same way by `claim` and `release`, which compares it whole. */
function pendingJson(claim: { requestHash: string; token: string }): string {
  return JSON.stringify({ state: 'pending', requestHash: claim.requestHash, token: claim.token });
}

function keyOf(scope: IdempotencyScope): string {
  const keyHash = createHash('sha256').update(scope.key).digest('hex');
  return storeKeys.idempotency(scope.storeId, scope.operation, keyHash);
}

function parsed(value: string | null | false): IdempotencyRecord | undefined {
  return typeof value === 'string' ? recordSchema.parse(JSON.parse(value)) : undefined;
}
