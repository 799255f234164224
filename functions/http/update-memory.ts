import { memoryApp } from '../../lib/composition/memory-app.js';
import { memoryPathSchema, updateMemoryRequestSchema } from '../../lib/contracts/long-term-memory.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { updateMemory } from '../../lib/use-cases/long-term/update.js';
import { httpRoute } from './http-route.js';

/** Reference UpdateLongTermMemory: partial update, returns the record. */
export const handler = httpRoute({ action: 'write', app: memoryApp }, async (request, app) => {
  const { storeId, memoryId } = parseInput(memoryPathSchema, request.pathParameters, 'path');
  const patch = parseInput(updateMemoryRequestSchema, request.body ?? {}, 'body');
  return { status: 200, body: await updateMemory(app, storeId, memoryId, patch) };
});
