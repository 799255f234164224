import { coreApp } from '../../lib/composition/core-app.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { sessionPathSchema } from '../../lib/contracts/session-memory.js';
import { promoteSessionNow } from '../../lib/use-cases/promotion/promote-now.js';
import { httpRoute } from './http-route.js';

/** Extension: extract a session's pending events now rather than at the end of its window (202). */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId, sessionId } = parseInput(sessionPathSchema, request.pathParameters, 'path');
  return { status: 202, body: await promoteSessionNow(app, storeId, sessionId) };
});
