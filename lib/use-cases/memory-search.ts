import type {
  MemoryRecordView,
  SearchMode,
  SearchRequest,
  StoredMemory,
} from '../contracts/long-term-memory.js';
import { assertAttributeFilterFits, matchesFilter, partitionCouldMatch } from '../domain/memory-filter.js';
import type { PageTokenDeps } from '../domain/page-token.js';
import { tokenize } from '../domain/text/tokenizer.js';
import type { VectorPartition } from '../ports/vector-index.js';
import { embedQueryText, type MemoryDeps, requireStore, toView } from './memory-records.js';

/**
 * Used when a request names no `searchMode`: hybrid finds far more of the evidence than either index
 * alone (docs/decisions/0002-retrieval.md: LoCoMo turn recall@10 0.61 keyword, 0.41 semantic, 0.77 hybrid).
 */
export const DEFAULT_SEARCH_MODE: SearchMode = 'hybrid';

/**
 * Hybrid ranking, measured on LoCoMo (docs/decisions/0002-retrieval.md):
 * relevance = w·bm25/bm25max + (1 − w)·(cos − cosmin)/(cosmax − cosmin) over each index's candidates
 * (a record missing from a list scores 0 there; with one list empty the other counts alone), then
 * each memory gains a share of the relevance of its neighbours in the same session (ordered by
 * `occurredAt`, else creation), and a boost when the query names one of its topics.
 */
export const HYBRID_RANKING = {
  /** Candidates read from each index before fusion (more, when a filter leaves too few). */
  depth: 300,
  /** Weight of the keyword score; the rest goes to cosine similarity. */
  keywordWeight: 0.6,
  /** Share of the relevance of the session's memories 1, 2 and 3 places before and after. */
  contextWeights: [0.4, 0.2, 0.1],
  /** Added when every term of one of the memory's topics occurs in the query. */
  topicBoost: 0.4,
} as const;

/** Most candidates one text search reads from each index before giving up on deeper pages. */
const MAX_CANDIDATES = 2_000;
/** Index entries one filter-only page may scan before returning a short page with a token. */
const MAX_SCAN = 5_000;
const SCAN_CHUNK = 250;

/** Search pages with signed tokens. */
export type SearchDeps = MemoryDeps & PageTokenDeps;

export interface SearchResult {
  readonly items: MemoryRecordView[];
  readonly nextPageToken?: string;
}

/**
 * Reference SearchLongTermMemory. With `text`: ranked by the search mode (semantic = cosine
 * similarity, keyword = BM25, hybrid = both fused, with session context and topics: see
 * {@link HYBRID_RANKING}), filtered exactly, with
 * `similarityThreshold` applied to cosine similarity. Without `text`: a filter-only listing in
 * record (creation) order.
 *
 * Filters the indexes cannot apply are applied to the records, and candidates are over-fetched
 * until a page is full or the indexes are exhausted, so a selective filter never loses a match
 * to a top-k cut.
 */
export async function searchMemories(
  deps: SearchDeps,
  storeId: string,
  request: SearchRequest,
): Promise<SearchResult> {
  const store = await requireStore(deps, storeId);
  assertAttributeFilterFits(request.filter?.attributes, store.config.customMemoryTypes);
  const { pageToken, limit, ...query } = request;
  const scope = `${storeId}|ltm-search|${JSON.stringify(query)}`;
  const offset = pageToken ? deps.pageTokens.decode(pageToken, scope) : 0;
  const text = request.text?.trim();
  const result = text
    ? await rankedSearch(deps, storeId, request, text, offset, limit, scope)
    : await filterListing(deps, storeId, request, offset, limit, scope);
  await deps.records.recordAccess(
    storeId,
    result.items.map((item) => item.id),
    deps.clock.now(),
  );
  return result;
}

