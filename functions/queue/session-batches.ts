import type { SQSRecord } from 'aws-lambda';
import { type PromotionMessage, promotionMessageSchema } from '../../lib/contracts/promotion-message.js';

/** The promotion job a record carries, parsed once; `undefined` when the body is not one. */
export function parsePromotionJob(record: Pick<SQSRecord, 'body'>): PromotionMessage | undefined {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return undefined;
  }
  const parsed = promotionMessageSchema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}

/** Jobs of one session share this key (a session id is unique within its store only). */
export function sessionKey(message: Pick<PromotionMessage, 'storeId' | 'sessionId'>): string {
  return `${message.storeId}/${message.sessionId}`;
}

/** Runs `work` after the earlier work of the same key; see {@link sessionSerializer}. */
export type RunInSessionOrder = <T>(key: string, work: () => Promise<T>) => Promise<T>;

/**
 * Per-session grouping for one batch: work submitted under one key runs one after the other, in the
 * order submitted, each start waiting for the previous one to settle (success or failure: a failed
 * job does not hold back the next job of its session); work under different keys runs concurrently.
 * Two jobs of one session in a batch would otherwise race for the session's promotion lock, and
 * the loser would fail and be redelivered for nothing. Create one per batch.
 */
export function sessionSerializer(): RunInSessionOrder {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    // The tail only orders the next job; its failure is the caller's to handle (through `run`).
    tails.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  };
}
