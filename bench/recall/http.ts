import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiResponse, apiClient } from '../../dev/api-client.js';

/** How bench:recall talks to the API: statuses checked, transient refusals retried as a client should. */

export type Api = ReturnType<typeof apiClient>;

/**
 * 424 (a dependency such as Redis unavailable), 429 and gateway errors say "try again"
 * (lib/domain/errors.ts, the README's error table). On a loaded machine the local Upstash endpoint
 * does time out now and then; a benchmark that died on the first one would measure the machine.
 */
const RETRYABLE = new Set([424, 429, 502, 503, 504]);
const MAX_ATTEMPTS = 6;
/** Retry-After when the answer has none, and the longest wait honoured. */
const DEFAULT_WAIT_MS = 1_000;
const MAX_WAIT_MS = 10_000;

/** Requests repeated after a retryable answer, over the whole run (reported with the figures). */
export const retryCount = { value: 0 };

/**
 * Sends (through `call`, which must be safe to repeat: a read, promote-now, a bulk create of fixed
 * ids, an append with an `Idempotency-Key`), retries retryable answers after their Retry-After,
 * and throws unless the status is an expected one.
 */
export async function send(
  call: () => Promise<ApiResponse>,
  expected: number | readonly number[],
  what: string,
): Promise<ApiResponse> {
  for (let attempt = 1; ; attempt++) {
    const response = await call();
    if (attempt < MAX_ATTEMPTS && RETRYABLE.has(response.status)) {
      retryCount.value++;
      await sleep(retryAfterMs(response));
      continue;
    }
    expectStatus(response, expected, what);
    return response;
  }
}

function retryAfterMs(response: ApiResponse): number {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(MAX_WAIT_MS, seconds * 1000) : DEFAULT_WAIT_MS;
}

/** Throws on another status, with the problem's type and detail only (never the request's text). */
export function expectStatus(
  response: ApiResponse,
  expected: number | readonly number[],
  what: string,
): void {
  const accepted = typeof expected === 'number' ? [expected] : expected;
  if (accepted.includes(response.status)) return;
  const problem = (response.body ?? {}) as { type?: string; detail?: string };
  throw new Error(`${what} failed: ${response.status} ${problem.type ?? ''} ${problem.detail ?? ''}`.trim());
}
