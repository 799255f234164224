import { readFileSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startDevEnvironment } from '../dev/dev-environment.js';
import { cachedUseLiteEmbedder } from '../dev/offline-models/cached-use-lite.js';
import { buildExplorer } from '../explorer/build.js';
import { launchChromium } from '../explorer/chromium.js';
import { newApiKeyToken } from '../lib/domain/api-key.js';
import { AgentMemory } from '../sdk/src/index.js';
import { memoryText } from './long-term.js';

/**
 * `npm run bench:explorer` (and part of `npm run bench`, in its own process: the explorer needs a
 * stack whose functions allow its origin): the explorer's bundle size, and its time to first render
 * in headless Chromium against a store of BENCH_RECORDS [10,000] memories for one owner: from
 * navigation start (page, script, config, one API page) to the memories table on screen, browser
 * cache off, median of RUNS; and the same for the next page. Measures only; asserts nothing.
 */
const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000);
const RUNS = 7;
const OWNER = 'owner-1';

export interface ExplorerFigures {
  readonly bytes: Readonly<Record<string, number>>;
  readonly gzipBytes: Readonly<Record<string, number>>;
  readonly records: number;
  /** Navigation start to the first memories page rendered, ms. */
  readonly firstRenderMs: { readonly p50: number; readonly min: number; readonly max: number };
  /** "Next page" click to the next page rendered, ms. */
  readonly nextPageMs: { readonly p50: number; readonly min: number; readonly max: number };
  readonly rowsPerPage: number;
}

// The page-side functions below run in Chromium; this project has no DOM types (Node's
// `performance` has the same marks API).
interface PageElement {
  readonly dataset: Record<string, string | undefined>;
  readonly textContent: string | null;
  click(): void;
}
declare const document: {
  getElementById(id: string): PageElement;
  querySelectorAll(selector: string): Iterable<PageElement>;
};

const log = (line: string) => process.stderr.write(`[bench:explorer] ${line}\n`);
const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    p50: round(sorted[Math.floor(sorted.length / 2)]!),
    min: round(sorted[0]!),
    max: round(sorted.at(-1)!),
  };
};

export async function measureExplorer(records = RECORDS): Promise<ExplorerFigures> {
  const build = buildExplorer();
  const gzipBytes: Record<string, number> = {};
  for (const file of Object.keys(build.bytes)) {
    gzipBytes[file] = gzipSync(readFileSync(resolve(build.outDir, file))).length;
  }
  const storeId = 'bench-explorer';
  const apiKey = newApiKeyToken().token;
  const dev = await startDevEnvironment({
    seed: { storeId, apiKey },
    bedrockBaseEmbedder: cachedUseLiteEmbedder(),
    onProgress: log,
  });
  const browser = await launchChromium();
  try {
    const client = new AgentMemory({ serverURL: dev.stack.apiUrl, apiKey, storeId });
    log(`writing ${records} memories`);
    for (let start = 0; start < records; start += 100) {
      const memories = Array.from({ length: Math.min(100, records - start) }, (_, j) => ({
        id: `m-${start + j}`,
        ownerId: OWNER,
        namespace: 'personal',
        text: memoryText(start + j),
      }));
      const answer = await client.bulkCreateLongTermMemories({ memories });
      if (answer.errors.length > 0) throw new Error(`bulk create: ${answer.errors[0]!.error}`);
    }
    const page = await browser.newPage();
    await page.setCacheEnabled(false);
    await page.goto(dev.explorer.url, { waitUntil: 'load' });
    await page.waitForSelector('input[name=apiKey]');
    await page.type('input[name=apiKey]', apiKey);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('main').dataset.state === 'ready');

    const firstRender: number[] = [];
    const nextPage: number[] = [];
    let rowsPerPage = 0;
    for (let run = 0; run < RUNS; run++) {
      // A fresh document each run (the key stays in this tab's session storage, as for a person reloading).
      // A query before the hash: a hash-only change would not load a new document.
      await page.goto(`${dev.explorer.url}?run=${run}#/memories?ownerId=${OWNER}`, {
        waitUntil: 'domcontentloaded',
      });
      await page.waitForFunction(() => document.getElementById('main').dataset.state === 'ready', {
        timeout: 60_000,
      });
      firstRender.push(
        await page.evaluate(
          () => performance.getEntriesByName('explorer:rendered')[0]?.startTime ?? Number.NaN,
        ),
      );
      rowsPerPage = await page.$$eval('table.memories tbody tr', (rows) => rows.length);
      const clicked = await page.evaluate(() => {
        document.getElementById('main').dataset.state = 'navigating';
        const started = performance.now();
        [...document.querySelectorAll('nav.pager button')]
          .find((b) => b.textContent === 'Next page')
          ?.click();
        return started;
      });
      await page.waitForFunction(() => document.getElementById('main').dataset.state === 'ready');
      const marks = await page.evaluate(() =>
        performance.getEntriesByName('explorer:rendered').map((m) => m.startTime),
      );
      nextPage.push((marks.at(-1) ?? Number.NaN) - clicked);
    }
    return {
      bytes: build.bytes,
      gzipBytes,
      records,
      firstRenderMs: stats(firstRender),
      nextPageMs: stats(nextPage),
      rowsPerPage,
    };
  } finally {
    await browser.close();
    await dev.stop();
  }
}

export function formatExplorer(figures: ExplorerFigures): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const files = Object.keys(figures.bytes)
    .map((file) => `${file} ${kb(figures.bytes[file]!)} (${kb(figures.gzipBytes[file]!)} gzip)`)
    .join(', ');
  return [
    `Explorer bundle: ${files}`,
    `Explorer with ${figures.records} memories for one owner (headless Chromium, cache off, ${figures.rowsPerPage} rows a page): ` +
      `first render p50 ${figures.firstRenderMs.p50} ms (min ${figures.firstRenderMs.min}, max ${figures.firstRenderMs.max}); ` +
      `next page p50 ${figures.nextPageMs.p50} ms (min ${figures.nextPageMs.min}, max ${figures.nextPageMs.max})`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.LOG_LEVEL ??= 'warn';
  const figures = await measureExplorer();
  const result = { at: new Date().toISOString(), node: process.version, explorer: figures };
  const dir = resolve(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(resolve(dir, 'explorer-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  await appendFile(resolve(dir, 'explorer-history.jsonl'), `${JSON.stringify(result)}\n`);
  process.stdout.write(`${formatExplorer(figures)}\nwritten to bench/results/explorer-latest.json\n`);
}
