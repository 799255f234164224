import {
  DOCUMENT_LIMITS,
  type DocumentStatus,
  type StoredDocument,
  type SubmitDocumentRequest,
} from '../../contracts/documents.js';
import { chunkDocument } from '../../domain/documents/chunks.js';
import { documentContentHash, documentIdFor } from '../../domain/documents/document-refs.js';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { DocumentQueue, DocumentStore, ExtractorStore } from '../../ports/document-store.js';
import type { StoreLookup } from '../../ports/registry.js';
import { requireStore } from '../shared/require-store.js';

/**
 * Document ingestion's data-plane side (docs/decisions/0021-document-ingestion.md): submit (202 and
 * a job on the document queue), status, delete. The pipeline is ingest.ts; provenance sources.ts.
 */
export interface DocumentDeps {
  readonly stores: StoreLookup;
  readonly extractors: ExtractorStore;
  readonly documents: DocumentStore;
  readonly clock: Clock;
}

export interface SubmitDeps extends DocumentDeps {
  readonly documentQueue: DocumentQueue;
}

export interface SubmitOutcome {
  readonly documentId: string;
  readonly status: DocumentStatus['status'];
  readonly duplicate: boolean;
  readonly chunks: number;
}

/**
 * Stores the document and queues its ingestion. The same text from the same owner is the same
 * document (its id derives from store, owner and content hash): a resubmission answers that
 * document's id and state; one still `pending` (its job may have been lost) or `failed` (its failed
 * chunks are retried, done ones kept) is queued again.
 */
export async function submitDocument(
  deps: SubmitDeps,
  storeId: string,
  request: SubmitDocumentRequest,
): Promise<SubmitOutcome> {
  await requireStore(deps, storeId);
  checkSizes(request);
  const extractor = await deps.extractors.getExtractor(storeId, request.extractorId);
  if (!extractor) {
    throw new ValidationError('The extractor does not exist in this store', [
      { field: 'extractorId', rule: 'exists', message: 'must name an extractor of this store' },
    ]);
  }
  const chunks = chunkDocument(request.text, request.format);
  if (chunks.length === 0) {
    throw new ValidationError('The document has no text', [
      { field: 'text', rule: 'notBlank', message: 'must contain text, not only whitespace or markup' },
    ]);
  }
  if (chunks.length > DOCUMENT_LIMITS.chunks) {
    throw new PayloadTooLargeError(`The document splits into more than ${DOCUMENT_LIMITS.chunks} chunks`, [
      {
        field: 'text',
        rule: 'maxChunks',
        message: `must split into at most ${DOCUMENT_LIMITS.chunks} chunks`,
      },
    ]);
  }
  const contentHash = documentContentHash(request.text);
  const documentId = documentIdFor(storeId, request.ownerId, contentHash);
  const now = deps.clock.now();
  const document: StoredDocument = {
    documentId,
    extractorId: extractor.extractorId,
    ownerId: request.ownerId,
    ...(request.namespace ? { namespace: request.namespace } : {}),
    ...(request.title ? { title: request.title } : {}),
    format: request.format,
    ...(request.metadata ? { metadata: request.metadata } : {}),
    contentHash,
    characters: request.text.length,
    chunks: chunks.map((c) => ({ start: c.start, end: c.end, headings: [...c.headings] })),
    status: 'pending',
    createdAt: now,
    updatedAt: now,
  };
  const outcome = await deps.documents.createDocument(storeId, document, request.text);
  if (outcome === 'created') {
    await deps.documentQueue.enqueue(storeId, documentId);
    return { documentId, status: 'pending', duplicate: false, chunks: chunks.length };
  }
  const existing = await deps.documents.getDocument(storeId, documentId);
  // Deleted between the two calls: the caller may submit again.
  if (!existing) throw new NotFoundError('Document not found');
  let status = existing.status;
  if (status === 'failed') {
    status = 'pending';
    await deps.documents.saveDocument(storeId, {
      ...existing,
      status,
      updatedAt: Math.max(now, existing.updatedAt + 1),
    });
  }
  if (status === 'pending') await deps.documentQueue.enqueue(storeId, documentId);
  return { documentId, status, duplicate: true, chunks: existing.chunks.length };
}

function checkSizes(request: SubmitDocumentRequest): void {
  if (Buffer.byteLength(request.text, 'utf8') > DOCUMENT_LIMITS.textBytes) {
    throw new PayloadTooLargeError(`The document exceeds ${DOCUMENT_LIMITS.textBytes} bytes`, [
      {
        field: 'text',
        rule: 'maxBytes',
        message: `must be at most ${DOCUMENT_LIMITS.textBytes} bytes of UTF-8`,
      },
    ]);
  }
  if (
    request.metadata &&
    Buffer.byteLength(JSON.stringify(request.metadata), 'utf8') > DOCUMENT_LIMITS.metadataBytes
  ) {
    throw new PayloadTooLargeError(`The metadata exceeds ${DOCUMENT_LIMITS.metadataBytes} bytes`, [
      {
        field: 'metadata',
        rule: 'maxBytes',
        message: `must be at most ${DOCUMENT_LIMITS.metadataBytes} bytes serialized`,
      },
    ]);
  }
}
