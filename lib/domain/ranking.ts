import type { SearchMode, StoredMemory } from '../contracts/long-term-memory.js';

/**
 * Ranking rules of long-term search, in one place (docs/decisions/0002-retrieval.md and
 * 0009-conversation-memory.md give the measurements behind each constant).
 *
 * Hybrid: relevance = w·bm25/bm25max + (1 − w)·(cos − cosmin)/(cosmax − cosmin) over each index's
 * candidates (a record missing from a list scores 0 there; with one list empty the other counts
 * alone); then each memory gains a share of the relevance of its neighbours in the same session, in
 * the order the server gave the session's records ({@link conversationOrder}). Nothing a client
 * chooses freely (topics, `occurredAt`, the lexical order of its ids) moves a rank.
 */
export interface RankingParams {
  /** Candidates read from each index before fusion (more, when a filter leaves too few). */
  readonly depth: number;
  /** Weight of the keyword score; the rest goes to cosine similarity. */
  readonly keywordWeight: number;
  /** Share of the relevance of the session's memories 1, 2, 3… places before and after. */
  readonly contextWeights: readonly number[];
  /** Share of the best relevance among its session's candidates that every member gains. */
  readonly sessionWeight: number;
}

export const HYBRID_RANKING: RankingParams = {
  depth: 300,
  keywordWeight: 0.6,
  contextWeights: [0.4, 0.2, 0.1],
  sessionWeight: 0.2,
};

/**
 * How deep a text search reads the indexes (lib/use-cases/long-term/search.ts). It starts at
 * `overFetch` × the candidates the page needs (at least `HYBRID_RANKING.depth` in hybrid mode, for
 * fusion to see enough of both lists, and `semanticDepth` otherwise), and widens `widen`-fold while
 * filters or a similarity threshold leave too few, up to `maxCandidates` per index (the vector
 * index's own `maxTopK` caps its share). The keyword index's BM25 constants live with its adapter
 * (`BM25_K1`, `BM25_B` in lib/adapters/upstash/upstash-keyword-index.ts): they shape its scores,
 * which fusion here normalizes, not the ranking rules.
 */
export const CANDIDATE_SEARCH = {
  /** Most candidates one text search reads from each index before giving up on deeper pages. */
  maxCandidates: 2_000,
  /** First depth of a semantic or keyword search (hybrid starts at `HYBRID_RANKING.depth`). */
  semanticDepth: 30,
  overFetch: 3,
  widen: 4,
} as const;

/** Used when a request names no `searchMode` (hybrid finds far more evidence than either index alone). */
export const DEFAULT_SEARCH_MODE: SearchMode = 'hybrid';

export interface IndexHit {
  readonly id: string;
  readonly score: number;
}

export interface RankedRecord {
  readonly record: StoredMemory;
  readonly score: number;
  /** Normalized cosine similarity, when the vector index returned this record. */
  readonly similarity: number | undefined;
}

/**
 * The server's order of a record within its session: `seq` where the server assigned one (event
 * arrival for conversation records, request time and position for direct writes), else its
 * creation time. Client-chosen `occurredAt` and ids never decide it.
 */
export function conversationOrder(record: StoredMemory): number {
  return record.seq ?? record.createdAt * SEQ_PER_MS;
}

/** `seq` = server milliseconds × this + a position, so positions within one millisecond keep their order. */
export const SEQ_PER_MS = 1000;

