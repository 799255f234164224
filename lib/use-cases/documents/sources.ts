import { parseDocumentSourceRef } from '../../domain/documents/document-refs.js';
import type { SourceResolution } from '../../domain/provenance.js';
import { createExclusionFilter } from '../../domain/sensitive-data.js';
import type { DocumentStore } from '../../ports/document-store.js';
import type { StoreLookup } from '../../ports/registry.js';
import type { DocumentSourceResolver } from '../../ports/source-resolver.js';

/**
 * What a `doc:` source reference points at, for the provenance route
 * (`GET …/long-term-memory/{memoryId}/sources`): the document, its title and metadata, the span and
 * the span's text while the document exists; `deleted: true` once it does not. Undefined for a
 * reference that is not a document span (an event id, a caller's own reference).
 */
export type DocumentSource =
  | {
      readonly kind: 'document';
      readonly documentId: string;
      readonly deleted: false;
      readonly title?: string;
      readonly metadata?: Readonly<Record<string, unknown>>;
      readonly extractorId: string;
      readonly span: { readonly start: number; readonly end: number };
      /**
       * The span's text (the evidence), under the store's sensitive-data exclusions as the model read
       * it: redacted matches; absent (`withheld`) where a `drop` detector fired.
       */
      readonly text?: string;
      readonly withheld?: true;
    }
  | {
      readonly kind: 'document';
      readonly documentId: string;
      readonly deleted: true;
      readonly span: { readonly start: number; readonly end: number };
    };

/**
 * Resolves one reference of a memory of `storeId`. The store comes from the caller's authorized
 * path, and documents are read inside that store's keyspace only, so a reference naming another
 * store's document resolves as `deleted` (it does not exist here), never to its text.
 */
export async function resolveDocumentSource(
  deps: { readonly documents: DocumentStore; readonly stores: StoreLookup },
  storeId: string,
  ref: string,
): Promise<DocumentSource | undefined> {
  const parsed = parseDocumentSourceRef(ref);
  if (!parsed) return undefined;
  const span = { start: parsed.start, end: parsed.end };
  const document = await deps.documents.getDocument(storeId, parsed.documentId);
  const text =
    document && (await deps.documents.getSpan(storeId, parsed.documentId, parsed.start, parsed.end));
  const store = await deps.stores.getStore(storeId);
  if (!store || !document || text === undefined || parsed.end > document.characters) {
    return { kind: 'document', documentId: parsed.documentId, deleted: true, span };
  }
  const screened = createExclusionFilter(store.config.longTermMemoryExclusions)(text);
  return {
    kind: 'document',
    documentId: parsed.documentId,
    deleted: false,
    ...(document.title ? { title: document.title } : {}),
    ...(document.metadata ? { metadata: document.metadata } : {}),
    extractorId: document.extractorId,
    span,
    ...(screened.text === undefined ? { withheld: true as const } : { text: screened.text }),
  };
}

/**
 * The sources route's resolver for `doc:` refs (lib/ports/source-resolver.ts), built on
 * {@link resolveDocumentSource}: a span of a document that still exists is `live` with the span's
 * text as evidence (after the store's exclusions: a dropped span has no evidence), a deleted
 * document's span is `expired`, and a `doc:` ref that names no ingested document's id is
 * `unresolved`, like any caller's reference. The refs are resolved together, so their reads share requests.
 */
export function documentSourceResolver(deps: {
  readonly documents: DocumentStore;
  readonly stores: StoreLookup;
}): DocumentSourceResolver {
  return {
    resolveDocuments: (storeId, refs, options) =>
      Promise.all(
        refs.map(async (ref): Promise<SourceResolution> => {
          const source = await resolveDocumentSource(deps, storeId, ref.ref);
          // Not a span of an ingested document (a caller's own `doc:` reference): not looked up.
          if (!source) return { state: 'unresolved' };
          if (source.deleted) return { state: 'expired' };
          if (source.text === undefined) return { state: 'live' };
          const textTruncated = source.text.length > options.maxEvidenceChars;
          return {
            state: 'live',
            evidence: {
              text: textTruncated ? source.text.slice(0, options.maxEvidenceChars) : source.text,
              textTruncated,
              from: 'document',
            },
          };
        }),
      ),
  };
}
