import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  DomainError,
  type ErrorCode,
  type FieldError,
  fieldErrorsOf,
  retryAfterSecondsOf,
} from '../../lib/domain/errors.js';

/** Status, `type` and `title` of each error code (reference §1.1; 409 is described there in prose). */
const PROBLEMS: Record<ErrorCode, { status: number; type: string; title: string }> = {
  'invalid-data': { status: 400, type: '/errors/invalid-data', title: 'Invalid request' },
  'authentication-failed': {
    status: 401,
    type: '/errors/authentication-failed',
    title: 'Authentication failed',
  },
  'insufficient-permissions': {
    status: 403,
    type: '/errors/insufficient-permissions',
    title: 'Insufficient permissions',
  },
  'resource-not-found': { status: 404, type: '/errors/resource-not-found', title: 'Resource not found' },
  timeout: { status: 408, type: '/errors/timeout', title: 'Request timed out' },
  conflict: { status: 409, type: '/errors/conflict', title: 'Conflict' },
  'payload-too-large': { status: 413, type: '/errors/payload-too-large', title: 'Payload too large' },
  'too-many-requests': { status: 429, type: '/errors/too-many-requests', title: 'Too many requests' },
  'resource-unavailable': {
    status: 424,
    type: '/errors/resource-unavailable',
    title: 'A dependency is unavailable',
  },
};

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly fields?: readonly FieldError[];
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/**
 * The one place errors become HTTP responses. Domain errors keep their message (written to be
 * shown); anything else is a 500 that says nothing internal.
 */
export function problemResponse(error: unknown, instance?: string): APIGatewayProxyResult {
  if (!(error instanceof DomainError)) {
    return respond(
      {
        type: '/errors/unexpected-error',
        title: 'Unexpected error',
        status: 500,
        detail: 'An unexpected error occurred',
      },
      instance,
    );
  }
  const { status, type, title } = PROBLEMS[error.code];
  const fields = fieldErrorsOf(error);
  const retryAfter = retryAfterSecondsOf(error);
  return respond(
    { type, title, status, detail: error.message, ...(fields.length > 0 ? { fields } : {}) },
    instance,
    retryAfter,
  );
}

function respond(
  body: ProblemBody,
  instance: string | undefined,
  retryAfter?: number,
): APIGatewayProxyResult {
  return {
    statusCode: body.status,
    headers: { ...JSON_HEADERS, ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}) },
    body: JSON.stringify(instance ? { ...body, instance } : body),
  };
}
