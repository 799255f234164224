/**
 * The one error taxonomy of the service. Each error carries a stable `code` that the HTTP layer
 * maps to a status and an RFC 7807-style body (functions/http/problem.ts), and says whether a retry
 * may succeed. Messages are safe to show to the caller: never put stored content in them.
 */
export type ErrorCode =
  | 'invalid-data'
  | 'authentication-failed'
  | 'insufficient-permissions'
  | 'resource-not-found'
  | 'conflict'
  | 'payload-too-large'
  | 'too-many-requests'
  | 'resource-unavailable'
  | 'timeout';

export interface FieldError {
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  readonly retryable: boolean = false;
}

export class ValidationError extends DomainError {
  readonly code = 'invalid-data';
  constructor(
    message: string,
    readonly fields: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

export class AuthenticationError extends DomainError {
  readonly code = 'authentication-failed';
  constructor(message = 'A valid API key is required') {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'insufficient-permissions';
  constructor(message = 'This API key has no access to this resource') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'resource-not-found';
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  readonly code = 'conflict';
  constructor(
    message: string,
    /** The field (or header) whose value conflicts, when one does, e.g. `Idempotency-Key`. */
    readonly fields: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload-too-large';
  constructor(
    message: string,
    readonly fields: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = 'PayloadTooLargeError';
  }
}

export class TooManyRequestsError extends DomainError {
  readonly code = 'too-many-requests';
  override readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'TooManyRequestsError';
  }
}

/** A dependency (Redis, SQS, a model) failed; the request may succeed later. */
export class DependencyUnavailableError extends DomainError {
  readonly code = 'resource-unavailable';
  override readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
  }
}

/** The bad fields a domain error names (400, 409, 413), for every front end that shows them. */
export function fieldErrorsOf(error: DomainError): readonly FieldError[] {
  return error instanceof ValidationError ||
    error instanceof PayloadTooLargeError ||
    error instanceof ConflictError
    ? error.fields
    : [];
}

/** Seconds the caller should wait before retrying, when the error says (429, 424). */
export function retryAfterSecondsOf(error: DomainError): number | undefined {
  return error instanceof TooManyRequestsError || error instanceof DependencyUnavailableError
    ? error.retryAfterSeconds
    : undefined;
}

/**
 * A write that would take a store past one of its storage quotas (store config `quotas`). A 413,
 * not a 429: waiting does not make room, deleting does (or data expiring), so a client that retries
 * on 429 would only repeat the refused write. The field names the quota, e.g. `quotas.events`.
 */
export function quotaExceededError(
  quota: 'sessions' | 'events' | 'longTermRecords' | 'bytes',
  limit: number,
): PayloadTooLargeError {
  const what = QUOTA_WORDS[quota];
  return new PayloadTooLargeError(
    `The store holds its quota of ${limit} ${what}; delete some, or raise quotas.${quota} in the store configuration`,
    [
      {
        field: `quotas.${quota}`,
        rule: 'quota',
        message: `the store's quota of ${limit} ${what} is reached`,
      },
    ],
  );
}

const QUOTA_WORDS = {
  sessions: 'live sessions',
  events: 'session events',
  longTermRecords: 'long-term memory records',
  bytes: 'stored bytes',
} as const;
