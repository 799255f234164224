import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import { EmbeddingModelMismatchError } from '../../domain/embedding-errors.js';
import { DependencyUnavailableError } from '../../domain/errors.js';
import type { EmbeddingModelInfo } from '../../ports/embedder.js';
import type { VectorHit, VectorIndex, VectorPartition } from '../../ports/vector-index.js';
import { indexKeys } from './keys.js';
import { type RawPipeline, rawPipeline, type WireCommand, type WireReply } from './raw-pipeline.js';
import { redisCall } from './redis-call.js';

/** Upstash's limits for `VECTOR.CREATE DIM` and `VECTOR.QUERY TOPK`. */
const MAX_DIMENSION = 32_768;
const MAX_TOP_K = 1000;

/**
 * The error Upstash documents for a command on a missing index (`ERR Index <key> is not found`);
 * the emulator answers the same for ADD and QUERY.
 */
const INDEX_MISSING = /\bis not found\b/i;

/** `VECTOR.COUNT`: an integer, 0 for a missing index. */
const countReplySchema = z.number().int().nonnegative();

/** `VECTOR.QUERY`: `[[id, score], ...]`, best first; RESP2 doubles arrive as strings. */
const queryReplySchema = z.array(
  z.tuple([z.string().min(1), z.union([z.string(), z.number()]).transform(Number).pipe(z.number().finite())]),
);

/** `HMGET <vector-model> id dimensions`: both fields or neither (they are only ever written together). */
const modelRecordSchema = z.union([
  z.tuple([z.null(), z.null()]).transform(() => undefined),
  z
    .tuple([z.string().min(1), z.string().regex(/^\d+$/).transform(Number)])
    .transform(([id, dimensions]) => ({ id, dimensions })),
]);
type ModelRecord = z.infer<typeof modelRecordSchema>;

/** `MULTI` reply of {@link UpstashVectorIndex.verifyForWrite}: HSETNX, HSETNX, HMGET. */
const recordModelReplySchema = z.tuple([z.number(), z.number(), modelRecordSchema]);

/**
 * Vector storage on Upstash Redis's vector indexes (`VECTOR.*`; Redis 8 vector sets behind the
 * local emulator).
 *
 * Layout
 * - Each partition (store, owner, namespace) is one index at `indexKeys.vector(partition)`, COSINE,
 *   with `DIM` = the model's dimensions. It is an ordinary key: `DEL`/`EXPIRE` remove it whole.
 *   Every upsert sends `VECTOR.CREATE ... EXISTSOK` ahead of its adds in the same request, so an
 *   index is created by the first write and re-created after a `DEL`, with no cache to go stale.
 * - Removing the last vector leaves an empty index (an Upstash index lives until dropped); it
 *   counts 0 and answers no hits. Dropping it here would race a concurrent upsert, so it stays.
 * - `indexKeys.vectorModel(storeId)` (hash: `id`, `dimensions`) records the embedding model of the
 *   store's first write; writes and queries from another model (id or dimension) are refused with
 *   {@link EmbeddingModelMismatchError}.
 *
 * Round trips
 * - `@upstash/redis` 1.39 has no vector commands on `pipeline()`/`multi()` and does not
 *   auto-pipeline `redis.vector.*` (each is its own HTTP request), so vector commands are sent as
 *   raw commands through the client's own `Pipeline` (`POST /pipeline`, raw-pipeline.ts): an upsert
 *   batch (create + one add per vector), a multi-partition query, or a removal is one HTTP request,
 *   and commands other adapters send in the same tick (a search's keyword query) share it.
 * - The model check costs a round trip once per store and adapter instance (process); verified
 *   stores are cached. A query carries its first check in its own pipeline (its hits are discarded
 *   on a mismatch). A write cannot: its adds would already have landed, so the first write to a
 *   store records-or-reads the model in one `MULTI` (atomic, so two first writers with different
 *   models cannot both win) before sending the vectors. The cache is not invalidated: a store
 *   deleted and re-created with another model while this process lives is not re-checked (an index
 *   of another dimension still fails its create/query).
 *
 * Wire format: vectors go as `BASE64-FP32 <base64 of little-endian float32>`, byte for byte what
 * the client itself sends for a `Float32Array` (its `VectorIndex.add`), at about a quarter of the size of
 * decimal `VALUES`. Replies are raw wire shapes (`automaticDeserialization: false` skips the
 * client's converters) and are parsed here.
 *
 * Scores: `VECTOR.QUERY` answers scores "normalized to 0..1, higher is closer" (Upstash's docs);
 * the emulator's COSINE score is `(1 + cos) / 2`, which is Redis's `VSIM` score and the formula
 * Upstash documents for its vector database. Hosted Upstash Redis does not publish its COSINE
 * formula. Scores are clamped to [0, 1].
 */
