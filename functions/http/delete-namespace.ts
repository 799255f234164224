import { coreApp } from '../../lib/composition/core-app.js';
import { namespacePathParamsSchema } from '../../lib/contracts/namespaces.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { deleteNamespace } from '../../lib/use-cases/namespaces/namespaces.js';
import { httpRoute } from './http-route.js';

/** Reference DeleteNamespace: 204; 409 unless it is an empty leaf. */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId, namespaceId } = parseInput(namespacePathParamsSchema, request.pathParameters, 'path');
  await deleteNamespace(app, storeId, namespaceId);
  return { status: 204 };
});
