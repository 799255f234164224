import type { VectorHit, VectorIndex, VectorPartition } from '../../lib/ports/vector-index.js';

const keyOf = (p: VectorPartition) => `${p.storeId}\u0000${p.ownerId}\u0000${p.namespace ?? ''}`;

/**
 * Exact nearest-neighbour search over stored vectors, scored like the port says: the normalized
 * cosine (1 + cos) / 2 in [0, 1]. Refuses a `topK` above `maxTopK` as the Upstash adapter does.
 */
export class InMemoryVectorIndex implements VectorIndex {
  readonly maxTopK: number;
  private readonly partitions = new Map<string, Map<string, Float32Array>>();
  /** Every query's partitions and topK, for assertions on over-fetching. */
  readonly queries: Array<{ partitions: VectorPartition[]; topK: number }> = [];

  constructor(options: { maxTopK?: number } = {}) {
    this.maxTopK = options.maxTopK ?? 1_000;
  }

  async upsert(partition: VectorPartition, entries: ReadonlyArray<{ id: string; vector: Float32Array }>) {
    const key = keyOf(partition);
    const vectors = this.partitions.get(key) ?? new Map<string, Float32Array>();
    for (const { id, vector } of entries) vectors.set(id, vector);
    this.partitions.set(key, vectors);
  }

  async remove(partition: VectorPartition, ids: readonly string[]) {
    const vectors = this.partitions.get(keyOf(partition));
    for (const id of ids) vectors?.delete(id);
  }

  async query(
    partitions: readonly VectorPartition[],
    vector: Float32Array,
    topK: number,
  ): Promise<VectorHit[]> {
    if (topK > this.maxTopK) throw new RangeError(`topK ${topK} exceeds ${this.maxTopK}`);
    this.queries.push({ partitions: [...partitions], topK });
    const hits = partitions.flatMap((p) =>
      [...(this.partitions.get(keyOf(p)) ?? new Map<string, Float32Array>())]
        .map(([id, v]) => ({ id, score: (1 + cosine(vector, v)) / 2 }))
        .sort((a, b) => b.score - a.score)
        .slice(0, topK),
    );
    return hits.sort((a, b) => b.score - a.score);
  }

  async count(partition: VectorPartition): Promise<number> {
    return this.partitions.get(keyOf(partition))?.size ?? 0;
  }

  /** Ids held in a partition (for assertions). */
  ids(partition: VectorPartition): string[] {
    return [...(this.partitions.get(keyOf(partition))?.keys() ?? [])];
  }
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
