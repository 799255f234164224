import { createHash } from 'node:crypto';
import type { StoredMemory } from '../contracts/long-term-memory.js';

/**
 * Consolidation rules of promotion (docs/decisions/0004-promotion.md): how a newly extracted memory
 * relates to what is stored. Identical text (same owner, namespace and normalized text) has the same
 * id and only gains source events; a near-duplicate with overlapping wording merges the same way; a
 * similar memory of opposite polarity is superseded by the new one and kept as history. Unrelated
 * facts are never glued together.
 *
 * The similarity thresholds are on the vector port's score scale, the normalized cosine
 * (1 + cos) / 2 in [0, 1] (lib/ports/vector-index.ts `VectorHit.score`): an adapter that answered
 * raw cosine would make every threshold here mean something else.
 */

/**
 * Normalized cosine ((1 + cos) / 2) above which an extracted memory is a candidate duplicate of an
 * existing one; merged only if the wording overlaps too, so "likes sushi" never swallows
 * "dislikes sushi" (that one supersedes instead).
 */
export const NEAR_DUPLICATE_SIMILARITY = 0.95;
/**
 * Normalized cosine above which a memory of opposite polarity supersedes the stored one. Lower than
 * {@link NEAR_DUPLICATE_SIMILARITY} (0.9 is cos 0.8, 0.95 is cos 0.9) because the negation that
 * flips a statement ("no longer eats meat") also moves its embedding away from the statement it
 * contradicts, further than a paraphrase moves; at the duplicate bar most contradictions would be
 * missed. Polarity itself is the word-list heuristic {@link NEGATION}, so a lower bar cannot merge
 * two agreeing facts. Set in 0004-promotion.md; no measurement of the exact value is recorded.
 */
export const CONTRADICTION_SIMILARITY = 0.9;
/** Share of the shorter text's words the longer must contain for a near-duplicate to merge. */
export const MIN_WORD_OVERLAP = 0.5;
/**
 * Nearest memories a new one is compared with. Conversation records share the owner's index and are
 * never merged with facts, so the nearest few are often the turns the fact came from: 16 leaves room
 * for the facts behind them.
 */
export const CONSOLIDATION_NEIGHBOURS = 16;
/** Most source events one memory lists (the oldest are kept). */
export const MAX_SOURCE_REFS = 100;

/** Lower-cased letters and digits separated by single spaces: what "the same text" compares. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Words that make a statement negative; a contradiction phrased without one is not recognized. */
export const NEGATION =
  /\b(not|no longer|never|no|doesn'?t|don'?t|isn'?t|wasn'?t|dislikes?|hates?|stopped|quit|cannot|can'?t)\b/i;

export function negated(text: string): boolean {
  return NEGATION.test(text);
}

/** Words in common over the word count of the shorter text (0–1). */
export function wordOverlap(a: string, b: string): number {
  const wa = new Set(normalize(a).split(' '));
  const wb = new Set(normalize(b).split(' '));
  let common = 0;
  for (const w of wa) if (wb.has(w)) common += 1;
  return common / Math.max(1, Math.min(wa.size, wb.size));
}

/**
 * What a new memory does to one stored neighbour found at `score`: `merge` into it (a
 * near-duplicate: the neighbour gains the sources), `supersede` it (a contradiction), or nothing
 * (`unrelated`: compare the next neighbour). Superseded records and records of another memory type
 * (conversation records beside facts) are never matched.
 */
export function judgeNeighbour(
  candidate: Pick<StoredMemory, 'text' | 'memoryType'>,
  neighbour: Pick<StoredMemory, 'text' | 'memoryType' | 'supersededBy'>,
  score: number,
): 'merge' | 'supersede' | 'unrelated' {
  if (neighbour.supersededBy || neighbour.memoryType !== candidate.memoryType) return 'unrelated';
  const samePolarity = negated(neighbour.text) === negated(candidate.text);
  if (
    score >= NEAR_DUPLICATE_SIMILARITY &&
    samePolarity &&
    wordOverlap(neighbour.text, candidate.text) >= MIN_WORD_OVERLAP
  ) {
    return 'merge';
  }
  if (score >= CONTRADICTION_SIMILARITY && !samePolarity) return 'supersede';
  return 'unrelated';
}

/**
 * The id of an extracted memory: `x` + 31 hex of sha256(owner, namespace, normalized text), so the
 * same statement extracted again (a redelivery, another session) lands on the same record.
 */
export function extractedMemoryId(ownerId: string, namespace: string | undefined, text: string): string {
  return `x${createHash('sha256')
    .update(JSON.stringify([ownerId, namespace?.toLowerCase() ?? null, normalize(text)]))
    .digest('hex')
    .slice(0, 31)}`;
}

/**
 * The record with `sources` added to its source events (no duplicates, at most
 * {@link MAX_SOURCE_REFS}). Events of a session other than the record's own (`fromSessionId`) are
 * noted in `sourceSessions`, so provenance can find them where they live.
 */
export function withSources<T extends Pick<StoredMemory, 'sourceRefs' | 'sessionId' | 'sourceSessions'>>(
  record: T,
  sources: readonly string[],
  fromSessionId?: string,
): T {
  const merged = [...new Set([...(record.sourceRefs ?? []), ...sources])].slice(0, MAX_SOURCE_REFS);
  if (fromSessionId === undefined || fromSessionId === record.sessionId)
    return { ...record, sourceRefs: merged };
  const kept = new Set(merged);
  const foreign = { ...record.sourceSessions };
  for (const ref of sources)
    if (kept.has(ref) && !record.sourceRefs?.includes(ref)) foreign[ref] = fromSessionId;
  return {
    ...record,
    sourceRefs: merged,
    ...(Object.keys(foreign).length > 0 ? { sourceSessions: foreign } : {}),
  };
}
