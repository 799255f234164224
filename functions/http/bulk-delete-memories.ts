import { memoryApp } from '../../lib/composition/memory-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { bulkDeleteRequestSchema } from '../../lib/contracts/long-term-memory.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { bulkDeleteMemories } from '../../lib/use-cases/long-term/bulk-delete.js';
import { httpRoute } from './http-route.js';

/** Reference BulkDeleteLongTermMemories: JSON body `{memoryIds}`, 200 `{deleted, errors}`. */
export const handler = httpRoute({ action: 'write', app: memoryApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const { memoryIds } = parseInput(bulkDeleteRequestSchema, request.body ?? {}, 'body');
  return { status: 200, body: await bulkDeleteMemories(app, storeId, memoryIds) };
});
