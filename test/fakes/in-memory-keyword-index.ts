import type { KeywordHit, KeywordIndex, KeywordPartition } from '../../lib/ports/keyword-index.js';

const keyOf = (p: KeywordPartition) => `${p.storeId}\u0000${p.ownerId}\u0000${p.namespace ?? ''}`;
const terms = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * Term-matching index: a document scores the sum, over the query's distinct terms, of its term
 * frequency times a BM25-style IDF over the queried partitions. Only documents that contain a
 * query term are hits, best first (ties by id).
 */
export class InMemoryKeywordIndex implements KeywordIndex {
  private readonly partitions = new Map<string, Map<string, string[]>>();

  async upsert(partition: KeywordPartition, documents: ReadonlyArray<{ id: string; text: string }>) {
    const key = keyOf(partition);
    const docs = this.partitions.get(key) ?? new Map<string, string[]>();
    for (const { id, text } of documents) docs.set(id, terms(text));
    this.partitions.set(key, docs);
  }

  async remove(partition: KeywordPartition, ids: readonly string[]) {
    const docs = this.partitions.get(keyOf(partition));
    for (const id of ids) docs?.delete(id);
  }

  async query(partitions: readonly KeywordPartition[], text: string, topK: number): Promise<KeywordHit[]> {
    const docs = partitions.flatMap((p) => [
      ...(this.partitions.get(keyOf(p)) ?? new Map<string, string[]>()),
    ]);
    const wanted = [...new Set(terms(text))];
    const df = new Map(wanted.map((t) => [t, docs.filter(([, words]) => words.includes(t)).length]));
    return docs
      .map(([id, words]) => ({
        id,
        score: wanted.reduce((sum, t) => {
          const tf = words.filter((w) => w === t).length;
          const idf = Math.log(1 + (docs.length - df.get(t)! + 0.5) / (df.get(t)! + 0.5));
          return sum + tf * idf;
        }, 0),
      }))
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
      .slice(0, topK);
  }

  /** Ids held in a partition (for assertions). */
  ids(partition: KeywordPartition): string[] {
    return [...(this.partitions.get(keyOf(partition))?.keys() ?? [])];
  }
}
