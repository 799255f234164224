import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import { DependencyUnavailableError } from '../../domain/errors.js';
import { tokenize } from '../../domain/text/tokenizer.js';
import type { KeywordHit, KeywordIndex, KeywordPartition } from '../../ports/keyword-index.js';
import { indexKeys, keywordKeys } from './keys.js';
import { evalPipelined, type RawPipeline, rawPipeline } from './raw-pipeline.js';
import { redisCall } from './redis-call.js';
import { KEYWORD_QUERY, KEYWORD_REMOVE, KEYWORD_UPSERT } from './scripts/generated.js';

/**
 * BM25 full-text search on plain Redis: sorted sets and Lua only (no modules), so it runs on hosted
 * Upstash as well as on the local Redis 8.
 *
 * Layout, per partition (one owner in one namespace), all under `indexKeys.keywordPrefix(partition)`
 * (`keywordKeys` in keys.ts):
 * - `t:<term>`  sorted set, the term's postings: member = document id, score = see "Scoring".
 * - `docs`      hash, document id -> `"<length> <term> <term> ..."`: the document's length in terms
 *               and its distinct terms, so re-indexing and removal delete exactly its postings.
 * - `stats`     hash: `n` documents, `len` total length (both exact after every change), `scheme`.
 * A partition with no documents has no keys at all.
 *
 * Scoring (BM25, k1 = {@link BM25_K1} = 1.2, b = {@link BM25_B} = 0.4, Lucene's IDF
 * `ln(1 + (N - df + 0.5) / (df + 0.5))`): a posting's score packs the term frequency and the
 * document's length, `tf * 2^24 + (2^24 - 1 - length)`. The query script decodes both and computes
 * BM25 with the current document count, document frequencies and average length, so scores are
 * those of a textbook BM25 over the queried documents. The packing also sorts postings by impact
 * (higher tf first, then shorter documents), which is what bounds a query's work: see
 * `postingsBudget`. Scripts: scripts/keyword-{upsert,remove,query}.lua.
 *
 * Merge, measured (bench/keyword-index.ts, Redis 8 via the emulator, time inside Redis per query),
 * against the bench-only `impact` variant (bench/index-variants/impact-keyword-index.ts: postings
 * scored at indexing time, merged by one weighted ZUNIONSTORE): with short postings (10,000 short
 * documents, 2-5 word queries) ZUNIONSTORE takes 0.2-0.9 ms and the Lua merge 0.35-1.7 ms, both
 * well below the HTTP round trip; with long postings (a term in each of 50,000 documents) the Lua
 * merge of exact postings is the faster, ~40 ms against 70-90 ms, as ZUNIONSTORE materializes the
 * whole union as a sorted set (the Lua merge of `impact` postings is the slowest, ~115 ms: Redis
 * formats their fractional scores for the script). And only the Lua merge has a cap. Hence exact
 * scoring, Lua merge, bounded by `postingsBudget`. A partition keeps the scheme it was created
 * with (`stats.scheme`): these scripts refuse a partition holding `impact` postings.
 *
 * Several partitions: statistics are pooled (N = sum of document counts, df = sum of the postings'
 * sizes, average length over all queried documents), so the merged ranking is the one BM25 would
 * give over the union of the partitions and scores from different partitions are comparable. Any
 * number of partitions of one store (they share a cluster slot); over many, fewer query terms are
 * used, see MAX_TERM_PARTITION_PAIRS. Document ids are assumed to be unique across partitions
 * (memory ids are).
 *
 * Round trips: `query` is one script call, sent through the client's shared raw pipeline
 * (raw-pipeline.ts), so a search's vector queries and keyword query are one HTTP request; `upsert`
 * and `remove` are one script call per chunk, all chunks sent together (auto-pipelined), so one
 * HTTP request however large the batch. Each chunk is atomic and every document lies wholly in one
 * chunk.
 */

export interface UpstashKeywordIndexOptions {
  /**
   * The most postings one query reads, over all its (term, partition) sorted sets. The budget is
   * shared out in order of ascending size (small sets are read whole, what they leave goes to the
   * larger ones), each set read best-impact first. Redis 8 reads about one posting per microsecond
   * in the script, so the default 50,000 bounds a query at roughly 50 ms of Redis time (a
   * 10,000-document partition never reaches it with fewer than five terms).
   */
  readonly postingsBudget?: number;
}