async function rankedSearch(
  deps: SearchDeps,
  storeId: string,
  request: SearchRequest,
  text: string,
  offset: number,
  limit: number,
  scope: string,
): Promise<SearchResult> {
  const mode = request.searchMode ?? DEFAULT_SEARCH_MODE;
  const now = deps.clock.now();
  const [partitions, queryVector] = await Promise.all([
    candidatePartitions(deps, storeId, request),
    mode === 'keyword' ? Promise.resolve(undefined) : embedQueryText(deps.embedder, text),
  ]);
  if (partitions.length === 0) return { items: [] };

  const needed = offset + limit + 1;
  const minimum = mode === 'hybrid' ? HYBRID_RANKING.depth : 30;
  let k = Math.min(MAX_CANDIDATES, Math.max(needed * 3, minimum));
  let ranked: RankedRecord[] = [];
  let exhausted = false;
  for (;;) {
    const [vectorHits, keywordHits] = await Promise.all([
      queryVector ? deps.vectors.query(partitions, queryVector, k) : Promise.resolve([]),
      mode === 'semantic' ? Promise.resolve([]) : deps.keywords.query(partitions, text, k),
    ]);
    exhausted = vectorHits.length < k && keywordHits.length < k;
    const ids = [...new Set([...vectorHits.map((h) => h.id), ...keywordHits.map((h) => h.id)])];
    const records = await deps.records.getMany(storeId, ids, now);
    const byId = new Map<string, StoredMemory>();
    records.forEach((record) => {
      if (record && !record.supersededBy && matchesFilter(record, request.filter, request.filterOp)) {
        byId.set(record.id, record);
      }
    });
    ranked = fuse(mode, vectorHits, keywordHits, byId);
    if (request.similarityThreshold !== undefined) {
      const threshold = request.similarityThreshold;
      ranked = ranked.filter((r) => r.similarity !== undefined && r.similarity >= threshold);
    }
    if (mode === 'hybrid') ranked = contextualize(ranked, text);
    if (ranked.length >= needed || exhausted || k >= MAX_CANDIDATES) break;
    k = Math.min(MAX_CANDIDATES, k * 4);
  }
  if (request.recency && request.recency.weight > 0)
    ranked = await applyRecency(deps, storeId, request, ranked, now);

  const page = ranked.slice(offset, offset + limit);
  const more = ranked.length > offset + limit;
  return {
    items: page.map((r) => toView(r.record, request.includeScores ? round(r.score) : undefined)),
    ...(more ? { nextPageToken: deps.pageTokens.encode(scope, offset + limit) } : {}),
  };
}

interface RankedRecord {
  readonly record: StoredMemory;
  readonly score: number;
  /** Normalized cosine similarity, when the vector index returned this record. */
  readonly similarity: number | undefined;
}

