import { coreApp } from '../../../lib/composition/core-app.js';
import { storePathSchema } from '../../../lib/contracts/common.js';
import { parseInput } from '../../../lib/contracts/parse.js';
import { createSummaryViewRequestSchema } from '../../../lib/contracts/summary-views.js';
import { createSummaryView } from '../../../lib/use-cases/summary-views/definitions.js';
import { httpRoute } from '../http-route.js';
import { viewCaller } from './caller.js';

/** Creates a summary view owned by the caller's key (decision record 0020). */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const body = parseInput(createSummaryViewRequestSchema, request.body ?? {}, 'body');
  return { status: 201, body: await createSummaryView(app, storeId, viewCaller(request), body) };
});
