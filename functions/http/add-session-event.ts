import { coreApp } from '../../lib/composition/core-app.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { addSessionEventRequestSchema, storePathSchema } from '../../lib/contracts/session-memory.js';
import { appendSessionEvent } from '../../lib/use-cases/append-session-event.js';
import { httpRoute } from './http-route.js';

/** Reference AddSessionEvent: 201 `{event}`. */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const body = parseInput(addSessionEventRequestSchema, request.body ?? {}, 'body');
  return { status: 201, body: { event: await appendSessionEvent(app, storeId, body) } };
});
