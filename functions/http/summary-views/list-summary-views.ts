import { coreApp } from '../../../lib/composition/core-app.js';
import { storePathSchema } from '../../../lib/contracts/common.js';
import { parseInput } from '../../../lib/contracts/parse.js';
import { listSummaryViewsQuerySchema } from '../../../lib/contracts/summary-views.js';
import { listSummaryViews } from '../../../lib/use-cases/summary-views/definitions.js';
import { httpRoute } from '../http-route.js';
import { viewCaller } from './caller.js';

/** The summary views the caller may see: shared ones and its own private ones. */
export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const query = parseInput(listSummaryViewsQuerySchema, request.query, 'query');
  return { status: 200, body: await listSummaryViews(app, storeId, viewCaller(request), query) };
});
