import { handler as createNamespace } from './create-namespace.js';
import { handler as deleteNamespace } from './delete-namespace.js';
import { handler as getNamespace } from './get-namespace.js';
import { handler as listNamespaces } from './list-namespaces.js';
import { routeByOperation } from './route-by-operation.js';
import { handler as updateNamespace } from './update-namespace.js';

/** The namespace routes: one function, each route handled by its own module (functions/catalog.ts). */
export const handler = routeByOperation('namespaces', {
  'create-namespace': createNamespace,
  'list-namespaces': listNamespaces,
  'get-namespace': getNamespace,
  'update-namespace': updateNamespace,
  'delete-namespace': deleteNamespace,
});
