import type { Redis } from '@upstash/redis';
import { indexKeys, keywordKeys } from '../../lib/adapters/upstash/keys.js';
import { evalPipelined, type RawPipeline, rawPipeline } from '../../lib/adapters/upstash/raw-pipeline.js';
import { redisCall } from '../../lib/adapters/upstash/redis-call.js';
import {
  BM25_B,
  BM25_K1,
  DEFAULT_POSTINGS_BUDGET,
  documentChunks,
  hitsOf,
  MAX_TOP_K,
  partitionPrefixes,
  queryTerms,
  UpstashKeywordIndex,
} from '../../lib/adapters/upstash/upstash-keyword-index.js';
import type { KeywordHit, KeywordIndex, KeywordPartition } from '../../lib/ports/keyword-index.js';
import { IMPACT_QUERY, IMPACT_UPSERT } from './scripts/generated.js';

/**
 * Bench-only keyword index variant, measured against the production one (UpstashKeywordIndex,
 * `exact` postings merged in Lua) by bench/keyword-index.ts; moved out of the production adapter
 * (architecture review 2026-12, 2.8).
 *
 * `impact` scoring: a posting's score is the BM25 term-frequency component
 * `tf (k1 + 1) / (tf + k1 (1 - b + b |D| / avgdl))` with the partition's average length when the
 * document was indexed, so a query can be one weighted `ZUNIONSTORE` (weights = IDF), or the same
 * budgeted Lua merge as production. Approximation: that average drifts as the partition grows, and
 * a document is only rescored when it is re-indexed. N and df are pooled over partitions as in
 * production; length normalization stays per partition, as indexed. A partition keeps the scheme
 * it was created with, so production's scripts refuse an impact partition and these refuse an
 * exact one. Removal is production's (it reads no scores). Scripts: ./scripts/impact-*.lua.
 */
export interface ImpactKeywordIndexOptions {
  /** Merge with `ZUNIONSTORE` (default) or in Lua, bounded by `postingsBudget`. */
  readonly merge?: 'zunion' | 'lua';
  readonly postingsBudget?: number;
}

/** Only exists while a `zunion` query runs (created and deleted inside the script). */
const scratchKey = (prefix: string) => `${prefix}scratch`;

export class ImpactKeywordIndex implements KeywordIndex {
  private readonly upsertScript;
  private readonly remover: UpstashKeywordIndex;
  private readonly raw: RawPipeline;
  private readonly merge: 'zunion' | 'lua';
  private readonly postingsBudget: number;

  constructor(redis: Redis, options: ImpactKeywordIndexOptions = {}) {
    this.merge = options.merge ?? 'zunion';
    this.postingsBudget = options.postingsBudget ?? DEFAULT_POSTINGS_BUDGET;
    this.upsertScript = redis.createScript<unknown>(IMPACT_UPSERT.source);
    this.remover = new UpstashKeywordIndex(redis);
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
      String(BM25_K1),
      String(BM25_B),
      String(count),
      ...args,
    ]);
    await redisCall('index memories for keyword search', () =>
      Promise.all(chunks.map((args) => this.upsertScript.exec(keys, args))),
    );
  }

  remove(partition: KeywordPartition, ids: readonly string[]): Promise<void> {
    return this.remover.remove(partition, ids);
  }

  async query(partitions: readonly KeywordPartition[], text: string, topK: number): Promise<KeywordHit[]> {
    const k = Math.min(Math.floor(topK), MAX_TOP_K);
    if (!(k >= 1) || partitions.length === 0) return [];
    const prefixes = partitionPrefixes(partitions);
    const terms = queryTerms(text, prefixes.length);
    if (terms.length === 0) return [];
    const args = [
      this.merge,
      String(k),
      String(this.postingsBudget),
      String(prefixes.length),
      String(terms.length / 2),
      ...prefixes.map(keywordKeys.termPrefix),
      ...terms,
    ];
    const keys = [...prefixes.map(keywordKeys.stats), scratchKey(prefixes[0]!)];
    return hitsOf(await evalPipelined(this.raw, IMPACT_QUERY, keys, args, 'keyword search'));
  }
}