function fuse(
  mode: SearchMode,
  vectorHits: ReadonlyArray<{ id: string; score: number }>,
  keywordHits: ReadonlyArray<{ id: string; score: number }>,
  records: ReadonlyMap<string, StoredMemory>,
): RankedRecord[] {
  const similarity = new Map(vectorHits.map((h) => [h.id, h.score]));
  const scores = new Map<string, number>();
  if (mode === 'semantic') for (const h of vectorHits) scores.set(h.id, h.score);
  else if (mode === 'keyword') for (const h of keywordHits) scores.set(h.id, h.score);
  else {
    // Normalized over the records that pass the filter, so filtered-out records shift nothing.
    const vectors = vectorHits.filter((h) => records.has(h.id));
    const keywords = keywordHits.filter((h) => records.has(h.id) && h.score > 0);
    const keywordWeight = keywords.length === 0 ? 0 : vectors.length === 0 ? 1 : HYBRID_RANKING.keywordWeight;
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

function byScore(a: RankedRecord, b: RankedRecord): number {
  return b.score - a.score || a.record.id.localeCompare(b.record.id);
}

/**
 * Hybrid's second stage, over the fused candidates:
 * - Conversational context: a memory of a session gains `contextWeights[d − 1]` of the relevance of
 *   the candidates d places before and after it in that session (ordered by `occurredAt`, else
 *   `createdAt`, then id). An answer ("Adoption agencies.") is found through the question before it.
 * - Topics: `topicBoost` when the query names one of the memory's topics (all its terms occur).
 * Scores are then divided by the best, so the top result scores 1.
 */
function contextualize(ranked: RankedRecord[], text: string): RankedRecord[] {
  if (ranked.length === 0) return ranked;
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
  const weights = HYBRID_RANKING.contextWeights;
  for (const members of sessions.values()) {
    if (members.length < 2) continue;
    members.sort(
      (a, b) =>
        (a.record.occurredAt ?? a.record.createdAt) - (b.record.occurredAt ?? b.record.createdAt) ||
        a.record.createdAt - b.record.createdAt ||
        a.record.id.localeCompare(b.record.id),
    );
    members.forEach((member, i) => {
      let gained = 0;
      weights.forEach((weight, d) => {
        const before = members[i - d - 1];
        const after = members[i + d + 1];
        if (before) gained += weight * relevance.get(before.record.id)!;
        if (after) gained += weight * relevance.get(after.record.id)!;
      });
      bonus.set(member.record.id, gained);
    });
  }
  const queryTerms = new Set(tokenize(text));
  const named = new Map<string, boolean>();
  const namesTopic = (topic: string) => {
    let hit = named.get(topic);
    if (hit === undefined) {
      const terms = tokenize(topic);
      hit = terms.length > 0 && terms.every((t) => queryTerms.has(t));
      named.set(topic, hit);
    }
    return hit;
  };
  const scored = ranked.map((r) => {
    const topic = r.record.topics.some(namesTopic) ? HYBRID_RANKING.topicBoost : 0;
    return { ...r, score: r.score + (bonus.get(r.record.id) ?? 0) + topic };
  });
  const best = Math.max(...scored.map((r) => r.score));
  return scored.map((r) => ({ ...r, score: best > 0 ? r.score / best : 0 })).sort(byScore);
}

/** final = (1 − w)·relevance + w·2^(−age/halfLife), relevance min-max normalized over the candidates. */
async function applyRecency(
  deps: MemoryDeps,
  storeId: string,
  request: SearchRequest,
  ranked: RankedRecord[],
  now: number,
): Promise<RankedRecord[]> {
  const recency = request.recency!;
  const times =
    recency.field === 'createdAt'
      ? ranked.map((r) => r.record.createdAt)
      : (
          await deps.records.lastAccess(
            storeId,
            ranked.map((r) => r.record.id),
          )
        ).map((t, i) => t ?? ranked[i]!.record.createdAt);
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

/** Filter-only listing in record order; the token is the position in the creation index. */
async function filterListing(
  deps: SearchDeps,
  storeId: string,
  request: SearchRequest,
  offset: number,
  limit: number,
  scope: string,
): Promise<SearchResult> {
  const now = deps.clock.now();
  const owner = request.filterOp === 'all' ? request.filter?.ownerId?.eq : undefined;
  const items: MemoryRecordView[] = [];
  let cursor = offset;
  let scanned = 0;
  for (;;) {
    const { records, total } = await deps.records.scanByCreated(storeId, {
      ownerId: owner,
      offset: cursor,
      count: SCAN_CHUNK,
      now,
    });
    for (const record of records) {
      cursor += 1;
      if (record && !record.supersededBy && matchesFilter(record, request.filter, request.filterOp)) {
        items.push(toView(record));
        if (items.length === limit) {
          return {
            items,
            ...(cursor < total ? { nextPageToken: deps.pageTokens.encode(scope, cursor) } : {}),
          };
        }
      }
    }
    scanned += records.length;
    if (cursor >= total || records.length === 0) return { items };
    if (scanned >= MAX_SCAN) return { items, nextPageToken: deps.pageTokens.encode(scope, cursor) };
  }
}

async function candidatePartitions(
  deps: MemoryDeps,
  storeId: string,
  request: SearchRequest,
): Promise<VectorPartition[]> {
  const { filter, filterOp } = request;
  const owners = filter?.ownerId?.eq !== undefined ? [filter.ownerId.eq] : filter?.ownerId?.in;
  const namespaces = filter?.namespace?.eq !== undefined ? [filter.namespace.eq] : filter?.namespace?.in;
  // The common query names its owner and namespace: no need to read the partition list.
  if (filterOp === 'all' && owners && namespaces) {
    return owners.flatMap((ownerId) =>
      [...new Set(namespaces.map((n) => n.toLowerCase()))].map((namespace) => ({
        storeId,
        ownerId,
        namespace,
      })),
    );
  }
  const all = await deps.records.listPartitions(storeId);
  return all.filter((p) => partitionCouldMatch(p, filter, filterOp)).map((p) => ({ storeId, ...p }));
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