export const BM25_K1 = 1.2;
/**
 * Length normalization. Memories are short (a fact, a message), and length says little about
 * relevance there: 0.4 rather than the textbook 0.75 lifted LoCoMo turn recall@10 from 0.610 to
 * 0.629 in keyword mode (docs/decisions/0002-retrieval.md).
 */
export const BM25_B = 0.4;
/** Distinct query terms considered (the first ones, in query order); the rest are ignored. */
export const MAX_QUERY_TERMS = 64;
/**
 * (term, partition) pairs one query looks at: a query over many partitions (a store-wide search)
 * considers fewer terms, at least one (e.g. 64 terms up to 256 partitions, 4 terms over 4,096).
 */
export const MAX_TERM_PARTITION_PAIRS = 16_384;
export const MAX_TOP_K = 10_000;
/**
 * Distinct terms indexed per document (security review 2026-12, finding 8): each is a ZADD to its
 * own posting list, so a text of random tokens (a 50,000-character memory holds about 7,000, a
 * conversation record's index text twice that) would cost that many writes and keys per record.
 * Natural text of the longest memory has about 3,000 distinct terms, so the cap only bites on
 * pathological texts; over it the most frequent terms are kept (ties: first seen), which are the
 * ones BM25 scores highest in a long document. The document's length stays its true term count.
 */
export const MAX_TERMS_PER_DOCUMENT = 4_096;
/** Script arguments per upsert chunk (a 20-word document takes about 45). */
const MAX_ARGS_PER_CHUNK = 20_000;
const MAX_IDS_PER_CHUNK = 2_000;
export const DEFAULT_POSTINGS_BUDGET = 50_000;
/** Terms as the tokenizer makes them: letters, digits and marks only (they become key parts). */
const TERM_PATTERN = /^[\p{L}\p{N}\p{M}]+$/u;

const queryReplySchema = z.array(z.string());

export class UpstashKeywordIndex implements KeywordIndex {
  private readonly upsertScript;
  private readonly removeScript;
  private readonly raw: RawPipeline;
  private readonly postingsBudget: number;

  constructor(redis: Redis, options: UpstashKeywordIndexOptions = {}) {
    this.postingsBudget = options.postingsBudget ?? DEFAULT_POSTINGS_BUDGET;
    this.upsertScript = redis.createScript<unknown>(KEYWORD_UPSERT.source);
    this.removeScript = redis.createScript<unknown>(KEYWORD_REMOVE.source);
    this.raw = rawPipeline(redis);
  }

  async upsert(
    partition: KeywordPartition,
    documents: ReadonlyArray<{ id: string; text: string }>,
  ): Promise<void> {
    if (documents.length === 0) return;
    const prefix = indexKeys.keywordPrefix(partition);
    const keys = [keywordKeys.docs(prefix), keywordKeys.stats(prefix)];
    const chunks = documentChunks(documents).map(({ count, args }) => [
      keywordKeys.termPrefix(prefix),
      String(count),
      ...args,
    ]);
    await redisCall('index memories for keyword search', () =>
      Promise.all(chunks.map((args) => this.upsertScript.exec(keys, args))),
    );
  }

  async remove(partition: KeywordPartition, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const prefix = indexKeys.keywordPrefix(partition);
    const keys = [keywordKeys.docs(prefix), keywordKeys.stats(prefix)];
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_CHUNK) {
      chunks.push([keywordKeys.termPrefix(prefix), ...ids.slice(i, i + MAX_IDS_PER_CHUNK)]);
    }
    await redisCall('remove memories from keyword search', () =>
      Promise.all(chunks.map((args) => this.removeScript.exec(keys, args))),
    );
  }

  async query(partitions: readonly KeywordPartition[], text: string, topK: number): Promise<KeywordHit[]> {
    const k = Math.min(Math.floor(topK), MAX_TOP_K);
    if (!(k >= 1) || partitions.length === 0) return [];
    const prefixes = partitionPrefixes(partitions);
    const terms = queryTerms(text, prefixes.length);
    if (terms.length === 0) return [];
    const args = [
      String(BM25_K1),
      String(BM25_B),
      String(k),
      String(this.postingsBudget),
      String(prefixes.length),
      String(terms.length / 2),
      ...prefixes.map(keywordKeys.termPrefix),
      ...terms,
    ];
    const keys = prefixes.map(keywordKeys.stats);
    // Through the shared raw pipeline, so it rides in the same request as the search's vector queries.
    const reply = await evalPipelined(this.raw, KEYWORD_QUERY, keys, args, 'keyword search');
    return hitsOf(reply);
  }
}

