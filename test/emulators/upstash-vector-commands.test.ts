import { randomUUID } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisInstance, startRedis } from '../../dev/local-stack/redis-server.js';
import { startUpstashRestServer, type UpstashRestServer } from '../../dev/local-stack/upstash/server.js';
import { INDEX_SENTINEL } from '../../dev/local-stack/upstash/vector-commands.js';
import { VECTOR_LIBRARY_NAME } from '../../dev/local-stack/upstash/vector-library.js';

let redisServer: RedisInstance;
let emulator: UpstashRestServer;
let direct: IORedis;

beforeAll(async () => {
  redisServer = await startRedis();
  emulator = await startUpstashRestServer({ redisUrl: redisServer.url, token: 'vector-token' });
  direct = new IORedis(redisServer.url);
}, 300_000);

afterAll(async () => {
  direct?.disconnect();
  await emulator?.stop();
  await redisServer?.stop();
});

type Encoding = 'base64' | false;

function client(options: { responseEncoding?: Encoding; automaticDeserialization?: boolean } = {}): Redis {
  return new Redis({
    url: emulator.url,
    token: emulator.token,
    responseEncoding: options.responseEncoding ?? 'base64',
    automaticDeserialization: options.automaticDeserialization ?? false,
    enableTelemetry: false,
    retry: false,
  });
}

function indexName(): string {
  return `vec:${randomUUID()}:ünï`;
}

/** With `automaticDeserialization: false` the client hands back the wire reply untouched. */
type RawHits = [string, string][];

const cosineScore = (a: number[], b: number[]) => (1 + dot(a, b) / (norm(a) * norm(b))) / 2;
const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

