import { handler as exportMemories } from './export-memories.js';
import { handler as importMemories } from './import-memories.js';
import { routeByOperation } from './route-by-operation.js';

/** Export and import of long-term memories: one function, each route handled by its own module (functions/catalog.ts). */
export const handler = routeByOperation('memory-transfer', {
  'export-memories': exportMemories,
  'import-memories': importMemories,
});
