import { startRedis } from '../dev/local-stack/redis-server.js';
import { startUpstashRestServer, type UpstashRestServer } from '../dev/local-stack/upstash/server.js';
import { createUpstashRedis } from '../lib/adapters/upstash/redis-client.js';
import { UpstashVectorIndex } from '../lib/adapters/upstash/upstash-vector-index.js';
import type { VectorHit, VectorPartition } from '../lib/ports/vector-index.js';
import { formatTable } from '../scripts/format-table.js';
import { isMainModule } from '../scripts/main-module.js';
import { ProfiledVectorQuery } from './index-variants/profiled-vector-query.js';
import { percentile, prng } from './stats.js';

export interface VectorIndexBenchOptions {
  /** Vectors in the single-partition run, and in total over the partitioned run (default 10,000). */
  readonly vectors?: number;
  readonly dimensions?: number;
  /** Vectors per upsert call (default 100). */
  readonly batchSize?: number;
  /** Timed queries per figure (default 200). */
  readonly queries?: number;
  /** Partitions in the partitioned run (default 100). */
  readonly partitions?: number;
  /**
   * `random`: uniform on the sphere, the hardest case for an HNSW graph (no structure, every
   * neighbour about as far as the next). `clustered`: points around 100 centres, closer to what
   * text embeddings look like. Queries are fresh points from the same distribution.
   */
  readonly data?: 'random' | 'clustered';
  readonly seed?: number;
}

export interface QueryFigures {
  readonly label: string;
  readonly topK: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  /** Share of the exact (brute-force cosine) top 10 found in the answer's first 10. */
  readonly recallAt10: number;
  /** HTTP requests (Upstash round trips) per query, store already verified. */
  readonly roundTrips: number;
  /** Redis commands per query. */
  readonly commands: number;
}

export interface VectorIndexFigures {
  readonly vectors: number;
  readonly dimensions: number;
  readonly data: 'random' | 'clustered';
  readonly batchSize: number;
  readonly queries: number;
  /** Single partition: upsert throughput over all batches (first batch included). */
  readonly insertVectorsPerSecond: number;
  /** Round trips of the first batch to a store (model record + vectors) and of the later ones. */
  readonly insertRoundTripsFirstBatch: number;
  readonly insertRoundTripsPerBatch: number;
  /** The first query of a fresh adapter, the model check riding along. */
  readonly firstQueryRoundTrips: number;
  readonly singlePartition: readonly QueryFigures[];
  readonly partitions: number;
  readonly partitionedInsertVectorsPerSecond: number;
  readonly partitioned: readonly QueryFigures[];
}

const DEFAULTS = {
  vectors: 10_000,
  dimensions: 512,
  batchSize: 100,
  queries: 200,
  partitions: 100,
  data: 'random',
  seed: 1,
} as const;

/**
 * Vector index figures through the local stack's Upstash REST emulator (Redis 8 vector sets):
 * upsert throughput, query latency, recall against brute-force cosine and round trips per query,
 * for one big partition and for the same number of vectors over many small partitions (one
 * partition per query vs all of them fanned out in one pipelined request). Measures only.
 */
