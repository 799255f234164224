import { coreApp } from '../../../lib/composition/core-app.js';
import { parseInput } from '../../../lib/contracts/parse.js';
import {
  summaryViewPathSchema,
  updateSummaryViewRequestSchema,
} from '../../../lib/contracts/summary-views.js';
import { updateSummaryView } from '../../../lib/use-cases/summary-views/definitions.js';
import { httpRoute } from '../http-route.js';
import { viewCaller } from './caller.js';

export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId, viewId } = parseInput(summaryViewPathSchema, request.pathParameters, 'path');
  const body = parseInput(updateSummaryViewRequestSchema, request.body ?? {}, 'body');
  return { status: 200, body: await updateSummaryView(app, storeId, viewId, viewCaller(request), body) };
});
