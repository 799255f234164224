import { Redis } from '@upstash/redis';

export interface UpstashClientOptions {
  readonly url: string;
  readonly token: string;
  /** Per-request time limit (ms); keeps a hung connection inside the Lambda's budget. */
  readonly requestTimeoutMs?: number;
  /**
   * Milliseconds the caller has left (the invocation's remaining time); each request's limit is
   * cut to it, less a reserve for answering, so that many sequential slow calls still end in a
   * retryable error instead of the function timing out. Default: no budget.
   */
  readonly timeBudgetMs?: () => number;
  /**
   * Called once per HTTP request to Upstash (the client asks for a signal per request, retries
   * included in it): the round-trip count the service reports as a metric.
   */
  readonly onRequest?: () => void;
}

/** Left of the budget for turning a failure into a response after the last call gives up. */
const ANSWER_RESERVE_MS = 500;

/**
 * The one way the service builds its Redis client.
 * - `automaticDeserialization: false`: values come back as stored; we parse them with zod
 *   (auto mode turns "true" into `true` and JSON-looking strings into objects).
 * - A small retry budget: the default (5 retries, exponential) waits about 4 s before failing,
 *   which is most of an API request's budget.
 * - A time limit per request that covers its retries, cut to the invocation's remaining budget.
 * - No telemetry headers.
 */
export function createUpstashRedis(options: UpstashClientOptions): Redis {
  const timeoutMs = options.requestTimeoutMs ?? 3_000;
  const budget = options.timeBudgetMs;
  const limitMs = () => (budget ? Math.max(1, Math.min(timeoutMs, budget() - ANSWER_RESERVE_MS)) : timeoutMs);
  return new Redis({
    url: options.url,
    token: options.token,
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: { retries: 2, backoff: (attempt) => 25 * 2 ** attempt },
    signal: () => {
      options.onRequest?.();
      return AbortSignal.timeout(limitMs());
    },
  });
}
