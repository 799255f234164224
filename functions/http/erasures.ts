import { handler as eraseOwner } from './erase-owner.js';
import { handler as getErasure } from './get-erasure.js';
import { routeByOperation } from './route-by-operation.js';

/** The erasure routes: one function, each route handled by its own module (functions/catalog.ts). */
export const handler = routeByOperation('erasures', {
  'erase-owner': eraseOwner,
  'get-erasure': getErasure,
});
