import { memoryApp } from '../../lib/composition/memory-app.js';
import { documentPathSchema } from '../../lib/contracts/documents.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { getDocumentStatus } from '../../lib/use-cases/documents/status.js';
import { httpRoute } from './http-route.js';

/** Extension (MemoryETL): a document's ingestion status, counts and per-chunk errors. */
export const handler = httpRoute({ action: 'read', app: memoryApp }, async (request, app) => {
  const { storeId, documentId } = parseInput(documentPathSchema, request.pathParameters, 'path');
  return { status: 200, body: await getDocumentStatus(app, storeId, documentId) };
});
