import { coreApp } from '../../lib/composition/core-app.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { getSessionMemoryQuerySchema, sessionPathSchema } from '../../lib/contracts/session-memory.js';
import { getSessionMemory } from '../../lib/use-cases/sessions/get-session.js';
import { httpRoute } from './http-route.js';

/** Reference GetSessionMemory: the summary (once there is one) plus the events it does not cover. */
export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId, sessionId } = parseInput(sessionPathSchema, request.pathParameters, 'path');
  const query = parseInput(getSessionMemoryQuerySchema, request.query, 'query');
  return { status: 200, body: await getSessionMemory(app, storeId, sessionId, query) };
});
