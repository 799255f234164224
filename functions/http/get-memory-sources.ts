import { memoryApp } from '../../lib/composition/memory-app.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { memorySourcesPathSchema, memorySourcesQuerySchema } from '../../lib/contracts/provenance.js';
import { documentSourceResolver } from '../../lib/use-cases/documents/sources.js';
import { getMemorySources } from '../../lib/use-cases/long-term/sources.js';
import { httpRoute } from './http-route.js';

/**
 * Extension, the managed product's Get Sources: the sessions, events and documents a memory came
 * from, with the evidence while it exists (lib/use-cases/long-term/sources.ts). 200, paged.
 */
export const handler = httpRoute({ action: 'read', app: memoryApp }, async (request, app) => {
  const { storeId, memoryId } = parseInput(memorySourcesPathSchema, request.pathParameters, 'path');
  const query = parseInput(memorySourcesQuerySchema, request.query, 'query');
  // Document spans are screened with the store's exclusions, whose detectors load RE2: wired here,
  // in this route's function alone, rather than in every function that builds the memory app.
  const sourceResolvers = { ...app.sourceResolvers, documents: documentSourceResolver(app) };
  return { status: 200, body: await getMemorySources({ ...app, sourceResolvers }, storeId, memoryId, query) };
});
