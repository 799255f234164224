import { coreApp } from '../../lib/composition/core-app.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { sessionEventPathSchema } from '../../lib/contracts/session-memory.js';
import { deleteSessionEvent } from '../../lib/use-cases/sessions/delete.js';
import { httpRoute } from './http-route.js';

/** Reference DeleteSessionEvent: 204. */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId, sessionId, eventId } = parseInput(sessionEventPathSchema, request.pathParameters, 'path');
  await deleteSessionEvent(app, storeId, sessionId, eventId);
  return { status: 204 };
});