export async function measureVectorIndex(
  stack: { readonly upstash: UpstashRestServer },
  options: VectorIndexBenchOptions = {},
): Promise<VectorIndexFigures> {
  const o = { ...DEFAULTS, ...options };
  const redis = createUpstashRedis({
    url: stack.upstash.url,
    token: stack.upstash.token,
    requestTimeoutMs: 30_000,
  });
  const model = { id: `bench-embed-${o.dimensions}`, dimensions: o.dimensions };
  const index = new UpstashVectorIndex({ redis, model });
  const random = prng(o.seed);
  const sample = sampler(o.data, o.dimensions, random);
  const run = `${Date.now().toString(36)}${Math.floor(random() * 1e6).toString(36)}`;

  // One partition of `vectors` vectors.
  const storeId = `bench-vec-${run}`;
  const partition: VectorPartition = { storeId, ownerId: 'user-1', namespace: undefined };
  const vectors = Array.from({ length: o.vectors }, (_, i) => ({ id: `m-${i}`, vector: sample() }));
  let insertRoundTripsFirstBatch = 0;
  let laterBatchTrips = 0;
  const insertStarted = performance.now();
  for (let i = 0; i < vectors.length; i += o.batchSize) {
    const trips = await countRequests(stack.upstash, () =>
      index.upsert(partition, vectors.slice(i, i + o.batchSize)),
    );
    if (i === 0) insertRoundTripsFirstBatch = trips;
    else laterBatchTrips += trips;
  }
  const insertSeconds = (performance.now() - insertStarted) / 1000;
  const batches = Math.ceil(vectors.length / o.batchSize);

  const firstQueryRoundTrips = await countRequests(stack.upstash, () =>
    new UpstashVectorIndex({ redis, model }).query([partition], sample(), 10),
  );

  const queries = Array.from({ length: o.queries }, () => sample());
  const exact = queries.map((query) => bruteForce(vectors, query, 10));
  const singlePartition: QueryFigures[] = [];
  for (const topK of [10, 50]) {
    singlePartition.push(
      await timeQueries(stack.upstash, `1 partition of ${o.vectors}`, topK, queries, exact, (query) =>
        index.query([partition], query, topK),
      ),
    );
  }
  for (const profile of ['FAST', 'PRECISE'] as const) {
    const profiled = new ProfiledVectorQuery(redis, profile);
    singlePartition.push(
      await timeQueries(
        stack.upstash,
        `1 partition of ${o.vectors}, ${profile}`,
        10,
        queries,
        exact,
        (query) => profiled.query([partition], query, 10),
      ),
    );
  }

  // The same number of vectors over `partitions` partitions of one store (one owner each).
  const spreadStore = `bench-vec-${run}-p`;
  const partitions: VectorPartition[] = Array.from({ length: o.partitions }, (_, i) => ({
    storeId: spreadStore,
    ownerId: `user-${i}`,
    namespace: undefined,
  }));
  const perPartition = Math.ceil(o.vectors / o.partitions);
  const spread = vectors.map((entry, i) => ({ ...entry, partition: Math.floor(i / perPartition) }));
  const partitionedStarted = performance.now();
  for (let p = 0; p < o.partitions; p++) {
    const entries = spread.filter((entry) => entry.partition === p);
    for (let i = 0; i < entries.length; i += o.batchSize) {
      await index.upsert(partitions[p]!, entries.slice(i, i + o.batchSize));
    }
  }
  const partitionedSeconds = (performance.now() - partitionedStarted) / 1000;
  const partitioned: QueryFigures[] = [];
  // One partition per query (the common case: one owner in one namespace), cycling through them.
  const ownPartition = queries.map((_, q) => q % o.partitions);
  const exactOwn = queries.map((query, q) =>
    bruteForce(
      spread.filter((entry) => entry.partition === ownPartition[q]),
      query,
      10,
    ),
  );
  partitioned.push(
    await timeQueries(stack.upstash, `1 of ${o.partitions} partitions`, 10, queries, exactOwn, (query, i) =>
      index.query([partitions[ownPartition[i]!]!], query, 10),
    ),
  );
  for (const topK of [10, 50]) {
    partitioned.push(
      await timeQueries(stack.upstash, `all ${o.partitions} partitions`, topK, queries, exact, (query) =>
        index.query(partitions, query, topK),
      ),
    );
  }

  return {
    vectors: o.vectors,
    dimensions: o.dimensions,
    data: o.data,
    batchSize: o.batchSize,
    queries: o.queries,
    insertVectorsPerSecond: Math.round(o.vectors / insertSeconds),
    insertRoundTripsFirstBatch,
    insertRoundTripsPerBatch:
      batches > 1 ? round(laterBatchTrips / (batches - 1), 2) : insertRoundTripsFirstBatch,
    firstQueryRoundTrips,
    singlePartition,
    partitions: o.partitions,
    partitionedInsertVectorsPerSecond: Math.round(o.vectors / partitionedSeconds),
    partitioned,
  };
}

