import { memoryApp } from '../../lib/composition/memory-app.js';
import { memoryPathSchema, updateMemoryFieldsRequestSchema } from '../../lib/contracts/long-term-memory.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { updateMemoryFields } from '../../lib/use-cases/long-term/update.js';
import { httpRoute } from './http-route.js';

/** Reference UpdateLongTermMemoryFields: atomic check-and-write; 409 on type or namespace mismatch. */
export const handler = httpRoute({ action: 'write', app: memoryApp }, async (request, app) => {
  const { storeId, memoryId } = parseInput(memoryPathSchema, request.pathParameters, 'path');
  const body = parseInput(updateMemoryFieldsRequestSchema, request.body ?? {}, 'body');
  return { status: 200, body: await updateMemoryFields(app, storeId, memoryId, body) };
});
