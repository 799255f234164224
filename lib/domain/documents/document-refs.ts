import { createHash } from 'node:crypto';

/**
 * Identity of ingested documents and of what they produce (docs/decisions/0021-document-ingestion.md):
 * - a document's id derives from its store, owner and content hash, so resubmitting the same text
 *   finds the same document (the store's by-hash index makes that atomic);
 * - a memory's id derives from its document, chunk and position in the chunk's extraction, so a
 *   chunk redelivered after a crash writes the same ids again instead of new memories;
 * - a memory's source reference is `doc:<documentId>:<start>-<end>`, the character span of its chunk
 *   in the submitted text (the `sourceRefs` pattern ^[A-Za-z0-9:._-]+$, at most 128 characters:
 *   4 + 32 + 1 + two numbers of at most 7 digits fits).
 */

export const DOCUMENT_REF_PREFIX = 'doc:';

/** sha256 of the submitted text, hex: what "the same document" compares. */
export function documentContentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `d` + 31 hex: stable per store, owner and content (the index key holds the same three). */
export function documentIdFor(storeId: string, ownerId: string, contentHash: string): string {
  return `d${createHash('sha256')
    .update(JSON.stringify([storeId, ownerId, contentHash]))
    .digest('hex')
    .slice(0, 31)}`;
}

/** `m` + 31 hex, from the document, the chunk and the memory's position in that chunk's extraction. */
export function documentMemoryId(documentId: string, chunkIndex: number, position: number): string {
  return `m${createHash('sha256')
    .update(JSON.stringify([documentId, chunkIndex, position]))
    .digest('hex')
    .slice(0, 31)}`;
}

export function documentSourceRef(documentId: string, start: number, end: number): string {
  return `${DOCUMENT_REF_PREFIX}${documentId}:${start}-${end}`;
}

export interface DocumentSpanRef {
  readonly documentId: string;
  readonly start: number;
  readonly end: number;
}

const REF = /^doc:(d[0-9a-f]{31}):(\d{1,9})-(\d{1,9})$/;

/** The parts of a `doc:` reference, or undefined when `ref` is not one (an event id, a caller's reference). */
export function parseDocumentSourceRef(ref: string): DocumentSpanRef | undefined {
  const match = REF.exec(ref);
  if (!match) return undefined;
  const start = Number(match[2]);
  const end = Number(match[3]);
  return end > start ? { documentId: match[1]!, start, end } : undefined;
}

/** Whether a record came from a document (summary views leave such records out). */
export function isDocumentRecord(record: { readonly sourceRefs?: readonly string[] }): boolean {
  return (record.sourceRefs ?? []).some((ref) => ref.startsWith(DOCUMENT_REF_PREFIX));
}