async function timeQueries(
  upstash: UpstashRestServer,
  label: string,
  topK: number,
  queries: readonly Float32Array[],
  exact: readonly VectorHit[][],
  query: (vector: Float32Array, i: number) => Promise<VectorHit[]>,
): Promise<QueryFigures> {
  for (const [i, vector] of queries.slice(0, 10).entries()) await query(vector, i); // warm-up
  const latencies: number[] = [];
  let found = 0;
  upstash.resetStats();
  for (const [i, vector] of queries.entries()) {
    const started = performance.now();
    const hits = await query(vector, i);
    latencies.push(performance.now() - started);
    const truth = new Set(exact[i]!.map((hit) => hit.id));
    found += hits.slice(0, 10).filter((hit) => truth.has(hit.id)).length;
  }
  const { httpRequests, commands } = upstash.stats;
  const expected = exact.reduce((sum, hits) => sum + hits.length, 0);
  return {
    label,
    topK,
    p50Ms: round(percentile(latencies, 50), 2),
    p95Ms: round(percentile(latencies, 95), 2),
    recallAt10: round(found / expected, 3),
    roundTrips: round(httpRequests / queries.length, 2),
    commands: round(commands / queries.length, 2),
  };
}

async function countRequests(upstash: UpstashRestServer, run: () => Promise<unknown>): Promise<number> {
  const before = upstash.stats.httpRequests;
  await run();
  return upstash.stats.httpRequests - before;
}

function bruteForce(
  entries: ReadonlyArray<{ id: string; vector: Float32Array }>,
  query: Float32Array,
  topK: number,
): VectorHit[] {
  // Unit vectors: cosine is the dot product.
  const scored = entries.map(({ id, vector }) => {
    let dot = 0;
    for (let i = 0; i < vector.length; i++) dot += vector[i]! * query[i]!;
    return { id, score: (1 + dot) / 2 };
  });
  return scored.sort((a, b) => b.score - a.score).slice(0, topK);
}

function sampler(data: 'random' | 'clustered', dimensions: number, random: () => number): () => Float32Array {
  if (data === 'random') return () => unitVector(random, dimensions);
  const centres = Array.from({ length: 100 }, () => unitVector(random, dimensions));
  return () => {
    const centre = centres[Math.floor(random() * centres.length)]!;
    const noise = unitVector(random, dimensions);
    // Cosine to the centre about 0.8, to another point of the cluster about 0.65.
    return normalize(centre.map((x, i) => x + 0.75 * noise[i]!));
  };
}

/** Uniform on the unit sphere: normalized Gaussian components (Box-Muller). */
function unitVector(random: () => number, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  for (let i = 0; i < dimensions; i++) {
    v[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  }
  return normalize(v);
}

function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  return v.map((x) => x / norm);
}

/** Deterministic PRNG (mulberry32). */

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function formatVectorIndexFigures(figures: VectorIndexFigures): string {
  const head = [
    `${figures.vectors.toLocaleString('en-US')} ${figures.data} unit vectors of ${figures.dimensions} dimensions, ` +
      `upserts of ${figures.batchSize}, ${figures.queries} queries per row`,
    `insert, 1 partition:              ${figures.insertVectorsPerSecond.toLocaleString('en-US')} vectors/s ` +
      `(round trips per batch: ${figures.insertRoundTripsPerBatch}; first batch to a store: ${figures.insertRoundTripsFirstBatch})`,
    `insert, ${figures.partitions} partitions:            ${figures.partitionedInsertVectorsPerSecond.toLocaleString('en-US')} vectors/s`,
    `first query of a fresh adapter:   ${figures.firstQueryRoundTrips} round trip (model check in the same request)`,
    '',
  ];
  const rows = [...figures.singlePartition, ...figures.partitioned].map((f) => [
    f.label,
    String(f.topK),
    f.p50Ms.toFixed(2),
    f.p95Ms.toFixed(2),
    f.recallAt10.toFixed(3),
    String(f.roundTrips),
    String(f.commands),
  ]);
  return [
    ...head,
    formatTable(['query over', 'topK', 'p50 ms', 'p95 ms', 'recall@10', 'round trips', 'commands'], rows),
  ].join('\n');
}

if (isMainModule(import.meta.url)) {
  // `tsx bench/vector-index.ts [random|clustered] [vectors]`
  const data = process.argv[2] === 'clustered' ? 'clustered' : 'random';
  const vectors = process.argv[3] ? Number(process.argv[3]) : undefined;
  const redis = await startRedis({ onProgress: (line) => process.stderr.write(`[bench] ${line}\n`) });
  const upstash = await startUpstashRestServer({ redisUrl: redis.url, token: 'bench-vector-index' });
  try {
    const figures = await measureVectorIndex({ upstash }, { data, ...(vectors ? { vectors } : {}) });
    console.log(formatVectorIndexFigures(figures));
  } catch (error) {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  } finally {
    await upstash.stop();
    await redis.stop();
  }
}
