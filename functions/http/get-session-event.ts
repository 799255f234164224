import { coreApp } from '../../lib/composition/core-app.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { sessionEventPathSchema } from '../../lib/contracts/session-memory.js';
import { getSessionEvent } from '../../lib/use-cases/sessions/get-session.js';
import { httpRoute } from './http-route.js';

/** Reference GetSessionEvent: `{event}`. */
export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId, sessionId, eventId } = parseInput(sessionEventPathSchema, request.pathParameters, 'path');
  return { status: 200, body: { event: await getSessionEvent(app, storeId, sessionId, eventId) } };
});
