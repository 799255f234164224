import { memoryApp } from '../../lib/composition/memory-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { importMemories } from '../../lib/use-cases/long-term/export-import.js';
import { httpRoute } from './http-route.js';

/** Extension: import NDJSON in the export's format; errors per line. */
export const handler = httpRoute({ action: 'write', app: memoryApp, body: 'raw' }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  return { status: 200, body: await importMemories(app, storeId, request.rawBody ?? '') };
});
