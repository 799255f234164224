import { coreApp } from '../../lib/composition/core-app.js';
import { namespacePathParamsSchema, updateNamespaceRequestSchema } from '../../lib/contracts/namespaces.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { updateNamespace } from '../../lib/use-cases/namespaces/namespaces.js';
import { httpRoute } from './http-route.js';

/** Reference UpdateNamespace: rename by `name`, archive by `state: "ARCHIVED"` (no unarchive). */
export const handler = httpRoute({ action: 'write', app: coreApp }, async (request, app) => {
  const { storeId, namespaceId } = parseInput(namespacePathParamsSchema, request.pathParameters, 'path');
  const body = parseInput(updateNamespaceRequestSchema, request.body ?? {}, 'body');
  return { status: 200, body: await updateNamespace(app, storeId, namespaceId, body) };
});
