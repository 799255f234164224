import { coreApp } from '../../../lib/composition/core-app.js';
import { parseInput } from '../../../lib/contracts/parse.js';
import { listPartitionsQuerySchema, summaryViewPathSchema } from '../../../lib/contracts/summary-views.js';
import { listViewPartitions } from '../../../lib/use-cases/summary-views/partitions.js';
import { httpRoute } from '../http-route.js';
import { viewCaller } from './caller.js';

export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId, viewId } = parseInput(summaryViewPathSchema, request.pathParameters, 'path');
  const query = parseInput(listPartitionsQuerySchema, request.query, 'query');
  return { status: 200, body: await listViewPartitions(app, storeId, viewId, viewCaller(request), query) };
});
