import { memoryApp } from '../../lib/composition/memory-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { bulkCreateHeadersSchema, bulkCreateRequestSchema } from '../../lib/contracts/long-term-memory.js';
import { parseInput } from '../../lib/contracts/parse.js';
import {
  bulkCreateMemories,
  bulkCreateMemoriesIdempotently,
} from '../../lib/use-cases/long-term/bulk-create.js';
import { httpRoute } from './http-route.js';

/**
 * Reference BulkCreateLongTermMemories: 201 `{created, errors}`, partial success per item. With an
 * `Idempotency-Key` header (extension) a retry answers what the first request answered.
 */
export const handler = httpRoute({ action: 'write', app: memoryApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const { memories } = parseInput(bulkCreateRequestSchema, request.body ?? {}, 'body');
  const idempotencyKey = parseInput(
    bulkCreateHeadersSchema,
    { 'Idempotency-Key': request.header('idempotency-key') },
    'body',
  )['Idempotency-Key'];
  const body = idempotencyKey
    ? await bulkCreateMemoriesIdempotently(app, storeId, memories, idempotencyKey)
    : await bulkCreateMemories(app, storeId, memories);
  return { status: 201, body };
});
