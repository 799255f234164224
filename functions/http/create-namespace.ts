import { coreApp } from '../../lib/composition/core-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { createNamespaceRequestSchema } from '../../lib/contracts/namespaces.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { createNamespace } from '../../lib/use-cases/namespaces/namespaces.js';
import { httpRoute } from './http-route.js';

/** Reference CreateNamespace: 201 `{namespace}`; 409 when the location is taken (archived or not). */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const body = parseInput(createNamespaceRequestSchema, request.body ?? {}, 'body');
  return { status: 201, body: await createNamespace(app, storeId, body) };
});
