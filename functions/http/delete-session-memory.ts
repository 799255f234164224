import { coreApp } from '../../lib/composition/core-app.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { sessionPathSchema } from '../../lib/contracts/session-memory.js';
import { deleteSessionMemory } from '../../lib/use-cases/sessions/delete.js';
import { httpRoute } from './http-route.js';

/** Reference DeleteSessionMemory: 204. */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId, sessionId } = parseInput(sessionPathSchema, request.pathParameters, 'path');
  await deleteSessionMemory(app, storeId, sessionId);
  return { status: 204 };
});
