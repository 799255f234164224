import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startLocalStack } from '../dev/local-stack/local-stack.js';
import { formatTable } from '../scripts/build-functions.js';
import { formatColdStartTable, measureColdStarts } from './cold-start.js';
import { measureConsumer, measureEndpoints } from './endpoints.js';

/**
 * `npm run bench`: the figures every issue reports. Prints tables and writes
 * bench/results/latest.json (and appends to history.jsonl) so runs can be compared over time.
 * Measures only; asserts nothing about speed.
 */
const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const CONSUMER_MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500);

process.env.LOG_LEVEL ??= 'warn';
// API Gateway caches authorizer results (300 s by default); so does the local gateway here, so the
// figures below are the handlers' own round trips. The authorizer's lookup costs one more per miss.
const stack = await startLocalStack({
  authorizerCacheSeconds: 300,
  onProgress: (line) => process.stderr.write(`[bench] ${line}\n`),
});
let endpoints: Awaited<ReturnType<typeof measureEndpoints>>;
let consumer: Awaited<ReturnType<typeof measureConsumer>>;
try {
  endpoints = await measureEndpoints(stack, CALLS);
  consumer = await measureConsumer(stack, CONSUMER_MESSAGES);
} finally {
  await stack.stop();
}
const coldStarts = await measureColdStarts();

console.log('\nEndpoints through the local stack (sequential calls)');
console.log(
  formatTable(
    ['endpoint', 'redis round trips', 'first call', 'p50 ms', 'p95 ms'],
    endpoints.map((e) => [
      e.endpoint,
      String(e.redisRoundTrips),
      String(e.redisRoundTripsFirstCall),
      String(e.p50Ms),
      String(e.p95Ms),
    ]),
  ),
);
console.log(
  `\nPromotion consumer: ${consumer.messages} messages in ${consumer.seconds} s = ${consumer.messagesPerSecond} msg/s`,
);
console.log('\nCold start (fresh Node process per function, median of 3)');
console.log(formatColdStartTable(coldStarts));

const result = {
  at: new Date().toISOString(),
  node: process.version,
  machine: { cpus: (await import('node:os')).cpus().length },
  endpoints,
  consumer,
  coldStarts,
};
const dir = resolve(import.meta.dirname, 'results');
await mkdir(dir, { recursive: true });
await writeFile(resolve(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
await appendFile(resolve(dir, 'history.jsonl'), `${JSON.stringify(result)}\n`);
console.log(`\nwritten to bench/results/latest.json`);
