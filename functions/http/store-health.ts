import { coreApp } from '../../lib/composition/core-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { storeHealth } from '../../lib/use-cases/health/store-health.js';
import { httpRoute } from './http-route.js';

/** Reference StoreHealth. */
export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  return { status: 200, body: await storeHealth(app, storeId) };
});
