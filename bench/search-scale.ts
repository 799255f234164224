import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { apiClient } from '../dev/api-client.js';
import { startLocalStack } from '../dev/local-stack/local-stack.js';
import { cachedUseLiteEmbedder } from '../dev/offline-models/cached-use-lite.js';
import { createBedrockRuntimeClient } from '../lib/adapters/bedrock/bedrock-client.js';
import { BedrockTitanEmbedder } from '../lib/adapters/bedrock/bedrock-embedders.js';
import { createUpstashRedis } from '../lib/adapters/upstash/redis-client.js';
import { UpstashKeywordIndex } from '../lib/adapters/upstash/upstash-keyword-index.js';
import { UpstashMemoryRecordStore } from '../lib/adapters/upstash/upstash-memory-record-store.js';
import { UpstashStoreRegistry } from '../lib/adapters/upstash/upstash-registry.js';
import { UpstashVectorIndex } from '../lib/adapters/upstash/upstash-vector-index.js';
import { createLogger } from '../lib/observability/logger.js';
import type { Embedder } from '../lib/ports/embedder.js';
import { bulkCreateMemories } from '../lib/use-cases/long-term/bulk-create.js';
import { type EndpointFigures, measureEndpoint } from './endpoints.js';
import { memoryText, QUERIES } from './long-term.js';
import { percentile, round } from './stats.js';

/**
 * `npm run bench:scale -- --records 10000,100000`: hybrid (and semantic, keyword) search for one
 * owner at each size, through the local stack's HTTP API, with round trips counted at the Upstash
 * REST emulator. Records are seeded in-process through the production bulk-create use case and the
 * Upstash adapters (HTTP bulk create of 100k memories takes minutes), with an embedder that embeds
 * each of the 960 distinct sentence templates once through the Bedrock fake and gives every record
 * its template's vector plus a small deterministic perturbation: clustered data, as real memories
 * are, without 100k model calls. Queries are embedded by the Titan client against the same fake,
 * so query and memory vectors share the model; the query embedding is measured apart.
 * Measures only; writes bench/results/scale-latest.json and appends to scale-history.jsonl.
 */
const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '10000,100000' },
    calls: { type: 'string', default: '100' },
  },
});
const sizes = values.records.split(',').map(Number);
const calls = Number(values.calls);
const SEED_BATCH = 500;
let q = 0;
const next = () => QUERIES[q++ % QUERIES.length]!;

