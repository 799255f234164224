import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { apiClient } from '../dev/api-client.js';
import { startLocalStack } from '../dev/local-stack/local-stack.js';
import { cachedUseLiteEmbedder } from '../dev/offline-models/cached-use-lite.js';
import { formatTable } from '../scripts/format-table.js';
import { percentile, prng, round } from './stats.js';

/**
 * `npm run bench:load`: a sustained mixed load through the local API (local API Gateway ->
 * authorizer -> handlers -> Upstash REST emulator -> Redis 8), many stores and owners at once:
 * ~60% appends, ~25% session reads, ~15% searches. Reports throughput, latency percentiles,
 * non-2xx answers and errors (goal: 0), and this process's memory every 5 s to reveal growth.
 * The load generator (autocannon) runs in the same process as the stack, so the figures are a
 * floor on one machine, not a capacity claim. Measures only; asserts nothing.
 */
const SECONDS = Number(process.env.LOAD_SECONDS ?? 120);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 16);
const STORES = Number(process.env.LOAD_STORES ?? 10);
const OWNERS = 5;
const MEMORIES_PER_OWNER = 20;
const READ_SESSIONS_PER_OWNER = 2;
const EVENTS_PER_READ_SESSION = 20;
/** Appends move to a fresh session after this many, so reads and appends stay steady-state. */
const EVENTS_PER_APPEND_SESSION = 50;
const SAMPLE_MS = 5_000;

process.env.LOG_LEVEL ??= 'warn';

type Kind = 'append' | 'session-read' | 'search';
const KINDS: readonly Kind[] = ['append', 'session-read', 'search'];

const TOPICS = ['food', 'travel', 'music', 'work', 'sport', 'books', 'family', 'health'];
const PLACES = ['Kyoto', 'Lisbon', 'Oslo', 'Lima', 'Hanoi', 'Cairo', 'Denver', 'Perth'];
const THINGS = ['ramen', 'jazz', 'cycling', 'sci-fi novels', 'espresso', 'yoga', 'chess', 'hiking'];
const QUERIES = [
  'what food does the user like',
  'where is the user travelling',
  'hobbies and sports',
  'favourite music',
  'work schedule',
  'books the user reads',
  'family members',
  'health and diet',
];

const random = prng(42);
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

interface Tenant {
  readonly storeId: string;
  readonly token: string;
}

const stack = await startLocalStack({
  // As deployed: the authorizer reuses a resolved key in memory for 60 s.
  apiKeyCacheSeconds: 60,
  // Seeded memories and the fixed query set are embedded once and cached on disk across runs.
  bedrockBaseEmbedder: cachedUseLiteEmbedder(),
  onProgress: (line) => process.stderr.write(`[load] ${line}\n`),
});

let figures: Awaited<ReturnType<typeof runLoad>>;
try {
  const tenants = await seed();
  figures = await runLoad(tenants);
} finally {
  await stack.stop();
}

async function seed(): Promise<Tenant[]> {
  const started = performance.now();
  const tenants: Tenant[] = [];
  for (let s = 0; s < STORES; s++) {
    const storeId = `load-${s}`;
    await stack.createStore(storeId);
    const token = await stack.mintApiKey({ [storeId]: ['read', 'write'] });
    const api = apiClient(stack.apiUrl, token);
    const base = `/v1/stores/${storeId}`;
    for (let o = 0; o < OWNERS; o++) {
      const memories = Array.from({ length: MEMORIES_PER_OWNER }, (_, m) => ({
        id: `m-${o}-${m}`,
        ownerId: `owner-${o}`,
        text: `The user likes ${THINGS[(o + m) % THINGS.length]} and went to ${PLACES[(s + m) % PLACES.length]} in ${2020 + (m % 6)}.`,
        topics: [TOPICS[m % TOPICS.length]!],
      }));
      const created = await api.post(`${base}/long-term-memory`, { memories });
      if (created.status !== 201 || created.body.errors.length > 0)
        throw new Error(`seeding memories of ${storeId} failed: ${created.status}`);
      for (let r = 0; r < READ_SESSIONS_PER_OWNER; r++) {
        for (let e = 0; e < EVENTS_PER_READ_SESSION; e++) {
          const appended = await api.post(`${base}/session-memory/events`, event(`read-${o}-${r}`, o, e));
          if (appended.status !== 201)
            throw new Error(`seeding events of ${storeId} failed: ${appended.status}`);
        }
      }
    }
    tenants.push({ storeId, token });
  }
  process.stderr.write(
    `[load] seeded ${STORES} stores × ${OWNERS} owners (${MEMORIES_PER_OWNER} memories, ${READ_SESSIONS_PER_OWNER} sessions of ${EVENTS_PER_READ_SESSION} events each) in ${Math.round(performance.now() - started)} ms\n`,
  );
  return tenants;
}

