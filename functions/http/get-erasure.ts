import { coreApp } from '../../lib/composition/core-app.js';
import { erasurePathSchema, erasureView } from '../../lib/contracts/erasure.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { getErasure } from '../../lib/use-cases/erasure/jobs.js';
import { httpRoute } from './http-route.js';

/** Extension: an owner erasure's progress (phase, counts, state). */
export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId, jobId } = parseInput(erasurePathSchema, request.pathParameters, 'path');
  return { status: 200, body: erasureView(await getErasure(app, storeId, jobId)) };
});
