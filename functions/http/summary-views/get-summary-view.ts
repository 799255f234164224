import { coreApp } from '../../../lib/composition/core-app.js';
import { parseInput } from '../../../lib/contracts/parse.js';
import { summaryViewPathSchema } from '../../../lib/contracts/summary-views.js';
import { getSummaryView } from '../../../lib/use-cases/summary-views/definitions.js';
import { httpRoute } from '../http-route.js';
import { viewCaller } from './caller.js';

export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId, viewId } = parseInput(summaryViewPathSchema, request.pathParameters, 'path');
  return { status: 200, body: await getSummaryView(app, storeId, viewId, viewCaller(request)) };
});
