import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as z from 'zod';
import {
  IDEMPOTENCY_LIMITS,
  idempotencyKeyReused,
  idempotentRequestInProgress,
} from '../../domain/idempotency.js';
import { describeError, type Logger } from '../../observability/logger.js';
import type { IdempotencyRecord, IdempotencyScope, IdempotencyStore } from '../../ports/idempotency-store.js';

export interface IdempotencyDeps {
  readonly idempotency: IdempotencyStore;
  readonly logger: Logger;
}

/**
 * Runs `work` once per `Idempotency-Key` (rules: lib/domain/idempotency.ts). The key is claimed
 * first; the answer is stored when the work succeeds and returned to every retry with the same
 * request for {@link IDEMPOTENCY_LIMITS.createRetentionSeconds}. A failed run releases the key, so
 * a retry runs afresh (nothing is remembered of an error). A concurrent duplicate waits for the
 * first answer, up to {@link IDEMPOTENCY_LIMITS.waitForAnswerMs}, then gets a 409 to retry.
 * Costs two round trips besides the work (claim, store the answer).
 */
export async function runIdempotently<T>(
  deps: IdempotencyDeps,
  scope: IdempotencyScope,
  requestHash: string,
  answerSchema: z.ZodType<T>,
  work: () => Promise<T>,
): Promise<T> {
  const claim = { requestHash, token: randomUUID(), leaseMs: IDEMPOTENCY_LIMITS.claimLeaseMs };
  // Counted in time slept rather than read from the clock: tests pin the clock.
  let waited = 0;
  let pause = 50;
  for (;;) {
    let existing: IdempotencyRecord | undefined = await deps.idempotency.claim(scope, claim);
    if (existing === undefined) break; // this call holds the key: run the work
    // A concurrent duplicate: wait while the first request runs.
    while (existing?.state === 'pending' && existing.requestHash === requestHash) {
      if (waited >= IDEMPOTENCY_LIMITS.waitForAnswerMs) throw idempotentRequestInProgress();
      await sleep(pause);
      waited += pause;
      pause = Math.min(pause * 2, 1000);
      existing = await deps.idempotency.read(scope);
    }
    if (existing === undefined) continue; // the first request failed and let go: claim it again
    if (existing.requestHash !== requestHash) throw idempotencyKeyReused('in this store');
    if (existing.state === 'done') return answerSchema.parse(existing.answer);
  }

  let answer: T;
  try {
    answer = await work();
  } catch (error) {
    await deps.idempotency.release(scope, claim).catch(() => undefined);
    throw error;
  }
  try {
    await deps.idempotency.complete(scope, {
      requestHash,
      answer,
      retentionSeconds: IDEMPOTENCY_LIMITS.createRetentionSeconds,
    });
  } catch (error) {
    // The work is done and answered; a retry after the lease runs it again, which ids make harmless.
    deps.logger.warn('idempotent answer not stored', { storeId: scope.storeId, ...describeError(error) });
  }
  return answer;
}
