import { memoryApp } from '../../lib/composition/memory-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { moveMemoriesRequestSchema } from '../../lib/contracts/namespaces.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { moveMemories } from '../../lib/use-cases/long-term/move.js';
import { httpRoute } from './http-route.js';

/** Reference MoveLongTermMemories: `{memoryIds, namespaceRef}` → 200 `{moved, errors}`. */
export const handler = httpRoute({ action: 'write', app: memoryApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const { memoryIds, namespaceRef } = parseInput(moveMemoriesRequestSchema, request.body ?? {}, 'body');
  return { status: 200, body: await moveMemories(app, storeId, memoryIds, namespaceRef.namespaceId) };
});
