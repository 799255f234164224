import { EVENT_ID_PATTERN, ID_PATTERN } from '../contracts/common.js';

/**
 * Provenance rules (docs/decisions/0015-provenance-and-idempotent-creates.md): what each of a
 * memory's `sourceRefs` points at, and how much of it the sources route reads.
 *
 * A ref is classified by its shape, in this order:
 * - `document`: `doc:<documentId>:<start>-<end>`, a character span of a submitted document
 *   (document ingestion writes these; `start` < `end`, both offsets into the document).
 * - `event`: a 32-character event id, when the memory names the session it came from (its
 *   `sessionId`). Promotion writes these (extracted memories list the events they came from,
 *   conversation records their own turn); a direct write may too.
 * - `external`: anything else a caller wrote (a URL-ish id, `session-1:event-3`, an event id on a
 *   memory without a session): kept and reported as written, never looked up.
 */
export type SourceRef =
  | { readonly kind: 'event'; readonly ref: string; readonly sessionId: string; readonly eventId: string }
  | {
      readonly kind: 'document';
      readonly ref: string;
      readonly documentId: string;
      readonly start: number;
      readonly end: number;
    }
  | { readonly kind: 'external'; readonly ref: string };

export type EventSourceRef = Extract<SourceRef, { kind: 'event' }>;
export type DocumentSourceRef = Extract<SourceRef, { kind: 'document' }>;

const DOCUMENT_REF = /^doc:([^:]{1,64}):(\d{1,10})-(\d{1,10})$/;

/** The kind of one ref of a memory whose session is `sessionId` (undefined when it has none). */
export function classifySourceRef(ref: string, sessionId: string | undefined): SourceRef {
  const doc = DOCUMENT_REF.exec(ref);
  if (doc && ID_PATTERN.test(doc[1]!)) {
    const start = Number(doc[2]);
    const end = Number(doc[3]);
    if (start < end) return { kind: 'document', ref, documentId: doc[1]!, start, end };
  }
  if (sessionId !== undefined && EVENT_ID_PATTERN.test(ref)) {
    return { kind: 'event', ref, sessionId, eventId: ref };
  }
  return { kind: 'external', ref };
}

/**
 * Where a source stands:
 * - `live`: it is still there (an event in session memory; a resolved document span).
 * - `expired`: it is gone from where it lived (the session expired or was deleted, or the event
 *   was deleted). Its conversation record may still hold the text: then `evidence` says so.
 * - `unresolved`: this service cannot look it up (external refs; `doc:` refs that name no ingested
 *   document; document refs when no document resolver is plugged in).
 */
export type SourceState = 'live' | 'expired' | 'unresolved';

/** The text a source holds, as stored (data, never instructions; never logged). */
export interface SourceEvidence {
  /** The text, cut at {@link PROVENANCE_LIMITS.evidenceChars} characters. */
  readonly text: string;
  readonly textTruncated: boolean;
  /** Where the text was read: the event itself, or its conversation record once the event is gone. */
  readonly from: 'session-memory' | 'conversation-record' | 'document';
  /** The conversation record's memory id when `from` is `conversation-record`. */
  readonly memoryId?: string;
  readonly actorId?: string;
  readonly role?: 'USER' | 'ASSISTANT' | 'SYSTEM';
  /** When it was said (RFC 3339). */
  readonly occurredAt?: string;
}

/** What a resolver answers for one ref. */
export interface SourceResolution {
  readonly state: SourceState;
  readonly evidence?: SourceEvidence;
}

export const PROVENANCE_LIMITS = {
  /**
   * Sources per page of the sources route. A memory lists at most 100 refs (the create schema and
   * consolidation's MAX_SOURCE_REFS), so one page at the maximum holds them all.
   */
  pageMax: 100,
  pageDefault: 25,
  /**
   * Evidence characters per source. An event may hold 262,144 characters; at 8,192 a full page is
   * under a megabyte of text (Lambda answers at most 6 MB) and a turn is rarely longer.
   */
  evidenceChars: 8192,
} as const;

/**
 * `text` cut at `max` UTF-16 units without splitting a surrogate pair. `knownLonger` says the text
 * was already cut before it got here (the evidence script cuts at a byte bound).
 */
export function cutEvidence(
  text: string,
  max: number,
  knownLonger = false,
): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: knownLonger };
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { text: text.slice(0, end), truncated: true };
}