process.env.LOG_LEVEL ??= 'warn';
const stack = await startLocalStack({
  apiKeyCacheSeconds: 60,
  // Template and query embeddings are cached on disk, so reruns skip the model.
  bedrockBaseEmbedder: cachedUseLiteEmbedder(),
  onProgress: (line) => process.stderr.write(`[bench] ${line}\n`),
});
const results: Array<{ records: number; seedSeconds: number; endpoints: EndpointFigures[] }> = [];
let embedding: { p50Ms: number; p95Ms: number };
try {
  const client = await createBedrockRuntimeClient({
    region: stack.bedrock.region,
    endpoint: stack.bedrock.url,
    credentials: stack.bedrock.credentials,
  });
  const titan = new BedrockTitanEmbedder({ client });
  const seeder = templateEmbedder(titan);
  // Seeding batches are large (500 records): a generous limit per request, unlike the function's.
  const redis = createUpstashRedis({
    url: stack.upstash.url,
    token: stack.upstash.token,
    requestTimeoutMs: 60_000,
  });
  const deps = {
    records: new UpstashMemoryRecordStore(redis),
    vectors: new UpstashVectorIndex({ redis, model: titan.model }),
    keywords: new UpstashKeywordIndex(redis),
    embedder: seeder,
    stores: new UpstashStoreRegistry(redis),
    clock: { now: () => Date.now() },
    logger: createLogger('bench', 'warn'),
  };

  for (const size of sizes) {
    const storeId = `bench-scale-${size}`;
    await stack.createStore(storeId);
    const started = performance.now();
    for (let start = 0; start < size; start += SEED_BATCH) {
      const items = Array.from({ length: Math.min(SEED_BATCH, size - start) }, (_, j) => ({
        id: `m-${start + j}`,
        ownerId: 'owner-1',
        namespace: 'personal',
        text: memoryText(start + j),
      }));
      const { errors } = await bulkCreateMemories(deps, storeId, items);
      if (errors.length > 0) throw new Error(`seeding failed: ${errors[0]!.error}`);
      if ((start / SEED_BATCH) % 20 === 19 || start + SEED_BATCH >= size) {
        const seconds = (performance.now() - started) / 1000;
        process.stderr.write(
          `[bench] seeded ${Math.min(start + SEED_BATCH, size)}/${size} (${Math.round((start + SEED_BATCH) / seconds)}/s)\n`,
        );
      }
    }
    const seedSeconds = round((performance.now() - started) / 1000, 1);

    const api = apiClient(stack.apiUrl, await stack.mintApiKey({ [storeId]: ['read'] }));
    const path = `/v1/stores/${storeId}/long-term-memory/search`;
    const scoped = { filter: { ownerId: { eq: 'owner-1' }, namespace: { eq: 'personal' } }, limit: 10 };
    const endpoints: EndpointFigures[] = [];
    for (const mode of ['hybrid', 'semantic', 'keyword'] as const) {
      endpoints.push(
        await measureEndpoint(
          stack,
          `search ${mode}, ${size} records`,
          () => api.post(path, { ...scoped, text: next(), searchMode: mode }),
          // Every query once first, so measured calls find their vector in the function's cache.
          { calls, warmups: QUERIES.length, expected: 200 },
        ),
      );
    }
    results.push({ records: size, seedSeconds, endpoints });
    for (const e of endpoints) {
      process.stderr.write(
        `[bench] ${e.endpoint}: ${e.redisRoundTrips} round trips, p50 ${e.p50Ms} ms, p95 ${e.p95Ms} ms\n`,
      );
    }
  }

  const latencies: number[] = [];
  const salt = Date.now().toString(36);
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await titan.embedQuery(`${next()} ${salt} ${i}`);
    latencies.push(performance.now() - started);
  }
  embedding = { p50Ms: round(percentile(latencies, 50), 2), p95Ms: round(percentile(latencies, 95), 2) };
  client.destroy();
} finally {
  await stack.stop();
}

for (const { records, seedSeconds, endpoints } of results) {
  console.log(`\n${records} records for one owner (seeded in ${seedSeconds} s)`);
  for (const e of endpoints) {
    console.log(
      `  ${e.endpoint.padEnd(34)} round trips ${String(e.redisRoundTrips).padEnd(5)} p50 ${e.p50Ms} ms  p95 ${e.p95Ms} ms`,
    );
  }
}
console.log(
  `\nQuery embedding (excluded above; Titan client -> Bedrock fake): p50 ${embedding.p50Ms} ms, p95 ${embedding.p95Ms} ms`,
);
const result = { at: new Date().toISOString(), node: process.version, results, embedding };
const dir = resolve(import.meta.dirname, 'results');
await mkdir(dir, { recursive: true });
await writeFile(resolve(dir, 'scale-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
await appendFile(resolve(dir, 'scale-history.jsonl'), `${JSON.stringify(result)}\n`);

/**
 * Embeds a memory text as its sentence template (the text without its "(note N)" tail), computed
 * once per template through the real client, plus a perturbation seeded by the note number, so no
 * two records share a vector (identical vectors are not what an HNSW graph sees in practice).
 */
function templateEmbedder(inner: Embedder): Embedder {
  const templates = new Map<string, Promise<Float32Array>>();
  let queue: Promise<unknown> = Promise.resolve();
  const embedOne = async (text: string): Promise<Float32Array> => {
    const match = /^(.*) \(note (\d+)\)\.$/.exec(text);
    const template = match?.[1] ?? text;
    let base = templates.get(template);
    if (!base) {
      // One model call at a time: the fake runs the model in-process and times out under a burst.
      base = queue.then(() => inner.embedQuery(template));
      queue = base.catch(() => undefined);
      templates.set(template, base);
    }
    const vector = Float32Array.from(await base);
    let seed = Number(match?.[2] ?? 0) + 1;
    let norm = 0;
    for (let i = 0; i < vector.length; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      vector[i] = vector[i]! + ((seed / 2_147_483_648 - 0.5) * 0.6) / Math.sqrt(vector.length);
      norm += vector[i]! * vector[i]!;
    }
    for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / Math.sqrt(norm);
    return vector;
  };
  return {
    model: inner.model,
    embedDocuments: (texts) => Promise.all(texts.map(embedOne)),
    embedQuery: embedOne,
  };
}
