import type { DocumentSourceRef, EventSourceRef, SourceResolution } from '../domain/provenance.js';

/** How much a resolver reads for one call. */
export interface ResolveOptions {
  /** Server time (ms): records past their TTL count as gone. */
  readonly now: number;
  /** Evidence characters per source; longer texts are cut (`textTruncated`). */
  readonly maxEvidenceChars: number;
}

/**
 * Resolves a memory's event sources: each event's text while it is in session memory, else the
 * text of its conversation record while that exists; and which sessions are still live. One round
 * trip per call, whatever the number of refs.
 */
export interface EventSourceResolver {
  resolveEvents(
    storeId: string,
    request: ResolveOptions & {
      readonly events: readonly EventSourceRef[];
      /** Sessions whose liveness to report (all the memory's sessions, not only this page's). */
      readonly sessionIds: readonly string[];
    },
  ): Promise<{ readonly events: readonly SourceResolution[]; readonly liveSessionIds: ReadonlySet<string> }>;
}

/**
 * Resolves `doc:<documentId>:<start>-<end>` refs to their document spans. Document ingestion plugs
 * one in; without one, document refs are reported `unresolved`. One answer per ref, in order.
 */
export interface DocumentSourceResolver {
  resolveDocuments(
    storeId: string,
    refs: readonly DocumentSourceRef[],
    options: ResolveOptions,
  ): Promise<readonly SourceResolution[]>;
}

/** The resolvers of the sources route, by ref kind (external refs are never looked up). */
export interface SourceResolvers {
  readonly events: EventSourceResolver;
  readonly documents?: DocumentSourceResolver;
}
