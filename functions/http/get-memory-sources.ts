import { memoryApp } from '../../lib/composition/memory-app.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { memorySourcesPathSchema, memorySourcesQuerySchema } from '../../lib/contracts/provenance.js';
import { getMemorySources } from '../../lib/use-cases/long-term/sources.js';
import { httpRoute } from './http-route.js';

/**
 * Extension, the managed product's Get Sources: the sessions, events and documents a memory came
 * from, with the evidence while it exists (lib/use-cases/long-term/sources.ts). 200, paged.
 */
export const handler = httpRoute({ action: 'read', app: memoryApp }, async (request, app) => {
  const { storeId, memoryId } = parseInput(memorySourcesPathSchema, request.pathParameters, 'path');
  const query = parseInput(memorySourcesQuerySchema, request.query, 'query');
  return { status: 200, body: await getMemorySources(app, storeId, memoryId, query) };
});
