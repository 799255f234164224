import { randomUUID } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedisInstance, startRedis } from '../../dev/local-stack/redis-server.js';
import { startUpstashRestServer, type UpstashRestServer } from '../../dev/local-stack/upstash/server.js';
import { indexKeys } from '../../lib/adapters/upstash/keys.js';
import { createUpstashRedis } from '../../lib/adapters/upstash/redis-client.js';
import { UpstashVectorIndex } from '../../lib/adapters/upstash/upstash-vector-index.js';
import { EmbeddingModelMismatchError } from '../../lib/domain/embedding-errors.js';
import type { EmbeddingModelInfo } from '../../lib/ports/embedder.js';
import type { VectorPartition } from '../../lib/ports/vector-index.js';

const DIM = 64;
const MODEL: EmbeddingModelInfo = { id: 'test-embed-64', dimensions: DIM };

let redis: RedisInstance;
let upstash: UpstashRestServer;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  upstash = await startUpstashRestServer({ redisUrl: redis.url, token: 'vector-index-token' });
  client = createUpstashRedis({ url: upstash.url, token: upstash.token });
});
afterAll(async () => {
  await upstash?.stop();
  await redis?.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

function adapter(model: EmbeddingModelInfo = MODEL): UpstashVectorIndex {
  return new UpstashVectorIndex({ redis: client, model });
}

function newStoreId(): string {
  return `vs-${randomUUID().slice(0, 8)}`;
}

function partitionOf(storeId: string, ownerId = 'user-1', namespace: string | undefined = undefined) {
  return { storeId, ownerId, namespace } satisfies VectorPartition;
}

/** Deterministic PRNG (mulberry32), so a failing recall figure can be reproduced. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform on the unit sphere: normalized Gaussian components (Box-Muller). */
function unitVector(random: () => number, dim = DIM): Float32Array {
  const v = new Float32Array(dim);
  let sum = 0;
  for (let i = 0; i < dim; i++) {
    const x = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    v[i] = x;
    sum += x * x;
  }
  const norm = Math.sqrt(sum);
  for (let i = 0; i < dim; i++) v[i] = v[i]! / norm;
  return v;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

function bruteForce(vectors: ReadonlyMap<string, Float32Array>, query: Float32Array, topK: number) {
  return [...vectors]
    .map(([id, v]) => ({ id, score: (1 + cosine(query, v)) / 2 }))
    .sort((a, b) => b.score - a.score)
    .slice(0, topK);
}

/** A vector close to `base` (cosine about 1 - spread^2/2). */
function near(base: Float32Array, random: () => number, spread: number): Float32Array {
  const noise = unitVector(random, base.length);
  const v = base.map((x, i) => x + spread * noise[i]!);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

async function requestsDuring(run: () => Promise<unknown>): Promise<number> {
  const before = upstash.stats.httpRequests;
  await run();
  return upstash.stats.httpRequests - before;
}

/** Request bodies the client POSTs while `run` runs. */
async function bodiesSentDuring(run: () => Promise<unknown>): Promise<Array<{ url: string; body: unknown }>> {
  const sent: Array<{ url: string; body: unknown }> = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    sent.push({ url: String(input), body: JSON.parse(String(init?.body)) });
    return realFetch(input, init);
  });
  await run();
  vi.restoreAllMocks();
  return sent;
}

describe('UpstashVectorIndex', () => {
  it('sends each vector as BASE64-FP32, byte for byte what the client sends for a Float32Array', async () => {
    const index = adapter();
    const partition = partitionOf(newStoreId());
    const key = indexKeys.vector(partition);
    const vector = unitVector(prng(1));
    await index.upsert(partition, [{ id: 'warm-up', vector }]);

    const ours = await bodiesSentDuring(() => index.upsert(partition, [{ id: 'm-1', vector }]));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.url).toBe(`${upstash.url}/pipeline`);
    const [create, add] = ours[0]!.body as unknown[][];
    expect(create).toEqual(['VECTOR.CREATE', key, 'DIM', DIM, 'METRIC', 'COSINE', 'EXISTSOK']);
    expect(add!.slice(0, 4)).toEqual(['VECTOR.ADD', key, 'm-1', 'BASE64-FP32']);
    const bytes = Buffer.from(add![4] as string, 'base64');
    expect(bytes.length).toBe(DIM * 4);
    expect(new Float32Array(bytes.buffer, bytes.byteOffset, DIM)).toEqual(vector);

    const theirs = await bodiesSentDuring(() => client.vector.index(key).add('m-1', vector));
    expect(theirs[0]!.body).toEqual(add);

    // The stored vector comes back exactly (float32 widened to double, as decimal strings).
    const stored: unknown = await client.vector.index(key).get('m-1');
    expect((stored as string[]).map(Number)).toEqual([...vector]);
  });

  it('ranks like brute-force cosine: recall@10 >= 0.95 on 2,000 random unit vectors, scores (1 + cos) / 2', async () => {
    const index = adapter();
    const partition = partitionOf(newStoreId());
    const random = prng(42);
    const vectors = new Map<string, Float32Array>();
    for (let i = 0; i < 2000; i++) vectors.set(`m-${i}`, unitVector(random));
    const entries = [...vectors].map(([id, vector]) => ({ id, vector }));
    for (let i = 0; i < entries.length; i += 100) await index.upsert(partition, entries.slice(i, i + 100));
    expect(await index.count(partition)).toBe(2000);

    const queries = 50;
    let found = 0;
    for (let q = 0; q < queries; q++) {
      // Half random directions, half near a stored vector (as a paraphrase would be).
      const query = q % 2 === 0 ? unitVector(random) : near(vectors.get(`m-${q * 37}`)!, random, 0.5);
      const hits = await index.query([partition], query, 10);
      const exact = bruteForce(vectors, query, 10);
      expect(hits).toHaveLength(10);
      const exactIds = new Set(exact.map((hit) => hit.id));
      found += hits.filter((hit) => exactIds.has(hit.id)).length;
      for (const [i, hit] of hits.entries()) {
        expect(hit.score).toBeGreaterThanOrEqual(0);
        expect(hit.score).toBeLessThanOrEqual(1);
        expect(Math.abs(hit.score - (1 + cosine(query, vectors.get(hit.id)!)) / 2)).toBeLessThan(1e-3);
        if (i > 0) expect(hit.score).toBeLessThanOrEqual(hits[i - 1]!.score);
      }
      if (q % 2 === 1) expect(hits[0]!.id).toBe(exact[0]!.id);
    }
    const recall = found / (queries * 10);
    expect(recall).toBeGreaterThanOrEqual(0.95);

    // A stored vector finds itself first, with score 1.
    const self = await index.query([partition], vectors.get('m-7')!, 1);
    expect(self[0]!.id).toBe('m-7');
    expect(self[0]!.score).toBeCloseTo(1, 5);
  });

  it('keeps partitions apart: owners and namespaces of one store, and stores', async () => {
    const index = adapter();
    const storeId = newStoreId();
    const random = prng(7);
    const shared = unitVector(random);
    const partitions = [
      partitionOf(storeId, 'user-1', undefined),
      partitionOf(storeId, 'user-1', 'travel'),
      partitionOf(storeId, 'user-2', undefined),
      partitionOf(newStoreId(), 'user-1', undefined),
    ];
    for (const [i, partition] of partitions.entries()) {
      await index.upsert(partition, [
        { id: 'same-id', vector: shared },
        { id: `only-${i}`, vector: unitVector(random) },
      ]);
    }
    for (const [i, partition] of partitions.entries()) {
      expect(await index.count(partition)).toBe(2);
      const hits = await index.query([partition], shared, 10);
      expect(hits.map((hit) => hit.id).sort()).toEqual([`only-${i}`, 'same-id']);
    }
    await index.remove(partitions[0]!, ['same-id']);
    expect(await index.count(partitions[0]!)).toBe(1);
    expect(await index.count(partitions[1]!)).toBe(2);
    // Namespaces are case-insensitive: the same partition.
    expect(await index.count(partitionOf(storeId, 'user-1', 'TRAVEL'))).toBe(2);
  });

  it('merges several partitions in one request: by score, best first, each id once with its best score', async () => {
    const index = adapter();
    const storeId = newStoreId();
    const random = prng(11);
    const a = partitionOf(storeId, 'user-1', 'a');
    const b = partitionOf(storeId, 'user-1', 'b');
    const query = unitVector(random);
    const inA = new Map(Array.from({ length: 20 }, (_, i) => [`a-${i}`, near(query, random, 0.2 + i * 0.1)]));
    const inB = new Map(
      Array.from({ length: 20 }, (_, i) => [`b-${i}`, near(query, random, 0.25 + i * 0.1)]),
    );
    // One id in both partitions (say, a memory that moved namespace): closer in b.
    inA.set('both', near(query, random, 1.5));
    inB.set('both', near(query, random, 0.01));
    await index.upsert(
      a,
      [...inA].map(([id, vector]) => ({ id, vector })),
    );
    await index.upsert(
      b,
      [...inB].map(([id, vector]) => ({ id, vector })),
    );

    let hits: Awaited<ReturnType<UpstashVectorIndex['query']>> = [];
    expect(await requestsDuring(async () => (hits = await index.query([a, b, a], query, 5)))).toBe(1);
    const expected = [...bruteForce(inA, query, 5), ...bruteForce(inB, query, 5)]
      .sort((x, y) => y.score - x.score)
      .filter((hit, i, all) => all.findIndex((other) => other.id === hit.id) === i);
    expect(hits.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.id));
    expect(hits[0]!.id).toBe('both');
    expect(hits[0]!.score).toBeCloseTo((1 + cosine(query, inB.get('both')!)) / 2, 3);
    expect(new Set(hits.map((hit) => hit.id)).size).toBe(hits.length);
    expect(hits.length).toBeLessThanOrEqual(10);
  });

  it('answers a query over partitions without an index from the partitions that have one', async () => {
    const index = adapter();
    const storeId = newStoreId();
    const random = prng(13);
    const existing = partitionOf(storeId, 'user-1');
    const vector = unitVector(random);
    await index.upsert(existing, [{ id: 'm-1', vector }]);
    const missing = [partitionOf(storeId, 'user-9'), partitionOf(storeId, 'user-1', 'nowhere')];

    const hits = await index.query([missing[0]!, existing, missing[1]!], vector, 10);
    expect(hits.map((hit) => hit.id)).toEqual(['m-1']);
    expect(await index.query(missing, vector, 10)).toEqual([]);
    expect(await index.query([], vector, 10)).toEqual([]);
    // A store with no vectors at all (no model record either).
    expect(await adapter().query([partitionOf(newStoreId())], vector, 10)).toEqual([]);
  });

  it('removes vectors; removing from a missing index is a no-op; the last removal leaves an empty index', async () => {
    const index = adapter();
    const partition = partitionOf(newStoreId());
    const random = prng(17);
    const vectors = Array.from({ length: 5 }, (_, i) => ({ id: `m-${i}`, vector: unitVector(random) }));
    await index.upsert(partition, vectors);

    expect(await requestsDuring(() => index.remove(partition, ['m-0', 'm-1', 'unknown', 'm-1']))).toBe(1);
    expect(await index.count(partition)).toBe(3);
    const hits = await index.query([partition], vectors[0]!.vector, 10);
    expect(hits.map((hit) => hit.id).sort()).toEqual(['m-2', 'm-3', 'm-4']);

    await index.remove(partition, ['m-2', 'm-3', 'm-4']);
    expect(await index.count(partition)).toBe(0);
    expect(await index.query([partition], vectors[0]!.vector, 10)).toEqual([]);
    expect(await client.exists(indexKeys.vector(partition))).toBe(1);

    await index.remove(partitionOf(newStoreId()), ['m-0']);
    expect(await requestsDuring(() => index.remove(partition, []))).toBe(0);
  });

  it('counts 0 for a missing index', async () => {
    expect(await adapter().count(partitionOf(newStoreId(), 'nobody', 'none'))).toBe(0);
  });

  it('re-upserting an id replaces its vector', async () => {
    const index = adapter();
    const partition = partitionOf(newStoreId());
    const random = prng(19);
    const [first, second, other] = [unitVector(random), unitVector(random), unitVector(random)];
    await index.upsert(partition, [
      { id: 'm-1', vector: first },
      { id: 'm-2', vector: other },
    ]);
    await index.upsert(partition, [{ id: 'm-1', vector: second }]);
    expect(await index.count(partition)).toBe(2);
    const hits = await index.query([partition], second, 2);
    expect(hits[0]).toMatchObject({ id: 'm-1' });
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    // The opposite direction scores 0.
    const opposite = await index.query(
      [partition],
      second.map((x) => -x),
      2,
    );
    expect(opposite.at(-1)).toMatchObject({ id: 'm-1' });
    expect(opposite.at(-1)!.score).toBeCloseTo(0, 5);
    const stale = await index.query([partition], first, 2);
    expect(stale.find((hit) => hit.id === 'm-1')!.score).toBeCloseTo((1 + cosine(first, second)) / 2, 3);
    // The last of duplicate ids in one batch wins.
    await index.upsert(partition, [
      { id: 'm-3', vector: first },
      { id: 'm-3', vector: other },
    ]);
    const tied = await index.query([partition], other, 3);
    // Equal scores are ordered by id.
    expect(tied.slice(0, 2).map((hit) => hit.id)).toEqual(['m-2', 'm-3']);
    expect(tied[1]!.score).toBeCloseTo(1, 5);
  });

  it.each([
    ['another model id', { id: 'other-embed-64', dimensions: DIM }],
    ['another dimension', { id: MODEL.id, dimensions: 32 }],
    ['another model and dimension', { id: 'other-embed-128', dimensions: 128 }],
  ])('refuses %s for writes and queries, writing nothing', async (_, other) => {
    const storeId = newStoreId();
    const partition = partitionOf(storeId);
    await adapter().upsert(partition, [{ id: 'm-1', vector: unitVector(prng(23)) }]);

    const wrong = adapter(other);
    const vector = unitVector(prng(29), other.dimensions);
    const newPartition = partitionOf(storeId, 'user-2');
    for (const attempt of [
      () => wrong.upsert(partition, [{ id: 'm-2', vector }]),
      () => wrong.upsert(newPartition, [{ id: 'm-2', vector }]),
      () => wrong.query([partition], vector, 10),
      () => wrong.query([newPartition], vector, 10),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmbeddingModelMismatchError);
      expect((error as EmbeddingModelMismatchError).code).toBe('conflict');
      expect((error as Error).message).toContain(`"${MODEL.id}" (${DIM} dimensions)`);
      expect((error as Error).message).toContain(`"${other.id}" (${other.dimensions} dimensions)`);
    }
    expect(await adapter().count(partition)).toBe(1);
    expect(await client.exists(indexKeys.vector(newPartition))).toBe(0);
    expect(await client.hgetall(indexKeys.vectorModel(storeId))).toEqual([
      'id',
      MODEL.id,
      'dimensions',
      String(DIM),
    ]);
    // The recorded model still works, from a fresh process (adapter).
    expect((await adapter().query([partition], unitVector(prng(23)), 1))[0]).toMatchObject({ id: 'm-1' });
  });

  it('records the model of the first writer when two models race on a new store', async () => {
    const storeId = newStoreId();
    const results = await Promise.allSettled([
      adapter().upsert(partitionOf(storeId, 'user-1'), [{ id: 'a', vector: unitVector(prng(31)) }]),
      adapter({ id: 'other-embed-32', dimensions: 32 }).upsert(partitionOf(storeId, 'user-2'), [
        { id: 'b', vector: unitVector(prng(37), 32) },
      ]),
    ]);
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.filter((result) => result.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(EmbeddingModelMismatchError);
    const winner = results[0]!.status === 'fulfilled' ? MODEL.id : 'other-embed-32';
    expect(await client.hget(indexKeys.vectorModel(storeId), 'id')).toBe(winner);
  });

  it('costs one request per upsert batch and per query once the store is verified', async () => {
    const storeId = newStoreId();
    const random = prng(41);
    const batch = () => Array.from({ length: 100 }, () => ({ id: randomUUID(), vector: unitVector(random) }));
    const a = partitionOf(storeId, 'user-1');
    const b = partitionOf(storeId, 'user-2');

    // Writer first: the first write records the model (MULTI) before sending vectors.
    const writer = adapter();
    expect(await requestsDuring(() => writer.upsert(a, batch()))).toBe(2);
    expect(await requestsDuring(() => writer.upsert(a, batch()))).toBe(1);
    expect(await requestsDuring(() => writer.upsert(b, batch()))).toBe(1); // new index, same request
    expect(await requestsDuring(() => writer.query([a, b], unitVector(random), 10))).toBe(1);
    expect(await requestsDuring(() => writer.count(a))).toBe(1);
    expect(await requestsDuring(() => writer.remove(a, ['x', 'y']))).toBe(1);

    // Reader first: the model check rides in the first query's request.
    const reader = adapter();
    expect(await requestsDuring(() => reader.query([a], unitVector(random), 10))).toBe(1);
    expect(await requestsDuring(() => reader.query([a, b], unitVector(random), 50))).toBe(1);
    expect(await requestsDuring(() => reader.upsert(b, batch()))).toBe(1);

    // Commands too: create + 100 adds per batch; one query per partition.
    upstash.resetStats();
    await writer.upsert(a, batch());
    await writer.query([a, b, partitionOf(storeId, 'user-3')], unitVector(random), 10);
    expect(upstash.stats).toEqual({ httpRequests: 2, commands: 101 + 3 });
  });

  it('refuses a vector of the wrong dimension, non-finite or all zeros before sending anything', async () => {
    const index = adapter();
    const partition = partitionOf(newStoreId());
    const good = unitVector(prng(43));
    await index.upsert(partition, [{ id: 'm-1', vector: good }]);
    const cases: Array<[Float32Array, RegExp]> = [
      [
        new Float32Array(DIM + 1).fill(0.1),
        /vector "m-2" has 65 dimensions; embedding model "test-embed-64" has 64/,
      ],
      [new Float32Array(DIM).fill(Number.NaN), /non-finite/],
      [new Float32Array(DIM), /all zeros/],
    ];
    for (const [vector, message] of cases) {
      const requests = await requestsDuring(async () => {
        await expect(
          index.upsert(partition, [
            { id: 'm-0', vector: good },
            { id: 'm-2', vector },
          ]),
        ).rejects.toThrow(message);
      });
      expect(requests).toBe(0);
    }
    await expect(index.query([partition], good.subarray(0, 10), 10)).rejects.toThrow(
      /query vector has 10 dimensions; embedding model "test-embed-64" has 64/,
    );
    await expect(index.query([partition], good, 0)).rejects.toThrow(RangeError);
    await expect(index.query([partition], good, 1001)).rejects.toThrow(RangeError);
    await expect(index.upsert(partition, [{ id: '', vector: good }])).rejects.toThrow(/empty/);
    expect(await index.count(partition)).toBe(1);
  });

  it('lets DEL and EXPIRE on the index key remove the index; the next upsert re-creates it', async () => {
    const index = adapter();
    const partition = partitionOf(newStoreId());
    const key = indexKeys.vector(partition);
    const vector = unitVector(prng(47));
    await index.upsert(partition, [{ id: 'm-1', vector }]);

    expect(await client.del(key)).toBe(1);
    expect(await index.count(partition)).toBe(0);
    expect(await index.query([partition], vector, 10)).toEqual([]);

    expect(await requestsDuring(() => index.upsert(partition, [{ id: 'm-2', vector }]))).toBe(1);
    expect(await index.count(partition)).toBe(1);
    expect((await index.query([partition], vector, 10)).map((hit) => hit.id)).toEqual(['m-2']);

    expect(await client.pexpire(key, 50)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await client.exists(key)).toBe(0);
    expect(await index.count(partition)).toBe(0);
    expect(await index.query([partition], vector, 10)).toEqual([]);
  });
});
