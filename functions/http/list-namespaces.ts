import { coreApp } from '../../lib/composition/core-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { listNamespacesQuerySchema } from '../../lib/contracts/namespaces.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { listNamespaces } from '../../lib/use-cases/namespaces/namespaces.js';
import { httpRoute } from './http-route.js';

/** Reference ListNamespaces: roots (`scope`, `ownerId`) or children (`parentId`), paged. */
export const handler = httpRoute({ action: 'read', app: coreApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const query = parseInput(listNamespacesQuerySchema, request.query, 'query');
  return { status: 200, body: await listNamespaces(app, storeId, query) };
});
