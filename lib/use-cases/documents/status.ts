import type { ChunkResult, DocumentStatus, StoredDocument } from '../../contracts/documents.js';
import { NotFoundError } from '../../domain/errors.js';
import type { DocumentStore } from '../../ports/document-store.js';
import type { StoreLookup } from '../../ports/registry.js';
import { requireStore } from '../shared/require-store.js';

/** A document's state, counts (chunks, memories, tokens) and per-chunk errors; 404 when it does not exist. */
export async function getDocumentStatus(
  deps: { readonly stores: StoreLookup; readonly documents: DocumentStore },
  storeId: string,
  documentId: string,
): Promise<DocumentStatus> {
  await requireStore(deps, storeId);
  const document = await deps.documents.getDocument(storeId, documentId);
  if (!document) throw new NotFoundError('Document not found');
  return documentStatus(document, await deps.documents.chunkResults(storeId, documentId));
}

export function documentStatus(
  document: StoredDocument,
  results: ReadonlyMap<number, ChunkResult>,
): DocumentStatus {
  let done = 0;
  let failed = 0;
  let created = 0;
  let merged = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  const errors: DocumentStatus['errors'] = [];
  for (const [index, span] of document.chunks.entries()) {
    const result = results.get(index);
    if (!result) continue;
    inputTokens += result.inputTokens;
    outputTokens += result.outputTokens;
    if (result.ok) {
      done += 1;
      created += result.created.length;
      merged += result.merged.length;
    } else {
      failed += 1;
      errors.push({
        chunk: index,
        start: span.start,
        end: span.end,
        code: result.error?.code ?? 'unknown',
        message: result.error?.message ?? 'the chunk could not be extracted',
      });
    }
  }
  return {
    documentId: document.documentId,
    status: document.status,
    extractorId: document.extractorId,
    ownerId: document.ownerId,
    ...(document.namespace ? { namespace: document.namespace } : {}),
    ...(document.title ? { title: document.title } : {}),
    format: document.format,
    ...(document.metadata ? { metadata: document.metadata } : {}),
    contentHash: document.contentHash,
    characters: document.characters,
    chunks: { total: document.chunks.length, done, failed, pending: document.chunks.length - done - failed },
    memories: { created, merged },
    usage: { inputTokens, outputTokens },
    errors,
    createdAt: new Date(document.createdAt).toISOString(),
    updatedAt: new Date(document.updatedAt).toISOString(),
  };
}
