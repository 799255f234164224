import { coreApp } from '../../../lib/composition/core-app.js';
import { parseInput } from '../../../lib/contracts/parse.js';
import { summaryViewPathSchema } from '../../../lib/contracts/summary-views.js';
import { deleteSummaryView } from '../../../lib/use-cases/summary-views/definitions.js';
import { httpRoute } from '../http-route.js';
import { viewCaller } from './caller.js';

/** Deletes the view with its partitions (never the memories it summarizes). */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId, viewId } = parseInput(summaryViewPathSchema, request.pathParameters, 'path');
  await deleteSummaryView(app, storeId, viewId, viewCaller(request));
  return { status: 204 };
});
