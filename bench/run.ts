import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startLocalStack } from '../dev/local-stack/local-stack.js';
import { cachedUseLiteEmbedder } from '../dev/offline-models/cached-use-lite.js';
import { formatTable } from '../scripts/format-table.js';
import { formatColdStartTable, measureColdStarts } from './cold-start.js';
import { formatControlPlaneTable, measureControlPlane } from './control-plane.js';
import { formatDocumentIngestion, measureDocumentIngestion } from './documents.js';
import { formatEndpointTable, measureConsumer, measureEndpoints } from './endpoints.js';
import { measureLongTerm } from './long-term.js';
import { measureMcp } from './mcp.js';
import { formatViewTable, measureSummaryViews } from './summary-views.js';

/**
 * `npm run bench`: the figures every issue reports. Prints tables and writes
 * bench/results/latest.json (and appends to history.jsonl) so runs can be compared over time.
 * Measures only; asserts nothing about speed.
 */
const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const CONSUMER_MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500);
const LONG_TERM_RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000);

process.env.LOG_LEVEL ??= 'warn';
// As deployed: API Gateway does not cache authorizer results (clients may send either key header),
// the authorizer reuses a resolved key in memory for 60 s. So the figures below are the handlers'
// own round trips; a key the authorizer has not seen for 60 s costs one more.
const stack = await startLocalStack({
  apiKeyCacheSeconds: 60,
  // Embeddings of the synthetic memories are cached on disk, so reruns skip the model.
  bedrockBaseEmbedder: cachedUseLiteEmbedder(),
  onProgress: (line) => process.stderr.write(`[bench] ${line}\n`),
});
let endpoints: Awaited<ReturnType<typeof measureEndpoints>>;
let consumer: Awaited<ReturnType<typeof measureConsumer>>;
let longTerm: Awaited<ReturnType<typeof measureLongTerm>>;
let controlPlane: Awaited<ReturnType<typeof measureControlPlane>>;
let mcp: Awaited<ReturnType<typeof measureMcp>>;
let views: Awaited<ReturnType<typeof measureSummaryViews>>;
let documents: Awaited<ReturnType<typeof measureDocumentIngestion>>;
try {
  endpoints = await measureEndpoints(stack, CALLS);
  controlPlane = await measureControlPlane(stack, Math.min(CALLS, 100));
  consumer = await measureConsumer(stack, CONSUMER_MESSAGES);
  longTerm = await measureLongTerm(stack, LONG_TERM_RECORDS, Math.min(CALLS, 100));
  mcp = await measureMcp(stack, Math.min(CALLS, 100));
  views = await measureSummaryViews(stack, Math.min(CALLS / 10, 20), 100);
  documents = await measureDocumentIngestion(stack, { documents: 4, sections: 40 });
} finally {
  await stack.stop();
}
const coldStarts = await measureColdStarts();
// Its own process: the explorer needs a local stack whose functions allow its origin (CORS is read
// when a handler module loads, once per process).
const explorerRun = spawnSync(
  process.execPath,
  ['--import', 'tsx', resolve(import.meta.dirname, 'explorer.ts')],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, BENCH_RECORDS: String(LONG_TERM_RECORDS) },
  },
);
const explorer =
  explorerRun.status === 0
    ? JSON.parse(await readFile(resolve(import.meta.dirname, 'results/explorer-latest.json'), 'utf8'))
        .explorer
    : { error: `bench/explorer.ts exited with ${explorerRun.status}` };

console.log('\nEndpoints through the local stack (sequential calls)');
console.log(formatEndpointTable(endpoints, formatTable));
console.log(
  `\nLong-term memory, ${longTerm.records} records for one owner: ingest ${longTerm.ingestRecordsPerSecond} records/s ` +
    `(bulk calls of 100, ${longTerm.roundTripsPerBulkCreate} Redis round trips each)`,
);
console.log(formatEndpointTable(longTerm.endpoints, formatTable));
console.log(
  `Search latency above excludes the query embedding; embedding one query (Titan client -> Bedrock fake, USE-Lite): p50 ${longTerm.queryEmbeddingP50Ms} ms, p95 ${longTerm.queryEmbeddingP95Ms} ms`,
);
console.log('\nMCP tools/call with the official client, next to the REST route of the same use case');
console.log(formatEndpointTable(mcp, formatTable));
console.log('\nControl plane through the local admin API (SigV4, sequential calls)');
console.log(formatControlPlaneTable(controlPlane, formatTable));
console.log(
  `\nPromotion consumer: ${consumer.messages} messages in ${consumer.seconds} s = ${consumer.messagesPerSecond} msg/s`,
);
console.log('\nSummary-view refreshes: write → ready and model tokens per refresh (offline view summarizer)');
console.log(formatViewTable(views));
console.log(`\n${formatDocumentIngestion(documents)}`);
console.log('\nCold start (fresh Node process per function, median of 3)');
console.log(formatColdStartTable(coldStarts));

const result = {
  at: new Date().toISOString(),
  node: process.version,
  machine: { cpus: (await import('node:os')).cpus().length },
  endpoints,
  consumer,
  longTerm,
  controlPlane,
  mcp,
  views,
  documents,
  coldStarts,
  explorer,
};
const dir = resolve(import.meta.dirname, 'results');
await mkdir(dir, { recursive: true });
await writeFile(resolve(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
await appendFile(resolve(dir, 'history.jsonl'), `${JSON.stringify(result)}\n`);
console.log(`\nwritten to bench/results/latest.json`);
