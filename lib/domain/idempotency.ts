import { createHash } from 'node:crypto';
import { ConflictError } from './errors.js';

/**
 * Idempotency-Key rules shared by every route that takes the header (session appends, long-term
 * bulk create; docs/decisions/0015-provenance-and-idempotent-creates.md):
 * - the key is 1-128 visible ASCII characters (contracts/common.ts `idempotencyKeySchema`);
 * - a request is "the same" when the hash of its parsed body is ({@link requestHashOf});
 * - a retry of the same request under a key seen before answers what the first one answered and
 *   writes nothing; another request under that key is a 409 naming the header
 *   ({@link idempotencyKeyReused});
 * - keys belong to the store (appends: to the session, which lives in one store), not to the API
 *   key that sent them: a retry through a rotated key is still a retry.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** The hash two requests under one key are compared by: SHA-256 of the parsed body's JSON. */
export function requestHashOf(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('base64url');
}

/** 409: the key was first used with another request (`where` says whose keys: "in this session"). */
export function idempotencyKeyReused(where: string): ConflictError {
  return new ConflictError(`This ${IDEMPOTENCY_KEY_HEADER} was used with a different request ${where}`, [
    {
      field: IDEMPOTENCY_KEY_HEADER,
      rule: 'idempotency',
      message: 'was used with a different request; send a new key for a new request',
    },
  ]);
}

/** 409: a request under this key is still running (a concurrent duplicate); retry it shortly. */
export function idempotentRequestInProgress(): ConflictError {
  return new ConflictError(
    `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry it in a few seconds`,
    [
      {
        field: IDEMPOTENCY_KEY_HEADER,
        rule: 'in-progress',
        message: 'a request with this key is still running',
      },
    ],
  );
}

export const IDEMPOTENCY_LIMITS = {
  /**
   * How long a long-term create's answer is kept for retries (Stripe keeps keys 24 hours; a client
   * retrying a lost answer does so within minutes). Appends keep theirs for the session's life.
   */
  createRetentionSeconds: 24 * 60 * 60,
  /**
   * How long a running create holds its key before another request may take it over: past API
   * Gateway's 29 s integration limit, so no live request loses it, and short enough that a crashed
   * one (its answer never stored) blocks retries for half a minute at most. The retry then creates
   * again, which the ids make harmless (same id, same content: no duplicate).
   */
  claimLeaseMs: 30_000,
  /** How long a concurrent duplicate waits for the first request's answer before a 409. */
  waitForAnswerMs: 10_000,
} as const;