/**
 * Script arguments of documents to index, per document `id, length, m` then m pairs (term,
 * frequency), in chunks of about MAX_ARGS_PER_CHUNK arguments (a document lies wholly in one).
 */
export function documentChunks(
  documents: ReadonlyArray<{ id: string; text: string }>,
): Array<{ count: number; args: string[] }> {
  const chunks: Array<{ count: number; args: string[] }> = [];
  let chunk: string[] = [];
  let count = 0;
  const flush = () => {
    if (count > 0) chunks.push({ count, args: chunk });
    chunk = [];
    count = 0;
  };
  for (const { id, text } of documents) {
    const terms = tokenize(text);
    const frequencies = new Map<string, number>();
    for (const term of terms) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
    const kept = keptTerms(frequencies);
    const args = [id, String(terms.length), String(kept.length)];
    for (const [term, tf] of kept) {
      assertTerm(term);
      args.push(term, String(tf));
    }
    if (count > 0 && chunk.length + args.length > MAX_ARGS_PER_CHUNK) flush();
    for (const arg of args) chunk.push(arg);
    count++;
  }
  flush();
  return chunks;
}

/** A document's (term, frequency) pairs, at most MAX_TERMS_PER_DOCUMENT: the most frequent, ties first seen. */
export function keptTerms(frequencies: ReadonlyMap<string, number>): Array<[string, number]> {
  const all = [...frequencies];
  if (all.length <= MAX_TERMS_PER_DOCUMENT) return all;
  // Array.prototype.sort is stable: equal frequencies keep their first-seen order.
  return all.sort((a, b) => b[1] - a[1]).slice(0, MAX_TERMS_PER_DOCUMENT);
}

/** The distinct key prefixes of partitions of one store (a script may not reach across slots). */
export function partitionPrefixes(partitions: readonly KeywordPartition[]): string[] {
  const prefixes = [...new Set(partitions.map((partition) => indexKeys.keywordPrefix(partition)))];
  if (new Set(partitions.map((partition) => partition.storeId)).size > 1) {
    // One store's keys share a cluster slot; a script may not reach across slots.
    throw new RangeError('a keyword query spans partitions of one store');
  }
  return prefixes;
}

/**
 * A query's terms as script arguments, pairs (term, count in the query): the first distinct ones,
 * fewer over many partitions (MAX_QUERY_TERMS, MAX_TERM_PARTITION_PAIRS). Empty when none.
 */
export function queryTerms(text: string, partitionCount: number): string[] {
  const maxTerms = Math.max(
    1,
    Math.min(MAX_QUERY_TERMS, Math.floor(MAX_TERM_PARTITION_PAIRS / partitionCount)),
  );
  const counts = new Map<string, number>();
  for (const term of tokenize(text)) {
    const seen = counts.get(term);
    if (seen !== undefined) counts.set(term, seen + 1);
    else if (counts.size < maxTerms) counts.set(term, 1);
  }
  const args: string[] = [];
  for (const [term, count] of counts) {
    assertTerm(term);
    args.push(term, String(count));
  }
  return args;
}

/** `{id1, score1, id2, score2, ...}` as hits; a refused script is an outage of the search. */
export function hitsOf(reply: { readonly result?: unknown; readonly error?: string }): KeywordHit[] {
  if (reply.error !== undefined) {
    throw new DependencyUnavailableError('The memory database is unavailable (keyword search)', 1, {
      cause: new Error(reply.error),
    });
  }
  const flat = queryReplySchema.parse(reply.result);
  const hits: KeywordHit[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) hits.push({ id: flat[i]!, score: Number(flat[i + 1]) });
  return hits;
}

function assertTerm(term: string): void {
  if (!TERM_PATTERN.test(term))
    throw new Error('refusing to build a key from a term the tokenizer did not make');
}
