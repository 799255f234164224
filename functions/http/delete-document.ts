import { memoryApp } from '../../lib/composition/memory-app.js';
import { documentPathSchema } from '../../lib/contracts/documents.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { deleteDocument } from '../../lib/use-cases/documents/delete.js';
import { httpRoute } from './http-route.js';

/** Extension (MemoryETL): delete a document and the memories it wrote (records and both indexes). */
export const handler = httpRoute({ action: 'write', app: memoryApp }, async (request, app) => {
  const { storeId, documentId } = parseInput(documentPathSchema, request.pathParameters, 'path');
  return { status: 200, body: await deleteDocument(app, storeId, documentId) };
});