export class UpstashVectorIndex implements VectorIndex {
  readonly maxTopK = MAX_TOP_K;
  private readonly redis: Redis;
  private readonly raw: RawPipeline;
  private readonly model: EmbeddingModelInfo;
  /** Stores whose recorded model is this adapter's model. */
  private readonly verifiedStores = new Set<string>();

  /**
   * Queries send no `PROFILE`: the server's default, `BALANCED` (bench/vector-index.ts measures
   * the others with bench/index-variants/profiled-vector-query.ts).
   */
  constructor(options: { readonly redis: Redis; readonly model: EmbeddingModelInfo }) {
    const { dimensions, id } = options.model;
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSION) {
      throw new RangeError(
        `embedding model "${id}" has ${dimensions} dimensions; expected 1..${MAX_DIMENSION}`,
      );
    }
    if (id.length === 0) throw new RangeError('embedding model id is empty');
    this.redis = options.redis;
    this.raw = rawPipeline(options.redis);
    this.model = options.model;
  }

  async upsert(
    partition: VectorPartition,
    entries: ReadonlyArray<{ id: string; vector: Float32Array }>,
  ): Promise<void> {
    if (entries.length === 0) return;
    const key = indexKeys.vector(partition);
    const adds = entries.map(({ id, vector }): WireCommand => {
      requireId(id);
      return ['VECTOR.ADD', key, id, 'BASE64-FP32', this.encode(vector, `vector "${id}"`)];
    });
    await this.verifyForWrite(partition.storeId);
    const replies = await this.pipeline('write vectors', [
      ['VECTOR.CREATE', key, 'DIM', this.model.dimensions, 'METRIC', 'COSINE', 'EXISTSOK'],
      ...adds,
    ]);
    for (const [i, reply] of replies.entries()) {
      // A DEL between the create and an add (same request, but a pipeline is not atomic): retry.
      if (reply.error !== undefined && INDEX_MISSING.test(reply.error)) {
        throw new DependencyUnavailableError('The memory database is unavailable (write vectors)', 1, {
          cause: new Error(reply.error),
        });
      }
      if (reply.error !== undefined)
        throw commandFailed(i === 0 ? 'VECTOR.CREATE' : 'VECTOR.ADD', reply.error);
    }
  }

  async remove(partition: VectorPartition, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const key = indexKeys.vector(partition);
    const unique = [...new Set(ids)];
    for (const id of unique) requireId(id);
    const replies = await this.pipeline(
      'remove vectors',
      unique.map((id): WireCommand => ['VECTOR.DEL', key, id]),
    );
    for (const reply of replies) {
      // No index: nothing to remove.
      if (reply.error !== undefined && !INDEX_MISSING.test(reply.error)) {
        throw commandFailed('VECTOR.DEL', reply.error);
      }
    }
  }

  async query(
    partitions: readonly VectorPartition[],
    vector: Float32Array,
    topK: number,
  ): Promise<VectorHit[]> {
    if (!Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K) {
      throw new RangeError(`topK must be an integer in 1..${MAX_TOP_K}, got ${topK}`);
    }
    const encoded = this.encode(vector, 'query vector');
    if (partitions.length === 0) return [];
    const keys = [...new Set(partitions.map((partition) => indexKeys.vector(partition)))];
    const unverified = [...new Set(partitions.map((partition) => partition.storeId))].filter(
      (storeId) => !this.verifiedStores.has(storeId),
    );
    const replies = await this.pipeline('search vectors', [
      ...unverified.map(
        (storeId): WireCommand => ['HMGET', indexKeys.vectorModel(storeId), 'id', 'dimensions'],
      ),
      ...keys.map((key): WireCommand => ['VECTOR.QUERY', key, 'TOPK', topK, 'BASE64-FP32', encoded]),
    ]);

    // The model check first: on a mismatch the hits are meaningless (or the queries failed).
    for (const [i, storeId] of unverified.entries()) {
      const reply = replies[i]!;
      if (reply.error !== undefined) throw commandFailed('HMGET', reply.error);
      this.acceptModel(storeId, modelRecordSchema.parse(reply.result));
    }

    const best = new Map<string, number>();
    for (const reply of replies.slice(unverified.length)) {
      if (reply.error !== undefined) {
        if (INDEX_MISSING.test(reply.error)) continue; // a partition without an index has no hits
        throw commandFailed('VECTOR.QUERY', reply.error);
      }
      for (const [id, raw] of queryReplySchema.parse(reply.result)) {
        const score = Math.min(1, Math.max(0, raw));
        const seen = best.get(id);
        if (seen === undefined || score > seen) best.set(id, score);
      }
    }
    return [...best]
      .map(([id, score]) => ({ id, score }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async count(partition: VectorPartition): Promise<number> {
    const key = indexKeys.vector(partition);
    const reply: unknown = await redisCall('count vectors', () => this.redis.vector.index(key).count());
    return countReplySchema.parse(reply);
  }

  /**
   * Records this adapter's model as the store's model if none is recorded, and checks the recorded
   * one: one round trip the first time per store, none afterwards.
   */
  private async verifyForWrite(storeId: string): Promise<void> {
    if (this.verifiedStores.has(storeId)) return;
    const key = indexKeys.vectorModel(storeId);
    const reply: unknown = await redisCall('record embedding model', () =>
      this.redis
        .multi()
        .hsetnx(key, 'id', this.model.id)
        .hsetnx(key, 'dimensions', String(this.model.dimensions))
        .hmget(key, 'id', 'dimensions')
        .exec(),
    );
    const [, , recorded] = recordModelReplySchema.parse(reply);
    if (recorded === undefined) throw new Error('the embedding model record vanished while being written');
    this.acceptModel(storeId, recorded);
  }

  /** Caches a matching store; throws on another model; leaves a store with no record unverified. */
  private acceptModel(storeId: string, recorded: ModelRecord): void {
    if (recorded === undefined) return;
    if (recorded.id !== this.model.id || recorded.dimensions !== this.model.dimensions) {
      throw new EmbeddingModelMismatchError(recorded, {
        id: this.model.id,
        dimensions: this.model.dimensions,
      });
    }
    this.verifiedStores.add(storeId);
  }

  /** Checks a vector against the model and encodes it as the `BASE64-FP32` argument. */
  private encode(vector: Float32Array, what: string): string {
    if (!(vector instanceof Float32Array)) throw new TypeError(`${what} is not a Float32Array`);
    if (vector.length !== this.model.dimensions) {
      throw new RangeError(
        `${what} has ${vector.length} dimensions; embedding model "${this.model.id}" has ${this.model.dimensions}`,
      );
    }
    const bytes = Buffer.allocUnsafe(vector.length * 4);
    let sumOfSquares = 0;
    for (let i = 0; i < vector.length; i++) {
      const x = vector[i]!;
      if (!Number.isFinite(x)) throw new RangeError(`${what} has a non-finite element at ${i}`);
      sumOfSquares += x * x;
      bytes.writeFloatLE(x, i * 4);
    }
    if (sumOfSquares === 0) throw new RangeError(`${what} is all zeros, which has no cosine similarity`);
    return bytes.toString('base64');
  }

  /** Sends raw commands in one `POST /pipeline` (shared with other adapters' commands of the same tick). */
  private pipeline(what: string, commands: WireCommand[]): Promise<WireReply[]> {
    return redisCall(what, () => this.raw.send(commands));
  }
}

function requireId(id: string): void {
  if (typeof id !== 'string' || id.length === 0) throw new RangeError('a vector id cannot be empty');
}

/** Redis answered, but refused the command: a state problem (wrong type, dimension), not an outage. */
function commandFailed(command: string, error: string): Error {
  return new Error(`${command} failed: ${error}`);
}