async function rest(path: string, body: unknown, base64 = false): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${emulator.token}`,
      ...(base64 ? { 'upstash-encoding': 'base64' } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe.each<Encoding>(['base64', false])(
  'redis.vector with automaticDeserialization: false (encoding %s)',
  (encoding) => {
    const redis = () => client({ responseEncoding: encoding });

    it('creates an index, idempotently only with existsOk and only with the same shape', async () => {
      const r = redis();
      const name = indexName();
      const index = await r.vector.createIndex({ name, dimension: 3, metric: 'COSINE' });
      expect(index.name).toBe(name);
      expect(await new Redis({ url: emulator.url, token: emulator.token }).exists(name)).toBe(1);
      await expect(r.vector.createIndex({ name, dimension: 3, metric: 'COSINE' })).rejects.toThrow(
        `ERR Index ${name} already exists`,
      );
      await expect(
        r.vector.createIndex({ name, dimension: 3, metric: 'COSINE', existsOk: true }),
      ).resolves.toBeDefined();
      await expect(
        r.vector.createIndex({ name, dimension: 4, metric: 'COSINE', existsOk: true }),
      ).rejects.toThrow(/different dimension or metric/);
      await expect(
        r.vector.createIndex({ name, dimension: 3, metric: 'DOT', existsOk: true }),
      ).rejects.toThrow(/different dimension or metric/);
      expect(await index.info()).toEqual(['dimension', 3, 'metric', 'COSINE']);
      expect(await index.count()).toBe(0);
    });

    it('adds vectors in every input form, upserting by id', async () => {
      const r = redis();
      const index = await r.vector.createIndex({ name: indexName(), dimension: 3, metric: 'COSINE' });
      expect(await index.add('plain-array', [0.25, -0.5, 1])).toBe(1);
      expect(await index.add('float32', new Float32Array([1, 2, 3]))).toBe(1);
      const blob = Buffer.from(new Float32Array([-1, 0, 0.5]).buffer).toString('base64');
      expect(await index.add('base64 ✓', { base64: blob })).toBe(1);
      expect(await index.count()).toBe(3);

      expect(await index.get('plain-array')).toEqual(['0.25', '-0.5', '1']);
      expect(await index.get('float32')).toEqual(['1', '2', '3']);
      expect((await index.get('base64 ✓'))!.map(Number)).toEqual([-1, 0, 0.5]);

      expect(await index.add('float32', [3, 2, 1])).toBe(0);
      expect(await index.count()).toBe(3);
      const replaced = (await index.get('float32'))!.map(Number);
      expect(replaced[0]).toBeCloseTo(3, 5);
      expect(replaced[1]).toBeCloseTo(2, 5);
      expect(replaced[2]).toBeCloseTo(1, 5);
      expect(await index.get('missing')).toBeNull();
    });

    it('returns vectors at float32 precision', async () => {
      const index = await redis().vector.createIndex({
        name: indexName(),
        dimension: 2,
        metric: 'EUCLIDEAN',
      });
      await index.add('a', [0.1, 0.2]);
      const values = (await index.get('a'))!.map(Number);
      expect(values).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    });

    it('queries top-k by cosine, best first, with Upstash-normalized scores', async () => {
      const r = redis();
      const index = await r.vector.createIndex({ name: indexName(), dimension: 4, metric: 'COSINE' });
      const vectors: Record<string, number[]> = {
        same: [1, 2, 3, 4],
        scaled: [2, 4, 6, 8.5],
        near: [1, 2, 3, 2],
        orthogonal: [-2, 1, 0, 0],
        opposite: [-1, -2, -3, -4],
      };
      for (const [id, vector] of Object.entries(vectors)) await index.add(id, vector);
      const query = [1, 2, 3, 4];

      const hits = (await index.query({ vector: query, topK: 3 })) as unknown as RawHits;
      expect(hits.map(([id]) => id)).toEqual(['same', 'scaled', 'near']);
      for (const [id, score] of hits) expect(Number(score)).toBeCloseTo(cosineScore(vectors[id]!, query), 5);

      const all = (await index.query({
        vector: new Float32Array(query),
        topK: 1000,
        profile: 'PRECISE',
      })) as unknown as RawHits;
      expect(all.map(([id]) => id)).toEqual(['same', 'scaled', 'near', 'orthogonal', 'opposite']);
      expect(Number(all[3]![1])).toBeCloseTo(0.5, 5);
      expect(Number(all[4]![1])).toBeCloseTo(0, 5);
      const fast = (await index.query({ vector: query, topK: 2, profile: 'FAST' })) as unknown as RawHits;
      expect(fast.map(([id]) => id)).toEqual(['same', 'scaled']);
    });

    it('queries EUCLIDEAN and DOT exactly, with 1/(1+d²) and (1+a·b)/2 scores', async () => {
      const r = redis();
      const vectors: Record<string, number[]> = {
        origin: [0, 0],
        close: [1, 1.1],
        // Same direction as the query but far away: a cosine ranking would put it first.
        farAligned: [10, 10],
        side: [1, -1],
      };
      const query = [1, 1];

      const euclidean = await r.vector.createIndex({ name: indexName(), dimension: 2, metric: 'EUCLIDEAN' });
      for (const [id, vector] of Object.entries(vectors)) await euclidean.add(id, vector);
      const byDistance = (await euclidean.query({ vector: query, topK: 4 })) as unknown as RawHits;
      expect(byDistance.map(([id]) => id)).toEqual(['close', 'origin', 'side', 'farAligned']);
      const squaredDistance = (a: number[]) => a.reduce((sum, x, i) => sum + (x - query[i]!) ** 2, 0);
      for (const [id, score] of byDistance) {
        expect(Number(score)).toBeCloseTo(1 / (1 + squaredDistance(vectors[id]!)), 5);
      }

      const dotIndex = await r.vector.createIndex({ name: indexName(), dimension: 2, metric: 'DOT' });
      for (const [id, vector] of Object.entries(vectors)) await dotIndex.add(id, vector);
      const byDot = (await dotIndex.query({ vector: query, topK: 2 })) as unknown as RawHits;
      expect(byDot.map(([id]) => id)).toEqual(['farAligned', 'close']);
      expect(Number(byDot[1]![1])).toBeCloseTo((1 + 2.1) / 2, 5);
    });

    it('deletes vectors, keeps an emptied index, and counts a missing index as 0', async () => {
      const r = redis();
      const name = indexName();
      const index = await r.vector.createIndex({ name, dimension: 2, metric: 'COSINE' });
      await index.add('a', [1, 0]);
      await index.add('b', [0, 1]);
      expect(await index.delete('a')).toBe(1);
      expect(await index.delete('a')).toBe(0);
      expect(await index.count()).toBe(1);
      expect(await index.delete('b')).toBe(1);
      expect(await index.count()).toBe(0);
      expect(await index.info()).toEqual(['dimension', 2, 'metric', 'COSINE']);
      expect(await index.query({ vector: [1, 0], topK: 5 })).toEqual([]);

      const missing = r.vector.index(indexName());
      expect(await missing.count()).toBe(0);
      expect(await missing.info()).toBeNull();
      expect(await missing.drop()).toBe(0);
      await expect(missing.get('a')).rejects.toThrow(`ERR Index ${missing.name} is not found`);
      await expect(missing.delete('a')).rejects.toThrow(`ERR Index ${missing.name} is not found`);
      await expect(missing.add('a', [1, 0])).rejects.toThrow(`ERR Index ${missing.name} is not found`);
      await expect(missing.query({ vector: [1, 0], topK: 1 })).rejects.toThrow(/is not found/);
    });

    it('drops an index, and DEL and EXPIRE act on the index key', async () => {
      const r = redis();
      const dropped = await r.vector.createIndex({ name: indexName(), dimension: 2, metric: 'DOT' });
      await dropped.add('a', [1, 0]);
      expect(await dropped.drop()).toBe(1);
      expect(await dropped.drop()).toBe(0);
      expect(await dropped.info()).toBeNull();

      const deleted = await r.vector.createIndex({ name: indexName(), dimension: 2, metric: 'COSINE' });
      await deleted.add('a', [1, 0]);
      expect(await r.del(deleted.name)).toBe(1);
      expect(await deleted.info()).toBeNull();
      expect(await deleted.count()).toBe(0);
      // The key is free again, even for another shape.
      await r.vector.createIndex({ name: deleted.name, dimension: 5, metric: 'EUCLIDEAN' });
      expect(await deleted.info()).toEqual(['dimension', 5, 'metric', 'EUCLIDEAN']);

      const expiring = await r.vector.createIndex({ name: indexName(), dimension: 2, metric: 'COSINE' });
      await expiring.add('a', [1, 0]);
      expect(await r.expire(expiring.name, 100)).toBe(1);
      expect(await r.ttl(expiring.name)).toBeGreaterThan(90);
      expect(await r.pexpire(expiring.name, 60)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await expiring.info()).toBeNull();
      expect(await r.exists(expiring.name)).toBe(0);
    });

    it('rejects wrong dimensions, bad arguments and keys of another type', async () => {
      const r = redis();
      const index = await r.vector.createIndex({ name: indexName(), dimension: 3, metric: 'COSINE' });
      await expect(index.add('a', [1, 2])).rejects.toThrow(/dimension mismatch: index has 3, got 2/);
      await expect(index.query({ vector: [1, 2, 3, 4], topK: 1 })).rejects.toThrow(/dimension mismatch/);
      await expect(index.query({ vector: [1, 2, 3], topK: 0 })).rejects.toThrow(/TOPK/);
      await expect(index.query({ vector: [1, 2, 3], topK: 1001 })).rejects.toThrow(/TOPK/);
      await expect(index.add('', [1, 2, 3])).rejects.toThrow(/id cannot be empty/);
      await expect(index.add('nan', { base64: 'not base64!' })).rejects.toThrow(/base64/);
      await expect(
        r.vector.createIndex({ name: indexName(), dimension: 0, metric: 'COSINE' }),
      ).rejects.toThrow(/DIM/);
      await expect(
        r.vector.createIndex({ name: indexName(), dimension: 2, metric: 'L1' as 'DOT' }),
      ).rejects.toThrow(/METRIC/);

      const stringKey = indexName();
      await r.set(stringKey, 'not an index');
      const wrongType = 'WRONGTYPE Operation against a key holding the wrong kind of value';
      await expect(r.vector.createIndex({ name: stringKey, dimension: 2, metric: 'COSINE' })).rejects.toThrow(
        wrongType,
      );
      const onString = r.vector.index(stringKey);
      await expect(onString.count()).rejects.toThrow(wrongType);
      await expect(onString.info()).rejects.toThrow(wrongType);
      await expect(onString.drop()).rejects.toThrow(wrongType);
      expect(await r.get(stringKey)).toBe('not an index');
    });
  },
);

describe('redis.vector with the default automatic deserialization', () => {
  it('gives the client its documented shapes: {id, score}[], number[], {dimension, metric}', async () => {
    const r = client({ automaticDeserialization: true });
    const index = await r.vector.createIndex({ name: indexName(), dimension: 3, metric: 'EUCLIDEAN' });
    await index.add('x', [1, 0, 0]);
    await index.add('y', [0, 1, 0]);
    const hits = await index.query({ vector: [1, 0, 0], topK: 2 });
    expect(hits).toEqual([
      { id: 'x', score: 1 },
      { id: 'y', score: 1 / 3 },
    ]);
    expect(await index.get('y')).toEqual([0, 1, 0]);
    expect(await index.info()).toEqual({ dimension: 3, metric: 'EUCLIDEAN' });
    expect(await index.count()).toBe(2);
    expect(await r.vector.index(indexName()).info()).toBeNull();
  });
});

describe('vector index storage', () => {
  it('keeps the whole index in one vector set at the index key, config in a hidden sentinel', async () => {
    const r = client();
    const index = await r.vector.createIndex({ name: indexName(), dimension: 2, metric: 'DOT' });
    await index.add('a', [3, 4]);
    expect(await direct.type(index.name)).toBe('vectorset');
    expect(await direct.call('VCARD', index.name)).toBe(2);
    expect(JSON.parse(String(await direct.call('VGETATTR', index.name, INDEX_SENTINEL)))).toEqual({
      upstashVectorIndex: 1,
      dim: 2,
      metric: 'DOT',
    });
    // Each element's attribute carries its norm, which DOT and EUCLIDEAN scoring read.
    expect(await direct.call('VGETATTR', index.name, 'a')).toBe('{"norm":5}');
    // The sentinel is invisible through VECTOR.*.
    expect(await index.get(INDEX_SENTINEL)).toBeNull();
    expect(await index.delete(INDEX_SENTINEL)).toBe(0);
    await expect(index.add(INDEX_SENTINEL, [1, 1])).rejects.toThrow(/invalid id/);
    const hits = (await index.query({ vector: [1, 1], topK: 10 })) as unknown as RawHits;
    expect(hits.map(([id]) => id)).toEqual(['a']);
    // DOT scores are (1 + a·b) / 2 = (1 + 7) / 2, beyond 1 because the vectors are not unit length.
    expect(Number(hits[0]![1])).toBeCloseTo(4, 5);
  });

  it('does not treat a vector set made with a raw VADD as an index', async () => {
    const key = indexName();
    await direct.call('VADD', key, 'VALUES', '2', '1', '0', 'e');
    const r = client();
    await expect(r.vector.index(key).count()).rejects.toThrow(/^WRONGTYPE/);
    await expect(r.vector.createIndex({ name: key, dimension: 2, metric: 'COSINE' })).rejects.toThrow(
      /^WRONGTYPE/,
    );
  });

  it('runs vector commands inside pipelines and transactions', async () => {
    const name = indexName();
    const pipeline = await rest(
      '/pipeline',
      [
        ['VECTOR.CREATE', name, 'DIM', 2, 'METRIC', 'COSINE'],
        ['VECTOR.ADD', name, 'a', 'VALUES', 2, 1, 0],
        ['VECTOR.ADD', name, 'b', 'VALUES', 3, 1, 0, 0],
        ['VECTOR.QUERY', name, 'TOPK', 1, 'VALUES', 2, 1, 0.1, 'PROFILE', 'FAST'],
      ],
      true,
    );
    expect(pipeline.status).toBe(200);
    const [created, added, wrongDim, query] = pipeline.body as { result?: unknown; error?: string }[];
    expect(created).toEqual({ result: 1 });
    expect(added).toEqual({ result: 1 });
    expect(wrongDim!.error).toMatch(/dimension mismatch/);
    const hits = query!.result as [string, string][];
    expect(hits.map(([id]) => Buffer.from(id, 'base64').toString())).toEqual(['a']);

    const transaction = await rest('/multi-exec', [
      ['VECTOR.ADD', name, 'c', 'VALUES', 2, 0, 1],
      ['VECTOR.COUNT', name],
      ['VECTOR.DEL', name, 'a'],
      ['VECTOR.INFO', name],
    ]);
    expect(transaction).toEqual({
      status: 200,
      body: [{ result: 1 }, { result: 2 }, { result: 1 }, { result: ['dimension', 2, 'metric', 'COSINE'] }],
    });
    const syntax = await rest('/multi-exec', [
      ['VECTOR.ADD', name, 'd', 'VALUES', 2, 0, 1],
      ['VECTOR.ADD', name, 'e', 'VALUES'],
    ]);
    expect(syntax.status).toBe(400);
    expect((syntax.body as { error: string }).error).toMatch(/^EXECABORT/);
    expect(await client().vector.index(name).get('d')).toBeNull();
  });

  it('recovers when the vector function library is flushed from Redis', async () => {
    const r = client();
    const index = await r.vector.createIndex({ name: indexName(), dimension: 2, metric: 'COSINE' });
    await index.add('a', [1, 0]);
    await direct.call('FUNCTION', 'DELETE', VECTOR_LIBRARY_NAME);
    expect(await index.count()).toBe(1);
    await direct.call('FUNCTION', 'DELETE', VECTOR_LIBRARY_NAME);
    const transaction = await rest('/multi-exec', [['VECTOR.ADD', index.name, 'b', 'VALUES', 2, 0, 1]]);
    expect(transaction).toEqual({ status: 200, body: [{ result: 1 }] });
    expect(await index.count()).toBe(2);
  });

  it('finds each vector as its own nearest neighbour in a 1536-dimension index', async () => {
    const r = client();
    const index = await r.vector.createIndex({ name: indexName(), dimension: 1536, metric: 'COSINE' });
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31 - 0.5;
    };
    const vectors = Array.from({ length: 150 }, () => Float32Array.from({ length: 1536 }, random));
    await Promise.all(vectors.map((vector, i) => index.add(`doc-${i}`, vector)));
    expect(await index.count()).toBe(150);
    for (const i of [0, 77, 149]) {
      const [top] = (await index.query({ vector: vectors[i]!, topK: 3 })) as unknown as RawHits;
      expect(top![0]).toBe(`doc-${i}`);
      expect(Number(top![1])).toBeCloseTo(1, 5);
    }
  });
});
