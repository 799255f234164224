import { coreApp } from '../../lib/composition/core-app.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { sessionPathSchema } from '../../lib/contracts/session-memory.js';
import { getPromotionStatus } from '../../lib/use-cases/promotion/status.js';
import { httpRoute } from './http-route.js';

/** Extension: extraction status of a session (processed, pending, next run, last error, tokens). */
export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId, sessionId } = parseInput(sessionPathSchema, request.pathParameters, 'path');
  return { status: 200, body: await getPromotionStatus(app, storeId, sessionId) };
});
