import * as z from 'zod';
import { coreApp } from '../../lib/composition/core-app.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { addSessionEventRequestSchema, storePathSchema } from '../../lib/contracts/session-memory.js';
import { appendSessionEvent } from '../../lib/use-cases/append-session-event.js';
import { httpRoute } from './http-route.js';

/** Extension: `Idempotency-Key`, 1-128 visible ASCII characters. */
const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,128}$/, 'must be 1-128 visible ASCII characters')
  .optional();

/**
 * Reference AddSessionEvent: 201 `{event}`. With an `Idempotency-Key` header (extension), a retry
 * of a request whose answer was lost returns the event stored the first time instead of a copy.
 */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const body = parseInput(addSessionEventRequestSchema, request.body ?? {}, 'body');
  const idempotencyKey = parseInput(
    z.object({ 'idempotency-key': idempotencyKeySchema }),
    { 'idempotency-key': request.header('idempotency-key') },
    'body',
  )['idempotency-key'];
  const event = await appendSessionEvent(app, storeId, body, idempotencyKey ? { idempotencyKey } : {});
  return { status: 201, body: { event } };
});