function event(sessionId: string, owner: number, i: number) {
  const user = i % 2 === 0;
  return {
    sessionId,
    actorId: user ? `owner-${owner}` : 'assistant',
    role: user ? 'USER' : 'ASSISTANT',
    content: [{ text: `Turn ${i}: I would like ${pick(THINGS)} somewhere near ${pick(PLACES)} next week.` }],
    createdAt: new Date(Date.UTC(2026, 5, 25, 18, 0, 0) + i * 1000).toISOString(),
  };
}

interface MemorySample {
  readonly atSeconds: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

async function runLoad(tenants: readonly Tenant[]) {
  const appendCounters = new Map<string, number>();
  const latencies: Record<Kind, number[]> = { append: [], 'session-read': [], search: [] };
  const statuses: Record<Kind, Record<string, number>> = { append: {}, 'session-read': {}, search: {} };
  const failures: string[] = [];
  // autocannon calls a request's onResponse and then emits 'response' with the duration,
  // synchronously, so the kind noted here belongs to the duration reported next.
  let completedKind: Kind = 'append';

  const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
  const started = performance.now();
  const samples: MemorySample[] = [];
  const sample = () => {
    const usage = process.memoryUsage();
    samples.push({
      atSeconds: Math.round((performance.now() - started) / 1000),
      rssMb: mb(usage.rss),
      heapUsedMb: mb(usage.heapUsed),
    });
  };
  sample();
  const sampler = setInterval(sample, SAMPLE_MS);

  let finish: (error: Error | null, result: autocannon.Result) => void = () => {};
  const finished = new Promise<autocannon.Result>((done, fail) => {
    finish = (error, result) => (error ? fail(error) : done(result));
  });
  const instance = autocannon(
    {
      url: stack.apiUrl,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          setupRequest: (request, context) => {
            const tenant = pick(tenants);
            const owner = Math.floor(random() * OWNERS);
            const base = `/v1/stores/${tenant.storeId}`;
            const roll = random();
            const kind: Kind = roll < 0.6 ? 'append' : roll < 0.85 ? 'session-read' : 'search';
            (context as { kind?: Kind }).kind = kind;
            const headers = { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' };
            if (kind === 'session-read') {
              const session = `read-${owner}-${Math.floor(random() * READ_SESSIONS_PER_OWNER)}`;
              return {
                ...request,
                method: 'GET',
                path: `${base}/session-memory/${session}`,
                headers,
                body: '',
              };
            }
            if (kind === 'search') {
              const body = { text: pick(QUERIES), limit: 5, filter: { ownerId: { eq: `owner-${owner}` } } };
              return {
                ...request,
                method: 'POST',
                path: `${base}/long-term-memory/search`,
                headers,
                body: JSON.stringify(body),
              };
            }
            const counterKey = `${tenant.storeId}/${owner}`;
            const n = appendCounters.get(counterKey) ?? 0;
            appendCounters.set(counterKey, n + 1);
            const session = `live-${owner}-${Math.floor(n / EVENTS_PER_APPEND_SESSION)}`;
            return {
              ...request,
              method: 'POST',
              path: `${base}/session-memory/events`,
              headers,
              body: JSON.stringify(event(session, owner, n % EVENTS_PER_APPEND_SESSION)),
            };
          },
          onResponse: (status, body, context) => {
            const kind = (context as { kind?: Kind }).kind ?? 'append';
            completedKind = kind;
            statuses[kind][status] = (statuses[kind][status] ?? 0) + 1;
            if ((status < 200 || status >= 300) && failures.length < 5)
              failures.push(`${kind} ${status} ${body.slice(0, 200)}`);
          },
        },
      ],
    },
    (error, result) => finish(error, result),
  );
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    latencies[completedKind].push(responseTime);
  });
  const result = await finished;
  clearInterval(sampler);
  sample();

  const all = KINDS.flatMap((kind) => latencies[kind]);
  const summary = (values: readonly number[]) => ({
    count: values.length,
    p50Ms: round(percentile(values, 50), 1),
    p95Ms: round(percentile(values, 95), 1),
    p99Ms: round(percentile(values, 99), 1),
  });
  const nonSuccess = (kind: Kind) =>
    Object.entries(statuses[kind])
      .filter(([status]) => Number(status) < 200 || Number(status) >= 300)
      .reduce((sum, [, count]) => sum + count, 0);
  return {
    seconds: SECONDS,
    connections: CONNECTIONS,
    stores: STORES,
    ownersPerStore: OWNERS,
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.total / result.duration, 1),
    ...summary(all),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    byKind: Object.fromEntries(
      KINDS.map((kind) => [
        kind,
        { ...summary(latencies[kind]), non2xx: nonSuccess(kind), statuses: statuses[kind] },
      ]),
    ) as Record<Kind, ReturnType<typeof summary> & { non2xx: number; statuses: Record<string, number> }>,
    failureSamples: failures,
    memory: {
      first: samples[0]!,
      last: samples.at(-1)!,
      maxRssMb: Math.max(...samples.map((s) => s.rssMb)),
      maxHeapUsedMb: Math.max(...samples.map((s) => s.heapUsedMb)),
      samples,
    },
  };
}

