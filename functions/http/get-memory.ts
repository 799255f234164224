import { memoryApp } from '../../lib/composition/memory-app.js';
import { memoryPathSchema } from '../../lib/contracts/long-term-memory.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { getMemory } from '../../lib/use-cases/long-term/get.js';
import { httpRoute } from './http-route.js';

/** Reference GetLongTermMemory. */
export const handler = httpRoute({ action: 'read', app: memoryApp }, async (request, app) => {
  const { storeId, memoryId } = parseInput(memoryPathSchema, request.pathParameters, 'path');
  return { status: 200, body: await getMemory(app, storeId, memoryId) };
});
