import { createHash } from 'node:crypto';
import { describeError, type Logger } from '../../observability/logger.js';
import type { Embedder, EmbeddingModelInfo } from '../../ports/embedder.js';

/**
 * A persistent map from cache key to vector, read and written in batches (the benchmarks' file store
 * is `dev/offline-models/file-embedding-cache.ts`).
 */
export interface EmbeddingStore {
  /** The stored vector for each key, `undefined` where there is none; in key order. */
  getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]>;
  setMany(entries: readonly { key: string; vector: Float32Array }[]): Promise<void>;
}

export interface CachingEmbedderStats {
  /** Texts answered from memory (a repeat of a miss within the same call is not counted anywhere). */
  memoryHits: number;
  /** Texts answered from the persistent store. */
  storeHits: number;
  /** Distinct texts sent to the wrapped embedder. */
  misses: number;
}

type Kind = 'document' | 'query';

/**
 * `Embedder` decorator that embeds each (model, dimensions, kind, text) once. Looks in a bounded
 * in-memory LRU, then in an optional persistent {@link EmbeddingStore}, and sends only the misses,
 * de-duplicated, to the wrapped embedder in one `embedDocuments` call. Documents and queries are
 * cached apart, since some models embed them differently.
 *
 * Keys are sha256(model id, dimensions, kind, text): the text itself is never kept. The store is
 * best effort: a failing read counts as misses and a failing write is dropped (with a warning if a
 * logger is given). Returned vectors are copies; callers may modify them.
 */
export class CachingEmbedder implements Embedder {
  readonly model: EmbeddingModelInfo;
  readonly maxInputCharacters: number | undefined;
  readonly stats: CachingEmbedderStats = { memoryHits: 0, storeHits: 0, misses: 0 };
  /** The wrapped embedder, for callers that must not share cached vectors (no scope of their own). */
  readonly inner: Embedder;
  readonly #store: EmbeddingStore | undefined;
  readonly #logger: Logger | undefined;
  readonly #maxEntries: number;
  /** Insertion order is recency order: a hit is deleted and set again. */
  readonly #memory = new Map<string, Float32Array>();

  constructor(options: {
    inner: Embedder;
    /** Most vectors kept in memory; default 10,000 (20 MB at 512 dimensions). */
    maxEntries?: number;
    store?: EmbeddingStore;
    logger?: Logger;
  }) {
    this.inner = options.inner;
    this.model = options.inner.model;
    this.maxInputCharacters = options.inner.maxInputCharacters;
    this.#maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.#store = options.store;
    this.#logger = options.logger;
  }

  embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    return this.#embed(texts, 'document', '');
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [vector] = await this.#embed([text], 'query', '');
    return vector!;
  }

  /**
   * A view of this cache whose entries belong to `scope` alone (a store id). It shares the memory
   * bound and the wrapped embedder, not the entries: with one cache for every tenant of a warm
   * function, store B could time an embedding and learn that store A recently embedded the same text
   * (security review 2026-12, finding 10). The `Embedder` port stays unaware of tenants; the
   * composition hands each request the view of its store.
   */
  forScope(scope: string): Embedder {
    return {
      model: this.model,
      maxInputCharacters: this.maxInputCharacters,
      embedDocuments: (texts) => this.#embed(texts, 'document', scope),
      embedQuery: async (text) => (await this.#embed([text], 'query', scope))[0]!,
    };
  }

  /**
   * The cache key of a text: hex sha256 over the scope, the model, its dimensions, the kind and the
   * text (the unscoped instance uses the empty scope).
   */
  keyOf(text: string, kind: Kind, scope = ''): string {
    return createHash('sha256')
      .update(`${scope}\u0000${this.model.id}\u0000${this.model.dimensions}\u0000${kind}\u0000`)
      .update(text)
      .digest('hex');
  }

  async #embed(texts: readonly string[], kind: Kind, scope: string): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const keys = texts.map((text) => this.keyOf(text, kind, scope));
    const found = new Map<string, Float32Array>();

    let missing: string[] = [];
    for (const key of new Set(keys)) {
      const vector = this.#memoryGet(key);
      if (vector) found.set(key, vector);
      else missing.push(key);
    }
    const memoryHits = keys.filter((key) => found.has(key)).length;
    this.stats.memoryHits += memoryHits;

    if (missing.length > 0 && this.#store) {
      const stored = await this.#storeGet(missing);
      missing = missing.filter((key, index) => {
        const vector = stored[index];
        if (!vector || vector.length !== this.model.dimensions) return true;
        found.set(key, vector);
        this.#memorySet(key, vector);
        return false;
      });
      this.stats.storeHits += keys.filter((key) => found.has(key)).length - memoryHits;
    }

    if (missing.length > 0) {
      const textOf = new Map(keys.map((key, index) => [key, texts[index]!]));
      const missingTexts = missing.map((key) => textOf.get(key)!);
      const vectors =
        kind === 'query'
          ? [await this.inner.embedQuery(missingTexts[0]!)]
          : await this.inner.embedDocuments(missingTexts);
      if (vectors.length !== missing.length) {
        throw new Error(
          `embedder ${this.model.id} returned ${vectors.length} vectors for ${missing.length} texts`,
        );
      }
      const entries = missing.map((key, index) => ({ key, vector: vectors[index]! }));
      for (const { key, vector } of entries) {
        found.set(key, vector);
        this.#memorySet(key, vector);
      }
      this.stats.misses += missing.length;
      if (this.#store) await this.#storeSet(entries);
    }

    return keys.map((key) => found.get(key)!.slice());
  }

  #memoryGet(key: string): Float32Array | undefined {
    const vector = this.#memory.get(key);
    if (vector) {
      this.#memory.delete(key);
      this.#memory.set(key, vector);
    }
    return vector;
  }

  #memorySet(key: string, vector: Float32Array): void {
    this.#memory.delete(key);
    this.#memory.set(key, vector);
    while (this.#memory.size > this.#maxEntries) {
      const oldest = this.#memory.keys().next().value as string;
      this.#memory.delete(oldest);
    }
  }

  async #storeGet(keys: string[]): Promise<(Float32Array | undefined)[]> {
    try {
      return await this.#store!.getMany(keys);
    } catch (error) {
      this.#logger?.warn('embedding cache read failed', { model: this.model.id, ...describeError(error) });
      return keys.map(() => undefined);
    }
  }

  async #storeSet(entries: { key: string; vector: Float32Array }[]): Promise<void> {
    try {
      await this.#store!.setMany(entries);
    } catch (error) {
      this.#logger?.warn('embedding cache write failed', { model: this.model.id, ...describeError(error) });
    }
  }
}
