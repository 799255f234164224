import { coreApp } from '../../lib/composition/core-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { listSessionsQuerySchema } from '../../lib/contracts/session-memory.js';
import { listSessions } from '../../lib/use-cases/sessions/list-sessions.js';
import { httpRoute } from './http-route.js';

/** Reference ListSessions: `{items, total, nextPageToken?}` of session ids. */
export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const query = parseInput(listSessionsQuerySchema, request.query, 'query');
  return { status: 200, body: await listSessions(app, storeId, query) };
});
