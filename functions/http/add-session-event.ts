import { coreApp } from '../../lib/composition/core-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { parseInput } from '../../lib/contracts/parse.js';
import {
  addSessionEventHeadersSchema,
  addSessionEventRequestSchema,
} from '../../lib/contracts/session-memory.js';
import { appendSessionEvent } from '../../lib/use-cases/sessions/append-event.js';
import { httpRoute } from './http-route.js';

/**
 * Reference AddSessionEvent: 201 `{event}`. With an `Idempotency-Key` header (extension), a retry
 * of a request whose answer was lost returns the event stored the first time instead of a copy.
 */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const body = parseInput(addSessionEventRequestSchema, request.body ?? {}, 'body');
  const idempotencyKey = parseInput(
    addSessionEventHeadersSchema,
    { 'Idempotency-Key': request.header('idempotency-key') },
    'body',
  )['Idempotency-Key'];
  const event = await appendSessionEvent(app, storeId, body, idempotencyKey ? { idempotencyKey } : {});
  return { status: 201, body: { event } };
});