/** Fuses the two indexes' hits over the records that passed the filter (`records`), best first. */
export function fuse(
  mode: SearchMode,
  vectorHits: readonly IndexHit[],
  keywordHits: readonly IndexHit[],
  records: ReadonlyMap<string, StoredMemory>,
  params: RankingParams = HYBRID_RANKING,
): RankedRecord[] {
  const similarity = new Map(vectorHits.map((h) => [h.id, h.score]));
  const scores = new Map<string, number>();
  if (mode === 'semantic') for (const h of vectorHits) scores.set(h.id, h.score);
  else if (mode === 'keyword') for (const h of keywordHits) scores.set(h.id, h.score);
  else {
    // Normalized over the records that pass the filter, so filtered-out records shift nothing.
    const vectors = vectorHits.filter((h) => records.has(h.id));
    const keywords = keywordHits.filter((h) => records.has(h.id) && h.score > 0);
    const keywordWeight = keywords.length === 0 ? 0 : vectors.length === 0 ? 1 : params.keywordWeight;
    const maxKeyword = Math.max(...keywords.map((h) => h.score));
    for (const h of keywords) scores.set(h.id, (keywordWeight * h.score) / maxKeyword);
    const sims = vectors.map((h) => h.score);
    const maxSim = Math.max(...sims);
    const minSim = Math.min(...sims);
    for (const h of vectors) {
      const normalized = maxSim === minSim ? 1 : (h.score - minSim) / (maxSim - minSim);
      scores.set(h.id, (scores.get(h.id) ?? 0) + (1 - keywordWeight) * normalized);
    }
  }
  const out: RankedRecord[] = [];
  for (const [id, score] of scores) {
    const record = records.get(id);
    if (record) out.push({ record, score, similarity: similarity.get(id) });
  }
  return out.sort(byScore);
}

/** Best first; ties by id only so the order is deterministic (never as a conversational order). */
export function byScore(a: RankedRecord, b: RankedRecord): number {
  return b.score - a.score || a.record.id.localeCompare(b.record.id);
}

/**
 * Hybrid's second stage, conversational context: a memory of a session gains
 * `contextWeights[d − 1]` of the relevance of the candidates d places before and after it in that
 * session ({@link conversationOrder}). An answer ("Adoption agencies.") is found through the
 * question before it. Scores are then divided by the best, so the top result scores 1.
 */
export function contextualize(
  ranked: readonly RankedRecord[],
  params: RankingParams = HYBRID_RANKING,
): RankedRecord[] {
  if (ranked.length === 0) return [];
  const relevance = new Map(ranked.map((r) => [r.record.id, r.score]));
  const bonus = new Map<string, number>();
  const sessions = new Map<string, RankedRecord[]>();
  for (const r of ranked) {
    if (r.record.sessionId === undefined) continue;
    const key = `${r.record.ownerId}\u0000${r.record.namespace?.toLowerCase() ?? ''}\u0000${r.record.sessionId}`;
    const members = sessions.get(key);
    if (members) members.push(r);
    else sessions.set(key, [r]);
  }
  const weights = params.contextWeights;
  for (const members of sessions.values()) {
    if (members.length < 2) continue;
    members.sort(
      (a, b) =>
        conversationOrder(a.record) - conversationOrder(b.record) ||
        // Same server position (records of one write that all came without one): keep fusion order.
        b.score - a.score,
    );
    const sessionBest = params.sessionWeight * Math.max(...members.map((m) => relevance.get(m.record.id)!));
    members.forEach((member, i) => {
      let gained = sessionBest;
      weights.forEach((weight, d) => {
        const before = members[i - d - 1];
        const after = members[i + d + 1];
        if (before) gained += weight * relevance.get(before.record.id)!;
        if (after) gained += weight * relevance.get(after.record.id)!;
      });
      bonus.set(member.record.id, gained);
    });
  }
  const scored = ranked.map((r) => ({ ...r, score: r.score + (bonus.get(r.record.id) ?? 0) }));
  const best = Math.max(...scored.map((r) => r.score));
  return scored.map((r) => ({ ...r, score: best > 0 ? r.score / best : 0 })).sort(byScore);
}

/**
 * final = (1 − w)·relevance + w·2^(−age/halfLife), relevance min-max normalized over the
 * candidates; `times[i]` is the time of `ranked[i]` the recency counts from.
 */
export function applyRecency(
  ranked: readonly RankedRecord[],
  times: readonly number[],
  recency: { weight: number; halfLifeDays: number },
  now: number,
): RankedRecord[] {
  const scores = ranked.map((r) => r.score);
  const max = Math.max(...scores);
  const min = Math.min(...scores);
  const halfLifeMs = recency.halfLifeDays * 86_400_000;
  return ranked
    .map((r, i) => {
      const relevance = max === min ? 1 : (r.score - min) / (max - min);
      const decay = 2 ** (-Math.max(0, now - times[i]!) / halfLifeMs);
      return { ...r, score: (1 - recency.weight) * relevance + recency.weight * decay };
    })
    .sort(byScore);
}