const row = (
  name: string,
  f: { count: number; p50Ms: number; p95Ms: number; p99Ms: number },
  non2xx: number,
) => [name, String(f.count), String(f.p50Ms), String(f.p95Ms), String(f.p99Ms), String(non2xx)];
console.log(
  `\nMixed load through the local API: ${figures.seconds} s, ${figures.connections} connections, ${figures.stores} stores × ${figures.ownersPerStore} owners`,
);
console.log(
  formatTable(
    ['requests', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx'],
    [
      ...KINDS.map((kind) => row(kind, figures.byKind[kind], figures.byKind[kind].non2xx)),
      row('all', figures, figures.non2xx),
    ],
  ),
);
console.log(
  `\nthroughput ${figures.requestsPerSecond} req/s; non-2xx ${figures.non2xx}, errors ${figures.errors}, timeouts ${figures.timeouts}`,
);
for (const failure of figures.failureSamples) console.log(`  e.g. ${failure}`);
const { first, last } = figures.memory;
console.log(
  `process memory (every ${SAMPLE_MS / 1000} s): RSS ${first.rssMb} -> ${last.rssMb} MB (max ${figures.memory.maxRssMb}), ` +
    `heap used ${first.heapUsedMb} -> ${last.heapUsedMb} MB (max ${figures.memory.maxHeapUsedMb})`,
);

const output = {
  at: new Date().toISOString(),
  node: process.version,
  machine: { cpus: cpus().length },
  ...figures,
};
const dir = resolve(import.meta.dirname, 'results');
await mkdir(dir, { recursive: true });
await writeFile(resolve(dir, 'load-latest.json'), `${JSON.stringify(output, null, 2)}\n`);
await appendFile(resolve(dir, 'load-history.jsonl'), `${JSON.stringify(output)}\n`);
console.log('\nwritten to bench/results/load-latest.json');
