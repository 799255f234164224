import { coreApp } from '../../lib/composition/core-app.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { sessionPathSchema } from '../../lib/contracts/session-memory.js';
import { retryParkedRanges } from '../../lib/use-cases/promotion/promote-now.js';
import { httpRoute } from './http-route.js';

/** Extension: extract a session's parked ranges (batches the model kept failing on) again (202). */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId, sessionId } = parseInput(sessionPathSchema, request.pathParameters, 'path');
  return { status: 202, body: await retryParkedRanges(app, storeId, sessionId) };
});
