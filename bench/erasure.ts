/**
 * `npm run bench:erasure`: throughput of the erasure job and of NDJSON export and import, through
 * the local API with the offline embedder (USE-Lite behind the Bedrock fake): import records/s
 * (parse, re-embed, index), export records/s (pages of 500), erase records/s (one owner's memories,
 * sessions and index partitions, from EraseOwner's 202 to the job's SUCCEEDED, worked by direct
 * runs of the job as the maintenance schedule does). Measures only; the tests check correctness.
 * Writes bench/results/erasure-latest.json and appends to erasure-history.jsonl.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { apiClient } from '../dev/api-client.js';
import { startLocalStack } from '../dev/local-stack/local-stack.js';
import { cachedUseLiteEmbedder } from '../dev/offline-models/cached-use-lite.js';
import { createUpstashRedis } from '../lib/adapters/upstash/redis-client.js';
import { UpstashErasure } from '../lib/adapters/upstash/upstash-erasure.js';
import { UpstashErasureJobs } from '../lib/adapters/upstash/upstash-erasure-jobs.js';
import { createLogger } from '../lib/observability/logger.js';
import { systemClock } from '../lib/ports/clock.js';
import { runErasure } from '../lib/use-cases/erasure/jobs.js';
import { round } from './stats.js';

const RECORDS = Number(process.env.ERASURE_RECORDS ?? 2_000);
const SESSIONS = Number(process.env.ERASURE_SESSIONS ?? 50);
const OWNER = 'bench-owner';
/**
 * Lines per import request: below the limit of 100 because the offline embedder (USE-Lite in WASM,
 * on a shared 2-core machine) took past the local HTTP budget on 100 new texts; Titan on Bedrock
 * embeds in parallel.
 */
const IMPORT_CHUNK = Number(process.env.ERASURE_IMPORT_CHUNK ?? 25);

process.env.LOG_LEVEL ??= 'warn';
const stack = await startLocalStack({
  apiKeyCacheSeconds: 60,
  bedrockBaseEmbedder: cachedUseLiteEmbedder(),
  onProgress: (line) => process.stderr.write(`[bench] ${line}\n`),
});
try {
  const storeId = `bench-erase-${Date.now().toString(36)}`;
  await stack.createStore(storeId);
  const api = apiClient(stack.apiUrl, await stack.mintApiKey({ [storeId]: ['read', 'write'] }));
  const base = `/v1/stores/${storeId}`;
  const ndjson = { headers: { 'content-type': 'application/x-ndjson' } };

  // Import: IMPORT_CHUNK lines per request (at most 100), 4 namespaces.
  const lines = Array.from({ length: RECORDS }, (_, i) =>
    JSON.stringify({
      id: `r${i}`,
      text: `The user mentioned detail number ${i} about trip ${i % 37} and meal ${i % 11}`,
      ownerId: OWNER,
      namespace: `ns${i % 4}`,
    }),
  );
  let started = performance.now();
  for (let i = 0; i < lines.length; i += IMPORT_CHUNK) {
    const answer = await api.post(
      `${base}/long-term-memory/import`,
      lines.slice(i, i + IMPORT_CHUNK).join('\n'),
      ndjson,
    );
    if (answer.status !== 200 || answer.body.errors.length > 0) throw new Error(`import: ${answer.status}`);
  }
  const importSeconds = (performance.now() - started) / 1000;

  // Export: every page of the owner.
  started = performance.now();
  let exported = 0;
  let token: string | null = null;
  do {
    const suffix = token ? `&pageToken=${encodeURIComponent(token)}` : '';
    const page = await api.get(`${base}/long-term-memory/export?ownerId=${OWNER}&limit=500${suffix}`);
    if (page.status !== 200) throw new Error(`export: ${page.status}`);
    exported += typeof page.body === 'string' ? page.body.split('\n').filter(Boolean).length : 1;
    token = page.headers.get('next-page-token');
  } while (token);
  const exportSeconds = (performance.now() - started) / 1000;

  // Sessions of the owner, 4 events each, then erase everything.
  for (let s = 0; s < SESSIONS; s++) {
    for (let e = 0; e < 4; e++) {
      await api.post(`${base}/session-memory/events`, {
        sessionId: `s${s}`,
        actorId: OWNER,
        role: 'USER',
        content: [{ text: `event ${e} of session ${s}` }],
        createdAt: new Date(Date.UTC(2026, 5, 25, 18, e)).toISOString(),
      });
    }
  }
  const redis = createUpstashRedis({ url: stack.upstash.url, token: stack.upstash.token });
  const deps = {
    eraser: new UpstashErasure(redis),
    erasures: new UpstashErasureJobs(redis),
    clock: systemClock,
    logger: createLogger('bench-erasure'),
  };
  started = performance.now();
  const job = await api.post(`${base}/owners/${OWNER}/erase`);
  let state = job.body.erasure;
  let runs = 0;
  while (state?.state !== 'SUCCEEDED') {
    state = await runErasure(deps, job.body.erasure.jobId, { deadline: Date.now() + 30_000 });
    runs += 1;
  }
  const eraseSeconds = (performance.now() - started) / 1000;

  const result = {
    at: new Date().toISOString(),
    records: RECORDS,
    sessions: SESSIONS,
    importRecordsPerSecond: round(RECORDS / importSeconds, 1),
    exportRecordsPerSecond: round(exported / exportSeconds, 1),
    eraseRecordsPerSecond: round((state.erased.memories + state.erased.sessions) / eraseSeconds, 1),
    erase: { seconds: round(eraseSeconds, 2), runs, ...state.erased },
  };
  console.log(JSON.stringify(result, null, 2));
  const dir = resolve(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(resolve(dir, 'erasure-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  await appendFile(resolve(dir, 'erasure-history.jsonl'), `${JSON.stringify(result)}\n`);
} finally {
  await stack.stop();
}
