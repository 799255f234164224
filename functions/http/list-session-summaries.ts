import { coreApp } from '../../lib/composition/core-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { listSessionSummariesQuerySchema } from '../../lib/contracts/session-memory.js';
import { listSessionSummaries } from '../../lib/use-cases/sessions/list-sessions.js';
import { httpRoute } from './http-route.js';

/** Reference (v1+) ListSessionSummaries: session rows, sortable. */
export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const query = parseInput(listSessionSummariesQuerySchema, request.query, 'query');
  return { status: 200, body: await listSessionSummaries(app, storeId, query) };
});
