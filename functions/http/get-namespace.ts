import { coreApp } from '../../lib/composition/core-app.js';
import { namespacePathParamsSchema } from '../../lib/contracts/namespaces.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { getNamespace } from '../../lib/use-cases/namespaces/namespaces.js';
import { httpRoute } from './http-route.js';

/** Reference GetNamespace: `{namespace}` with its current path and state. */
export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId, namespaceId } = parseInput(namespacePathParamsSchema, request.pathParameters, 'path');
  return { status: 200, body: await getNamespace(app, storeId, namespaceId) };
});
