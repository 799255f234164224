import type {
  MemoryRecordView,
  SearchMode,
  SearchRequest,
  StoredMemory,
} from '../contracts/long-term-memory.js';
import { assertAttributeFilterFits, matchesFilter, partitionCouldMatch } from '../domain/memory-filter.js';
import { decodePageToken, encodePageToken } from '../domain/page-token.js';
import type { VectorPartition } from '../ports/vector-index.js';
import { embedQueryText, type MemoryDeps, requireStore, toView } from './memory-records.js';

/** Used when a request names no `searchMode`; see docs/decisions for the measurement behind it. */
export const DEFAULT_SEARCH_MODE: SearchMode = 'semantic';

/** Reciprocal rank fusion constant (Cormack et al. 2009 use 60). */
const RRF_K = 60;
/** Most candidates one text search reads from each index before giving up on deeper pages. */
const MAX_CANDIDATES = 2_000;
/** Index entries one filter-only page may scan before returning a short page with a token. */
const MAX_SCAN = 5_000;
const SCAN_CHUNK = 250;

export interface SearchResult {
  readonly items: MemoryRecordView[];
  readonly nextPageToken?: string;
}

/**
 * Reference SearchLongTermMemory. With `text`: ranked by the search mode (semantic = cosine
 * similarity, keyword = BM25, hybrid = reciprocal rank fusion of both), filtered exactly, with
 * `similarityThreshold` applied to cosine similarity. Without `text`: a filter-only listing in
 * record (creation) order.
 *
 * Filters the indexes cannot apply are applied to the records, and candidates are over-fetched
 * until a page is full or the indexes are exhausted, so a selective filter never loses a match
 * to a top-k cut.
 */
export async function searchMemories(
  deps: MemoryDeps,
  storeId: string,
  request: SearchRequest,
): Promise<SearchResult> {
  const store = await requireStore(deps, storeId);
  assertAttributeFilterFits(request.filter?.attributes, store.config.customMemoryTypes);
  const { pageToken, limit, ...query } = request;
  const scope = `${storeId}|ltm-search|${JSON.stringify(query)}`;
  const offset = pageToken ? decodePageToken(pageToken, scope) : 0;
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
  deps: MemoryDeps,
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
  let k = Math.min(MAX_CANDIDATES, Math.max(needed * 3, 30));
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
      if (record && matchesFilter(record, request.filter, request.filterOp)) byId.set(record.id, record);
    });
    ranked = fuse(mode, vectorHits, keywordHits, byId);
    if (request.similarityThreshold !== undefined) {
      const threshold = request.similarityThreshold;
      ranked = ranked.filter((r) => r.similarity !== undefined && r.similarity >= threshold);
    }
    if (ranked.length >= needed || exhausted || k >= MAX_CANDIDATES) break;
    k = Math.min(MAX_CANDIDATES, k * 4);
  }
  if (request.recency && request.recency.weight > 0)
    ranked = await applyRecency(deps, storeId, request, ranked, now);

  const page = ranked.slice(offset, offset + limit);
  const more = ranked.length > offset + limit;
  return {
    items: page.map((r) => toView(r.record, request.includeScores ? round(r.score) : undefined)),
    ...(more ? { nextPageToken: encodePageToken(scope, offset + limit) } : {}),
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
    // Ranks are taken among records that pass the filter, so a filtered-out record does not
    // push the survivors down either list.
    for (const hits of [vectorHits, keywordHits]) {
      let rank = 0;
      for (const h of hits) {
        if (!records.has(h.id)) continue;
        rank += 1;
        scores.set(h.id, (scores.get(h.id) ?? 0) + 1 / (RRF_K + rank));
      }
    }
  }
  const out: RankedRecord[] = [];
  for (const [id, score] of scores) {
    const record = records.get(id);
    if (record) out.push({ record, score, similarity: similarity.get(id) });
  }
  return out.sort((a, b) => b.score - a.score || a.record.id.localeCompare(b.record.id));
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
    .sort((a, b) => b.score - a.score || a.record.id.localeCompare(b.record.id));
}

/** Filter-only listing in record order; the token is the position in the creation index. */
async function filterListing(
  deps: MemoryDeps,
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
      if (record && matchesFilter(record, request.filter, request.filterOp)) {
        items.push(toView(record));
        if (items.length === limit) {
          return { items, ...(cursor < total ? { nextPageToken: encodePageToken(scope, cursor) } : {}) };
        }
      }
    }
    scanned += records.length;
    if (cursor >= total || records.length === 0) return { items };
    if (scanned >= MAX_SCAN) return { items, nextPageToken: encodePageToken(scope, cursor) };
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
