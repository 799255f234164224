/**
 * Vector storage for long-term memories. Indexes are partitioned by (store, owner, namespace) so the
 * common query — one owner in one namespace — reads one small index. The index stores only ids and
 * vectors: filtering on record fields happens in the caller (over-fetching until enough matches
 * survive), because hosted Upstash's VECTOR.QUERY has no metadata filter.
 */
export interface VectorPartition {
  readonly storeId: string;
  readonly ownerId: string;
  /** Lower-cased (namespace filters are case-insensitive); undefined for records without one. */
  readonly namespace: string | undefined;
}

export interface VectorHit {
  readonly id: string;
  /** Normalized cosine similarity in [0, 1]: (1 + cos) / 2. */
  readonly score: number;
}

export interface VectorIndex {
  /**
   * The largest `topK` one query accepts (hosted Upstash: 1,000). Callers that widen their search
   * stop here; a partition that answers fewer than `maxTopK` hits has answered all it holds.
   */
  readonly maxTopK: number;
  /** Adds or replaces vectors. All vectors of a partition have the model's dimension. */
  upsert(
    partition: VectorPartition,
    entries: ReadonlyArray<{ id: string; vector: Float32Array }>,
  ): Promise<void>;
  remove(partition: VectorPartition, ids: readonly string[]): Promise<void>;
  /**
   * The `topK` nearest ids of each partition, merged by score (best first). Querying several
   * partitions costs one round trip (pipelined).
   */
  query(partitions: readonly VectorPartition[], vector: Float32Array, topK: number): Promise<VectorHit[]>;
  /** Number of vectors in a partition (tests and benchmarks read it; search never needs it). */
  count(partition: VectorPartition): Promise<number>;
}
