/**
 * Errors the SDK throws. Two families:
 * - {@link AgentMemoryError}: the service answered with an error status. `status` and `problem`
 *   (the service's `application/problem+json` body) say what went wrong; one subclass per status.
 * - {@link ConnectionError}: no answer arrived ({@link TimeoutError}, {@link NetworkError}).
 * Both say whether a retry may succeed (`retryable`). A caller's own `signal` aborting is not an
 * SDK error: the call rejects with the signal's reason, as `fetch` does.
 */

import type { FieldError, ProblemBody } from './types.js';

/** One invalid field of a 400 (or 413) answer. */
export type ProblemFieldError = FieldError;

/**
 * The service's error body (RFC 7807 style, the `Problem` schema); members the schema does not
 * name are kept as sent. `type` is `about:blank` when the answer was not a problem body.
 */
export type Problem = ProblemBody & { readonly [member: string]: unknown };

/** Statuses a retry may cure: the service was busy, a dependency was down, or the gateway failed. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 424, 429, 500, 502, 503, 504]);

export interface AgentMemoryErrorInit {
  readonly status: number;
  readonly problem: Problem;
  readonly requestId?: string | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly headers?: Headers | undefined;
}

/** The service answered with an error status (4xx/5xx). */
export class AgentMemoryError extends Error {
  override readonly name: string = 'AgentMemoryError';
  /** HTTP status of the answer. */
  readonly status: number;
  /** The problem body, or one made from the status when the body was not a problem. */
  readonly problem: Problem;
  /** The gateway's request id (`x-amzn-requestid`), for support. */
  readonly requestId: string | undefined;
  /** What `Retry-After` asked for, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** Whether the same request may succeed later (429, 424, 408, 5xx). */
  readonly retryable: boolean;
  readonly headers: Headers | undefined;

  constructor(init: AgentMemoryErrorInit) {
    super(messageOf(init.problem));
    this.status = init.status;
    this.problem = init.problem;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
    this.headers = init.headers;
    this.retryable = RETRYABLE_STATUSES.has(init.status);
  }

  /** The invalid fields named by a 400 or 413 answer (empty otherwise). */
  get fields(): readonly ProblemFieldError[] {
    return this.problem.fields ?? [];
  }
}

function messageOf(problem: Problem): string {
  const head = `${problem.status} ${problem.title}`;
  const detail = problem.detail ? `: ${problem.detail}` : '';
  const fields = problem.fields?.length
    ? ` (${problem.fields.map((f) => `${f.field} ${f.message}`).join('; ')})`
    : '';
  return `${head}${detail}${fields}`;
}

/** 400: the request is invalid; `fields` names each bad field. Never retried. */
export class BadRequestError extends AgentMemoryError {
  override readonly name: string = 'BadRequestError';
}
/** 401: the API key is missing, unknown, revoked or expired. */
export class UnauthorizedError extends AgentMemoryError {
  override readonly name: string = 'UnauthorizedError';
}
/** 403: the key has no grant for this store or action. */
export class ForbiddenError extends AgentMemoryError {
  override readonly name: string = 'ForbiddenError';
}
/** 404: the store, session, event or memory does not exist (or has expired). */
export class NotFoundError extends AgentMemoryError {
  override readonly name: string = 'NotFoundError';
}
/** 408: the service gave up waiting (retryable). */
export class RequestTimeoutError extends AgentMemoryError {
  override readonly name: string = 'RequestTimeoutError';
}
/** 409: e.g. an `Idempotency-Key` reused with another request, or a type/namespace mismatch. */
export class ConflictError extends AgentMemoryError {
  override readonly name: string = 'ConflictError';
}
/** 413: the body or one of its parts exceeds a limit; `fields` says which. */
export class PayloadTooLargeError extends AgentMemoryError {
  override readonly name: string = 'PayloadTooLargeError';
}
/** 424: a dependency (the database) is unavailable; retryable, usually with `Retry-After`. */
export class DependencyError extends AgentMemoryError {
  override readonly name: string = 'DependencyError';
}
/** 429: throttled by the usage plan or the service; retryable, honour `retryAfterMs`. */
export class TooManyRequestsError extends AgentMemoryError {
  override readonly name: string = 'TooManyRequestsError';
}
/** 5xx: the service or its gateway failed; retryable. */
export class ServerError extends AgentMemoryError {
  override readonly name: string = 'ServerError';
}

/** No answer arrived. */
export class ConnectionError extends Error {
  override readonly name: string = 'ConnectionError';
  /** Always true: nothing was answered, so the request may be sent again if it is idempotent. */
  readonly retryable = true;
}

/** An attempt got no complete answer within `timeoutMs`. */
export class TimeoutError extends ConnectionError {
  override readonly name: string = 'TimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`No answer within ${timeoutMs} ms`);
  }
}

/** The request could not be sent or its answer could not be read (DNS, refused, reset). */
export class NetworkError extends ConnectionError {
  override readonly name: string = 'NetworkError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const BY_STATUS: Readonly<Record<number, new (init: AgentMemoryErrorInit) => AgentMemoryError>> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  408: RequestTimeoutError,
  409: ConflictError,
  413: PayloadTooLargeError,
  424: DependencyError,
  429: TooManyRequestsError,
};

/** The typed error for an error answer; its body as text (any content type). */
export function errorFromResponse(
  status: number,
  statusText: string,
  headers: Headers,
  bodyText: string,
  now: number = Date.now(),
): AgentMemoryError {
  const init: AgentMemoryErrorInit = {
    status,
    problem: problemOf(status, statusText, bodyText),
    requestId: headers.get('x-amzn-requestid') ?? headers.get('x-request-id') ?? undefined,
    retryAfterMs: parseRetryAfter(headers.get('retry-after'), now),
    headers,
  };
  const ErrorClass = BY_STATUS[status] ?? (status >= 500 ? ServerError : AgentMemoryError);
  return new ErrorClass(init);
}

function problemOf(status: number, statusText: string, bodyText: string): Problem {
  let body: unknown;
  try {
    body = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    body = undefined;
  }
  if (isRecord(body) && typeof body.type === 'string' && typeof body.title === 'string') {
    const { fields, ...rest } = body;
    return {
      ...rest,
      type: body.type,
      title: body.title,
      status: typeof body.status === 'number' ? body.status : status,
      ...(Array.isArray(fields) ? { fields: fields as ProblemFieldError[] } : {}),
    };
  }
  // Not a problem body: API Gateway's own answers (`{"message": "Forbidden"}`), a proxy's HTML.
  const message = isRecord(body) && typeof body.message === 'string' ? body.message : undefined;
  return {
    type: 'about:blank',
    title: statusText || `HTTP ${status}`,
    status,
    ...(message ? { detail: message } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date
 * (https://www.rfc-editor.org/rfc/rfc9110#field.retry-after). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
