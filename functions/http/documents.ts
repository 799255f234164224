import { handler as deleteDocument } from './delete-document.js';
import { handler as getDocument } from './get-document.js';
import { routeByOperation } from './route-by-operation.js';
import { handler as submitDocument } from './submit-document.js';

/** The document routes: one function, each route handled by its own module (functions/catalog.ts). */
export const handler = routeByOperation('documents', {
  'submit-document': submitDocument,
  'get-document': getDocument,
  'delete-document': deleteDocument,
});
