import type { MemorySource, MemorySourcesQuery, MemorySourcesResponse } from '../../contracts/provenance.js';
import { NotFoundError } from '../../domain/errors.js';
import type { PageTokenDeps } from '../../domain/page-token.js';
import {
  classifySourceRef,
  type DocumentSourceRef,
  type EventSourceRef,
  PROVENANCE_LIMITS,
  type SourceRef,
  type SourceResolution,
} from '../../domain/provenance.js';
import type { Clock } from '../../ports/clock.js';
import type { MemoryRecords } from '../../ports/memory-record-store.js';
import type { SourceResolvers } from '../../ports/source-resolver.js';

export interface MemorySourcesDeps extends PageTokenDeps {
  readonly records: Pick<MemoryRecords, 'getMany'>;
  readonly sourceResolvers: SourceResolvers;
  readonly clock: Clock;
}

/**
 * Where a memory came from (extension, the managed product's Get Sources): its `sourceRefs`
 * classified by kind (lib/domain/provenance.ts), a page at a time, each with its state and, while
 * it exists, its evidence text; and every session its events came from with whether it still
 * lives. Two round trips: the record, then one resolver call per ref kind on the page (events: one
 * script; documents: the plugged-in resolver's own). Evidence is stored text: returned as data,
 * never logged.
 */
export async function getMemorySources(
  deps: MemorySourcesDeps,
  storeId: string,
  memoryId: string,
  query: MemorySourcesQuery,
): Promise<MemorySourcesResponse> {
  const now = deps.clock.now();
  const [record] = await deps.records.getMany(storeId, [memoryId], now);
  if (!record) throw new NotFoundError('Memory not found');

  // A merged memory names the session of each event brought in from another one.
  const refs = (record.sourceRefs ?? []).map((ref) =>
    classifySourceRef(ref, record.sourceSessions?.[ref] ?? record.sessionId),
  );
  // Bound to the memory: a token of another memory's (or store's) sources is a 400.
  const scope = `sources\n${storeId}\n${memoryId}`;
  const offset = query.pageToken ? deps.pageTokens.decode(query.pageToken, scope) : 0;
  const page = refs.slice(offset, offset + query.limit);
  const options = { now, maxEvidenceChars: PROVENANCE_LIMITS.evidenceChars };

  const events = page.filter((r): r is EventSourceRef => r.kind === 'event');
  const documents = page.filter((r): r is DocumentSourceRef => r.kind === 'document');
  const sessionIds = [...new Set(refs.flatMap((r) => (r.kind === 'event' ? [r.sessionId] : [])))];
  const { documents: documentResolver } = deps.sourceResolvers;
  const [eventAnswer, documentAnswer] = await Promise.all([
    events.length > 0 || sessionIds.length > 0
      ? deps.sourceResolvers.events.resolveEvents(storeId, { ...options, events, sessionIds })
      : { events: [], liveSessionIds: new Set<string>() },
    documentResolver && documents.length > 0
      ? documentResolver.resolveDocuments(storeId, documents, options)
      : [],
  ]);

  const resolved = new Map<SourceRef, SourceResolution>([
    ...events.map((ref, i) => [ref, eventAnswer.events[i] ?? { state: 'expired' }] as const),
    ...documents.map((ref, i) => [ref, documentAnswer[i] ?? { state: 'unresolved' }] as const),
  ]);

  const next = offset + page.length;
  return {
    memoryId,
    sessions: sessionIds.map((sessionId) => ({
      sessionId,
      state: eventAnswer.liveSessionIds.has(sessionId) ? 'live' : 'expired',
    })),
    sources: page.map((ref) => toSource(ref, resolved.get(ref))),
    totalSources: refs.length,
    ...(next < refs.length ? { nextPageToken: deps.pageTokens.encode(scope, next) } : {}),
  };
}

function toSource(ref: SourceRef, resolution: SourceResolution | undefined): MemorySource {
  const state = resolution?.state ?? 'unresolved';
  const evidence = resolution?.evidence ? { evidence: resolution.evidence } : {};
  switch (ref.kind) {
    case 'event':
      return {
        kind: 'event',
        ref: ref.ref,
        sessionId: ref.sessionId,
        eventId: ref.eventId,
        state,
        ...evidence,
      };
    case 'document':
      return {
        kind: 'document',
        ref: ref.ref,
        documentId: ref.documentId,
        span: { start: ref.start, end: ref.end },
        state,
        ...evidence,
      };
    case 'external':
      return { kind: 'external', ref: ref.ref, state: 'unresolved' };
  }
}
