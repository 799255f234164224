import { coreApp } from '../../lib/composition/core-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { parseInput } from '../../lib/contracts/parse.js';
import {
  type AddSessionEventRequest,
  addSessionEventHeadersSchema,
  addSessionEventRequestSchema,
  createSessionRequestSchema,
  sessionPathSchema,
} from '../../lib/contracts/session-memory.js';
import { ValidationError } from '../../lib/domain/errors.js';
import { appendSessionEvent } from '../../lib/use-cases/sessions/append-event.js';
import { type HttpRequest, httpRoute } from './http-route.js';

/**
 * The append, on its three routes (functions/catalog.ts): reference AddSessionEvent (`…/session-memory/
 * events`, the session in the body or a new one), and the November family's `…/sessions/{sessionId}/
 * events` (the session from the path) and `…/sessions` (a new session, its id generated and answered).
 * 201 `{event}` (`{sessionId, event}` for a new session). With an `Idempotency-Key` header
 * (extension), a retry whose answer was lost returns the event stored the first time, in the same
 * session, instead of a copy.
 */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId, body, newSession } = appendRequestOf(request);
  const idempotencyKey = parseInput(
    addSessionEventHeadersSchema,
    { 'Idempotency-Key': request.header('idempotency-key') },
    'body',
  )['Idempotency-Key'];
  const event = await appendSessionEvent(app, storeId, body, idempotencyKey ? { idempotencyKey } : {});
  return { status: 201, body: newSession ? { sessionId: event.sessionId, event } : { event } };
});

function appendRequestOf(request: HttpRequest): {
  storeId: string;
  body: AddSessionEventRequest;
  newSession: boolean;
} {
  const raw = request.body ?? {};
  if (request.pathParameters.sessionId !== undefined) {
    const { storeId, sessionId } = parseInput(sessionPathSchema, request.pathParameters, 'path');
    const body = parseInput(addSessionEventRequestSchema, raw, 'body');
    if (body.sessionId !== undefined && body.sessionId !== sessionId) {
      throw new ValidationError('Invalid body: sessionId: differs from the path', [
        {
          field: 'sessionId',
          rule: 'equals-path',
          message: "must be left out or equal the path's sessionId",
        },
      ]);
    }
    return { storeId, body: { ...body, sessionId }, newSession: false };
  }
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  if (!request.resource.endsWith('/sessions')) {
    return { storeId, body: parseInput(addSessionEventRequestSchema, raw, 'body'), newSession: false };
  }
  if (typeof raw === 'object' && raw !== null && Object.hasOwn(raw, 'sessionId')) {
    throw new ValidationError('Invalid body: sessionId: the server generates it', [
      {
        field: 'sessionId',
        rule: 'server-generated',
        message:
          'must be left out: a new session gets a generated id (append to …/sessions/{sessionId}/events)',
      },
    ]);
  }
  return { storeId, body: parseInput(createSessionRequestSchema, raw, 'body'), newSession: true };
}
