import { coreApp } from '../../../lib/composition/core-app.js';
import { parseInput } from '../../../lib/contracts/parse.js';
import { getPartitionQuerySchema, summaryViewPathSchema } from '../../../lib/contracts/summary-views.js';
import { getViewPartition } from '../../../lib/use-cases/summary-views/partitions.js';
import { httpRoute } from '../http-route.js';
import { viewCaller } from './caller.js';

/** One partition by its group values, given as query parameters. */
export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId, viewId } = parseInput(summaryViewPathSchema, request.pathParameters, 'path');
  const group = parseInput(getPartitionQuerySchema, request.query, 'query');
  return { status: 200, body: await getViewPartition(app, storeId, viewId, viewCaller(request), group) };
});
