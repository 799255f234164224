import type { MemoryRecordView, SearchRequest, StoredMemory } from '../../contracts/long-term-memory.js';
import { ValidationError } from '../../domain/errors.js';
import { assertAttributeFilterFits, matchesFilter, partitionCouldMatch } from '../../domain/memory-filter.js';
import type { PageTokenDeps } from '../../domain/page-token.js';
import {
  applyRecency,
  CANDIDATE_SEARCH,
  contextualize,
  DEFAULT_SEARCH_MODE,
  fuse,
  HYBRID_RANKING,
  type RankedRecord,
} from '../../domain/ranking.js';
import { toView } from '../../domain/records/view.js';
import type { Clock } from '../../ports/clock.js';
import type { Embedder } from '../../ports/embedder.js';
import type { KeywordIndex } from '../../ports/keyword-index.js';
import type { MemoryAccessLog, MemoryListing, MemoryRecords } from '../../ports/memory-record-store.js';
import type { StoreLookup } from '../../ports/registry.js';
import type { VectorIndex, VectorPartition } from '../../ports/vector-index.js';
import { type NamespaceRefDeps, namespaceRefsOf } from '../shared/namespace-refs.js';
import { requireStore } from '../shared/require-store.js';
import { embedQueryText } from './indexing.js';

const { maxCandidates: MAX_CANDIDATES } = CANDIDATE_SEARCH;
/** Index entries one filter-only page may scan before returning a short page with a token. */
const MAX_SCAN = 5_000;
const SCAN_CHUNK = 250;
/**
 * Most (owner, namespace) partitions one text search reads. Each is a vector query and a share of
 * the keyword script's work, all in one request, so the bound is the request's cost (issue 13).
 */
export const MAX_SEARCH_PARTITIONS = 256;

/** What search reads: the records with their listing and access log, both indexes, the embedder. */
export interface SearchDeps extends PageTokenDeps, NamespaceRefDeps {
  readonly records: MemoryRecords & MemoryListing & MemoryAccessLog;
  readonly vectors: VectorIndex;
  readonly keywords: KeywordIndex;
  readonly embedder: Embedder;
  readonly stores: StoreLookup;
  readonly clock: Clock;
}

export interface SearchResult {
  readonly items: MemoryRecordView[];
  readonly nextPageToken?: string;
}

/**
 * Reference SearchLongTermMemory. With `text`: ranked by the search mode (semantic = cosine
 * similarity, keyword = BM25, hybrid = both fused, with session context: see
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
  const minimum = mode === 'hybrid' ? HYBRID_RANKING.depth : CANDIDATE_SEARCH.semanticDepth;
  let k = Math.min(MAX_CANDIDATES, Math.max(needed * CANDIDATE_SEARCH.overFetch, minimum));
  let ranked: RankedRecord[] = [];
  let exhausted = false;
  for (;;) {
    // The vector index caps topK (issue 13): past its cap it is read to its cap, and counts as
    // exhausted only if it answered fewer than asked (a partition smaller than the cap).
    const vectorK = Math.min(k, deps.vectors.maxTopK);
    const [vectorHits, keywordHits] = await Promise.all([
      queryVector ? deps.vectors.query(partitions, queryVector, vectorK) : Promise.resolve([]),
      mode === 'semantic' ? Promise.resolve([]) : deps.keywords.query(partitions, text, k),
    ]);
    const vectorDone = !queryVector || vectorHits.length < vectorK || vectorK < k;
    const keywordDone = mode === 'semantic' || keywordHits.length < k;
    exhausted = vectorDone && keywordDone;
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
    if (mode === 'hybrid') ranked = contextualize(ranked);
    if (ranked.length >= needed || exhausted || k >= MAX_CANDIDATES) break;
    k = Math.min(MAX_CANDIDATES, k * CANDIDATE_SEARCH.widen);
  }
  if (request.recency && request.recency.weight > 0)
    ranked = await withRecency(deps, storeId, request, ranked, now);

  const page = ranked.slice(offset, offset + limit);
  const more = ranked.length > offset + limit;
  const refs = await namespaceRefsOf(
    deps,
    storeId,
    page.map((r) => r.record),
  );
  return {
    items: page.map((r) => toView(r.record, request.includeScores ? round(r.score) : undefined, refs)),
    ...(more ? { nextPageToken: deps.pageTokens.encode(scope, offset + limit) } : {}),
  };
}

/** Recency from creation or from the caller-visible last access. */
async function withRecency(
  deps: Pick<SearchDeps, 'records'>,
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
  return applyRecency(ranked, times, recency, now);
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
  const items: StoredMemory[] = [];
  const page = async (nextPageToken?: string): Promise<SearchResult> => {
    const refs = await namespaceRefsOf(deps, storeId, items);
    return {
      items: items.map((record) => toView(record, undefined, refs)),
      ...(nextPageToken ? { nextPageToken } : {}),
    };
  };
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
        items.push(record);
        if (items.length === limit) {
          return page(cursor < total ? deps.pageTokens.encode(scope, cursor) : undefined);
        }
      }
    }
    scanned += records.length;
    if (cursor >= total || records.length === 0) return page();
    if (scanned >= MAX_SCAN) return page(deps.pageTokens.encode(scope, cursor));
  }
}

async function candidatePartitions(
  deps: Pick<SearchDeps, 'records'>,
  storeId: string,
  request: SearchRequest,
): Promise<VectorPartition[]> {
  const { filter, filterOp } = request;
  const owners = filter?.ownerId?.eq !== undefined ? [filter.ownerId.eq] : filter?.ownerId?.in;
  const namespaces = filter?.namespace?.eq !== undefined ? [filter.namespace.eq] : filter?.namespace?.in;
  // Records filed under a namespace resource sit in their owner's label-less partition.
  if (filterOp === 'all' && owners && filter?.namespaceRef) {
    assertPartitionsFit(owners.length);
    return owners.map((ownerId) => ({ storeId, ownerId, namespace: undefined }));
  }
  // The common query names its owner and namespace: no need to read the partition list.
  if (filterOp === 'all' && owners && namespaces) {
    const distinct = [...new Set(namespaces.map((n) => n.toLowerCase()))];
    assertPartitionsFit(owners.length * distinct.length);
    return owners.flatMap((ownerId) => distinct.map((namespace) => ({ storeId, ownerId, namespace })));
  }
  const all = await deps.records.listPartitions(storeId);
  const matching = all.filter((p) => partitionCouldMatch(p, filter, filterOp));
  assertPartitionsFit(matching.length);
  return matching.map((p) => ({ storeId, ...p }));
}

/**
 * Past the bound the search is refused rather than cut: searching some partitions would return a
 * ranking that silently misses matches in the others. The partition list only holds partitions
 * with live records (deleting or sweeping a partition's last record removes it).
 */
function assertPartitionsFit(count: number): void {
  if (count > MAX_SEARCH_PARTITIONS) {
    throw new ValidationError(
      `this search would read ${count} (owner, namespace) partitions; at most ${MAX_SEARCH_PARTITIONS} per request: narrow it with filter.ownerId and filter.namespace`,
      [
        {
          field: 'filter',
          rule: 'maxPartitions',
          message: `matches more than ${MAX_SEARCH_PARTITIONS} partitions`,
        },
      ],
    );
  }
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
