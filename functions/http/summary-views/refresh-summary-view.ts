import { coreApp } from '../../../lib/composition/core-app.js';
import { parseInput } from '../../../lib/contracts/parse.js';
import { refreshViewRequestSchema, summaryViewPathSchema } from '../../../lib/contracts/summary-views.js';
import { requestViewRefresh } from '../../../lib/use-cases/summary-views/partitions.js';
import { httpRoute } from '../http-route.js';
import { viewCaller } from './caller.js';

/** Queues a refresh of one partition (`group`) or of the whole view: 202, asynchronous. */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId, viewId } = parseInput(summaryViewPathSchema, request.pathParameters, 'path');
  const { group } = parseInput(refreshViewRequestSchema, request.body ?? {}, 'body');
  return { status: 202, body: await requestViewRefresh(app, storeId, viewId, viewCaller(request), group) };
});
