import { memoryApp } from '../../lib/composition/memory-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { bulkCreateRequestSchema } from '../../lib/contracts/long-term-memory.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { bulkCreateMemories } from '../../lib/use-cases/long-term/bulk-create.js';
import { httpRoute } from './http-route.js';

/** Reference BulkCreateLongTermMemories: 201 `{created, errors}`, partial success per item. */
export const handler = httpRoute({ action: 'write', app: memoryApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const { memories } = parseInput(bulkCreateRequestSchema, request.body ?? {}, 'body');
  return { status: 201, body: await bulkCreateMemories(app, storeId, memories) };
});
