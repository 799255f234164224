/**
 * Cold-start proxy: for each function, a fresh `node` process imports the production bundle (built
 * by scripts/build-functions.ts) and reports how long after its own start the module was imported
 * and `handler` was a function. This is module load + init code + Node's own bootstrap, on this
 * machine: compare functions and revisions with it, not with Lambda's Init Duration. Measures only,
 * never asserts.
 *
 *   tsx bench/cold-start.ts              # table for every function
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { allFunctions } from '../functions/catalog.js';
import { environmentForNeeds, type NeedValues } from '../lib/config/needs.js';
import { buildFunctions, type FunctionBundle } from '../scripts/build-functions.js';
import { formatTable } from '../scripts/format-table.js';
import { isMainModule } from '../scripts/main-module.js';

export interface ColdStartResult {
  readonly name: string;
  readonly bundleBytes: number;
  readonly gzipBytes: number;
  /** Median over the runs of: process start → bundle imported and `handler` is a function. */
  readonly handlerReadyMs: number;
}

export interface ColdStartOptions {
  /** Catalog names; all functions when absent or empty. */
  readonly names?: readonly string[];
  /** Fresh processes per function; the median is reported. Default 3. */
  readonly runs?: number;
  /** Per-process limit. Default 30 s. */
  readonly timeoutMs?: number;
}

/**
 * Runs inside the child. `performance.now()` counts from `performance.timeOrigin`, which Node sets
 * when the process starts, so the value is the time from process start to this point.
 */
const PROBE = `
const url = process.env.COLD_START_BUNDLE_URL;
const mod = await import(url);
const handlerReadyMs = performance.now();
if (typeof mod.handler !== 'function') {
  process.stderr.write('bundle does not export a handler function: ' + url + '\\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify({ handlerReadyMs }) + '\\n');
process.exit(0);
`;

/** Dummy but valid values for the variables of every need (nothing listens on port 9). */
const NEED_VALUES: NeedValues = {
  upstash: { url: 'http://127.0.0.1:9', token: 'x' },
  promotionQueueUrl: 'http://127.0.0.1:9/000000000000/q',
  viewRefreshQueueUrl: 'http://127.0.0.1:9/000000000000/v',
  documentQueueUrl: 'http://127.0.0.1:9/000000000000/d',
  embedding: { provider: 'bedrock-titan', modelId: 'amazon.titan-embed-text-v2:0', dimensions: 1024 },
  extraction: { provider: 'bedrock', modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0' },
  usagePlans: { idsJson: '{"standard":"plan0001"}', defaultPlan: 'standard' },
};

/**
 * What the deployed function's environment holds: the variables of its catalog needs (dummy values:
 * init code must not call out anyway), fake credentials, and Lambda's own variables. The parent's
 * environment is not inherited, so loaders such as tsx's cannot leak into the measurement.
 */
function childEnvironment(name: string): NodeJS.ProcessEnv {
  const definition = allFunctions.find((fn) => fn.name === name);
  if (!definition) throw new Error(`${name} is not in functions/catalog.ts`);
  return {
    PATH: process.env.PATH ?? '',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    ...environmentForNeeds(definition.needs, NEED_VALUES),
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'cold-start-bench',
    AWS_LAMBDA_FUNCTION_NAME: `agent-memory-bench-${name}`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  };
}

/** One fresh process; resolves to its handler-ready time in ms. */
function measureOnce(bundle: FunctionBundle, timeoutMs: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '--eval', PROBE], {
      env: { ...childEnvironment(bundle.name), COLD_START_BUNDLE_URL: pathToFileURL(bundle.outfile).href },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        const parsed = JSON.parse(line) as { handlerReadyMs?: unknown };
        if (code === 0 && typeof parsed.handlerReadyMs === 'number') {
          resolvePromise(parsed.handlerReadyMs);
          return;
        }
      } catch {
        // reported below
      }
      const how = signal ? `killed by ${signal} (timeout ${timeoutMs} ms?)` : `exit code ${code}`;
      reject(new Error(`${bundle.name}: probe failed (${how})\n${stderr.trim() || stdout.trim()}`));
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Builds the bundles, then measures each function in turn (sequentially, to avoid contention). */
export async function measureColdStarts(options: ColdStartOptions = {}): Promise<ColdStartResult[]> {
  const runs = options.runs ?? 3;
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${runs}`);
  const bundles = await buildFunctions({ names: options.names ?? [] });
  const results: ColdStartResult[] = [];
  for (const bundle of bundles) {
    const samples: number[] = [];
    for (let run = 0; run < runs; run += 1) samples.push(await measureOnce(bundle, timeoutMs));
    results.push({
      name: bundle.name,
      bundleBytes: bundle.bytes,
      gzipBytes: bundle.gzipBytes,
      handlerReadyMs: round(median(samples)),
    });
  }
  return results;
}

/** Median time for a fresh `node` process to reach the same point with nothing imported. */
export async function measureNodeBaseline(runs = 3): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    samples.push(
      await new Promise<number>((resolvePromise, reject) => {
        const child = spawn(
          process.execPath,
          ['--input-type=module', '--eval', 'process.stdout.write(String(performance.now()))'],
          { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
        });
        child.on('error', reject);
        child.on('close', () => {
          const value = Number(out);
          if (Number.isFinite(value) && out !== '') resolvePromise(value);
          else reject(new Error(`baseline probe printed ${JSON.stringify(out)}`));
        });
      }),
    );
  }
  return round(median(samples));
}

export function formatColdStartTable(results: readonly ColdStartResult[]): string {
  const rows = [...results]
    .sort((a, b) => b.handlerReadyMs - a.handlerReadyMs)
    .map((r) => [
      r.name,
      r.bundleBytes.toLocaleString('en-US'),
      r.gzipBytes.toLocaleString('en-US'),
      r.handlerReadyMs.toFixed(1),
    ]);
  return formatTable(['function', 'bytes', 'gzip bytes', 'handler ready (ms, median)'], rows);
}

if (isMainModule(import.meta.url)) {
  try {
    const results = await measureColdStarts({ names: process.argv.slice(2) });
    const baseline = await measureNodeBaseline();
    console.log(formatColdStartTable(results));
    console.log(
      `\nnode ${process.version} ${process.arch}; bare \`node\` reaches the same point in ${baseline} ms`,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
