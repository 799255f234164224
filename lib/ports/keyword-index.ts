import type { VectorPartition } from './vector-index.js';

/** Same partitioning as the vector index. */
export type KeywordPartition = VectorPartition;

export interface KeywordHit {
  readonly id: string;
  /** BM25 score (unbounded, higher is better). */
  readonly score: number;
}

/** Full-text (BM25) index over memory texts that runs on any Redis, hosted Upstash included. */
export interface KeywordIndex {
  /** Indexes (or re-indexes) documents; a document's previous terms are replaced. */
  upsert(partition: KeywordPartition, documents: ReadonlyArray<{ id: string; text: string }>): Promise<void>;
  remove(partition: KeywordPartition, ids: readonly string[]): Promise<void>;
  /** The `topK` best-scoring ids for a query across partitions, best first; one round trip. */
  query(partitions: readonly KeywordPartition[], text: string, topK: number): Promise<KeywordHit[]>;
}
