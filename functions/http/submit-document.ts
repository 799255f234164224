import { memoryApp } from '../../lib/composition/memory-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { submitDocumentRequestSchema } from '../../lib/contracts/documents.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { submitDocument } from '../../lib/use-cases/documents/submit.js';
import { httpRoute } from './http-route.js';

/** Extension (MemoryETL): store a document and queue its ingestion; 202 with its id (the same id for the same text). */
export const handler = httpRoute({ action: 'write', app: memoryApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const body = parseInput(submitDocumentRequestSchema, request.body ?? {}, 'body');
  return { status: 202, body: await submitDocument(app, storeId, body) };
});
