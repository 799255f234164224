import type { StoredMemory } from '../../contracts/long-term-memory.js';
import { DOCUMENT_REF_PREFIX } from '../../domain/documents/document-refs.js';
import { NotFoundError } from '../../domain/errors.js';
import type { DocumentStore } from '../../ports/document-store.js';
import type { StoreLookup } from '../../ports/registry.js';
import { deleteIndexedRecords, type IndexingDeps } from '../long-term/indexing.js';
import { requireStore } from '../shared/require-store.js';

export interface DeleteDocumentDeps
  extends Pick<IndexingDeps, 'records' | 'vectors' | 'keywords' | 'clock' | 'logger'> {
  readonly stores: StoreLookup;
  readonly documents: DocumentStore;
}

/**
 * Deletes a document and the memories it wrote, from the records and both search indexes (as DELETE
 * of a memory does). Memories that existed before and only gained this document as a source keep
 * living, without its references. A chunk the pipeline finishes after this call finds the document
 * gone and deletes what it wrote (ingest.ts).
 */
export async function deleteDocument(
  deps: DeleteDocumentDeps,
  storeId: string,
  documentId: string,
): Promise<{ documentId: string; deletedMemories: number }> {
  await requireStore(deps, storeId);
  const document = await deps.documents.getDocument(storeId, documentId);
  if (!document) throw new NotFoundError('Document not found');
  const results = await deps.documents.chunkResults(storeId, documentId);
  const created = [...new Set([...results.values()].flatMap((r) => r.created))];
  const merged = [...new Set([...results.values()].flatMap((r) => r.merged))].filter(
    (id) => !created.includes(id),
  );
  // The record goes first: a chunk still running sees it gone and cleans up after itself.
  await deps.documents.deleteDocument(storeId, documentId);
  const deleted = created.length > 0 ? await deleteIndexedRecords(deps, storeId, created) : new Set<string>();
  await dropReferences(deps, storeId, merged, `${DOCUMENT_REF_PREFIX}${documentId}:`);
  return { documentId, deletedMemories: deleted.size };
}

/** Removes a document's references from memories it merged into (compare-and-set; a lost race keeps one). */
async function dropReferences(
  deps: DeleteDocumentDeps,
  storeId: string,
  ids: readonly string[],
  prefix: string,
): Promise<void> {
  if (ids.length === 0) return;
  const now = deps.clock.now();
  const records = await deps.records.getMany(storeId, ids, now);
  for (const record of records) {
    if (!record) continue;
    const kept = (record.sourceRefs ?? []).filter((ref) => !ref.startsWith(prefix));
    if (kept.length === (record.sourceRefs ?? []).length) continue;
    const next: StoredMemory = {
      ...record,
      sourceRefs: kept,
      updatedAt: Math.max(now, record.updatedAt + 1),
    };
    const outcome = await deps.records.replace(storeId, next, record.updatedAt);
    if (outcome === 'conflict') deps.logger.info('document reference removal lost a race', { storeId });
  }
}
