import { coreApp } from '../../lib/composition/core-app.js';
import { erasureView, ownerPathSchema } from '../../lib/contracts/erasure.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { startOwnerErase } from '../../lib/use-cases/erasure/jobs.js';
import { httpRoute } from './http-route.js';

/** Extension: start erasing everything of one owner (202 with the job; GetErasure follows it). */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId, ownerId } = parseInput(ownerPathSchema, request.pathParameters, 'path');
  return { status: 202, body: erasureView(await startOwnerErase(app, storeId, ownerId)) };
});
