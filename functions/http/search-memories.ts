import { memoryApp } from '../../lib/composition/memory-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { searchRequestSchema } from '../../lib/contracts/long-term-memory.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { searchMemories } from '../../lib/use-cases/long-term/search.js';
import { httpRoute } from './http-route.js';

/** Reference SearchLongTermMemory (body optional), plus opt-in `searchMode`, `includeScores`, `recency`. */
export const handler = httpRoute({ action: 'read', app: memoryApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const body = parseInput(searchRequestSchema, request.body ?? {}, 'body');
  return { status: 200, body: await searchMemories(app, storeId, body) };
});
