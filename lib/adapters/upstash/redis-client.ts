import { Redis } from '@upstash/redis';

export interface UpstashClientOptions {
  readonly url: string;
  readonly token: string;
  /** Per-request time limit (ms); keeps a hung connection inside the Lambda's budget. */
  readonly requestTimeoutMs?: number;
}

/**
 * The one way the service builds its Redis client.
 * - `automaticDeserialization: false`: values come back as stored; we parse them with zod
 *   (auto mode turns "true" into `true` and JSON-looking strings into objects).
 * - A small retry budget: the default (5 retries, exponential) waits about 4 s before failing,
 *   which is most of an API request's budget.
 * - No telemetry headers.
 */
export function createUpstashRedis(options: UpstashClientOptions): Redis {
  const timeoutMs = options.requestTimeoutMs ?? 3_000;
  return new Redis({
    url: options.url,
    token: options.token,
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: { retries: 2, backoff: (attempt) => 25 * 2 ** attempt },
    signal: () => AbortSignal.timeout(timeoutMs),
  });
}
