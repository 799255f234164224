import {
  type AgentMemoryError,
  ConnectionError,
  errorFromResponse,
  NetworkError,
  TimeoutError,
} from './errors.js';

/** Retries of failed attempts (exponential backoff with jitter, honouring `Retry-After`). */
export interface RetryConfig {
  /** Attempts in all, the first included; 1 disables retries. Default 4. */
  readonly maxAttempts: number;
  /** Backoff before the first retry; doubles each retry. Default 250 ms. */
  readonly initialDelayMs: number;
  /** Ceiling of the backoff. Default 8000 ms. */
  readonly maxDelayMs: number;
  /**
   * The longest `Retry-After` the SDK waits for; a longer one ends the call with the error (its
   * `retryAfterMs` says when to come back). Default 30000 ms.
   */
  readonly maxRetryAfterMs?: number;
}

export const DEFAULT_RETRY: Required<RetryConfig> = {
  maxAttempts: 4,
  initialDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
};

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Options every method takes as its last argument. */
export interface RequestOptions {
  /** The store to act on instead of the client's `storeId`. */
  readonly storeId?: string;
  /** Aborts the call (all attempts and the waits between them); it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Time allowed for each attempt, answer body included; overrides the client's `timeoutMs`. */
  readonly timeoutMs?: number;
  /** Overrides the client's retry settings for this call; `false` sends once. */
  readonly retry?: Partial<RetryConfig> | false;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TransportConfig {
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly retry: Required<RetryConfig> | false;
}

type QueryValue = string | number | boolean | undefined;

/** One logical call, as the method layer describes it. */
export interface CallSpec {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the server URL, already encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Whether sending the request twice has the effect of sending it once; only such calls are
   * retried (see the README's table per method).
   */
  readonly idempotent: boolean;
  /**
   * A DELETE whose earlier attempt may have run (its answer was lost or it failed ambiguously)
   * treats a 404 on a retry as done: the thing is gone, which is what the caller asked for.
   */
  readonly notFoundAfterRetryIsSuccess?: boolean;
}

/**
 * Sends a call: per-attempt timeout, caller abort, typed errors, retries of idempotent calls.
 * Answers with no body resolve to `undefined`.
 */
export async function send<T>(
  config: TransportConfig,
  call: CallSpec,
  options: RequestOptions = {},
): Promise<T> {
  const retry = retryFor(config.retry, options.retry);
  const timeoutMs = options.timeoutMs ?? config.timeoutMs;
  const url = urlOf(config.baseUrl, call.path, call.query);
  const headers = headersOf(config.apiKey, call, options);
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  const maxAttempts = call.idempotent && retry ? Math.max(1, Math.floor(retry.maxAttempts)) : 1;

  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(
      config.fetch,
      url,
      { method: call.method, headers, body },
      timeoutMs,
      options.signal,
    );
    if (outcome.ok) return outcome.value as T;
    const error = outcome.error;
    if (attempt > 1 && call.notFoundAfterRetryIsSuccess && 'status' in error && error.status === 404) {
      return undefined as T;
    }
    if (!retry || attempt >= maxAttempts || !error.retryable) throw error;
    const retryAfterMs = 'retryAfterMs' in error ? error.retryAfterMs : undefined;
    if (retryAfterMs !== undefined && retryAfterMs > retry.maxRetryAfterMs) throw error;
    await sleep(retryAfterMs ?? backoffMs(retry, attempt), options.signal);
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: AgentMemoryError | ConnectionError };

async function attemptOnce(
  fetchImpl: FetchLike,
  url: string,
  init: { method: string; headers: Headers; body: string | undefined },
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Outcome> {
  signal?.throwIfAborted();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new TimeoutError(timeoutMs));
  }, timeoutMs);
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetchImpl(url, { ...init, signal: controller.signal });
    // The body is read under the same timer: a server may send headers and then stall.
    const text = await response.text();
    if (response.ok) return { ok: true, value: text ? JSON.parse(text) : undefined };
    return {
      ok: false,
      error: errorFromResponse(response.status, response.statusText, response.headers, text),
    };
  } catch (cause) {
    if (signal?.aborted) throw signal.reason;
    if (timedOut) return { ok: false, error: new TimeoutError(timeoutMs) };
    if (cause instanceof SyntaxError) {
      // A 2xx whose body is not JSON: the answer is unusable but the request did run.
      throw new NetworkError('The answer was not valid JSON', { cause });
    }
    if (cause instanceof ConnectionError) return { ok: false, error: cause };
    return { ok: false, error: new NetworkError(describe(cause), { cause }) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
    return `${cause.message}${inner}`;
  }
  return String(cause);
}

function retryFor(
  client: Required<RetryConfig> | false,
  call: Partial<RetryConfig> | false | undefined,
): Required<RetryConfig> | false {
  if (call === false) return false;
  if (call === undefined) return client;
  return { ...(client || DEFAULT_RETRY), ...call };
}

/** Exponential backoff with "equal jitter": half the step fixed, half random, so retries spread out. */
export function backoffMs(
  retry: Required<RetryConfig>,
  attempt: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempt - 1));
  return step / 2 + random() * (step / 2);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function urlOf(
  baseUrl: string,
  path: string,
  query: Readonly<Record<string, QueryValue>> | undefined,
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(name, String(value));
  }
  const search = params.toString();
  return `${baseUrl}${path}${search ? `?${search}` : ''}`;
}

function headersOf(apiKey: string | undefined, call: CallSpec, options: RequestOptions): Headers {
  const headers = new Headers({ accept: 'application/json, application/problem+json' });
  if (call.body !== undefined) headers.set('content-type', 'application/json');
  if (apiKey) headers.set('authorization', `Bearer ${apiKey}`);
  for (const [name, value] of Object.entries({ ...call.headers, ...options.headers }))
    headers.set(name, value);
  return headers;
}

/** `/a/{b}` segments, encoded. */
export function pathOf(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce(
    (path, part, i) => path + part + (i < values.length ? encodeURIComponent(values[i]!) : ''),
    '',
  );
}
