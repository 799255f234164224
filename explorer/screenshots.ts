import { resolve } from 'node:path';
import type { Page } from 'puppeteer-core';
import { startDevEnvironment } from '../dev/dev-environment.js';
import { newApiKeyToken } from '../lib/domain/api-key.js';
import { AgentMemory } from '../sdk/src/index.js';
import { launchChromium } from './chromium.js';
import { seedExplorerDemo } from './demo-data.js';

/**
 * `npm run explorer:screenshots`: the main views of the explorer over the travel-agent example, in
 * headless Chromium against the local stack, saved as docs/explorer-*.png for the README.
 */
const DOCS = resolve(import.meta.dirname, '../docs');
const STORE = 'travel-agent';
const KEY = newApiKeyToken().token;
// The page-side functions below run in Chromium; this project has no DOM types.
declare const document: { getElementById(id: string): { dataset: Record<string, string | undefined> } };
declare const location: { hash: string };

const log = (line: string) => process.stderr.write(`[screenshots] ${line}\n`);

process.env.LOG_LEVEL ??= 'warn';
const dev = await startDevEnvironment({ seed: { storeId: STORE, apiKey: KEY } });
const browser = await launchChromium();
try {
  const client = new AgentMemory({ serverURL: dev.stack.apiUrl, apiKey: KEY, storeId: STORE });
  const demo = await seedExplorerDemo(client);
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 860 });
  await page.goto(dev.explorer.url, { waitUntil: 'load' });
  await settled(page);
  await page.type('input[name=apiKey]', KEY);
  await shot(page, 'connect');
  await page.keyboard.press('Enter');
  await settled(page);

  // The extracted fact (the conversation record of the same turn also matches).
  const vegetarian = (
    await client.searchLongTermMemory({
      text: 'vegetarian',
      filter: { ownerId: { eq: demo.ownerId } },
      limit: 20,
    })
  ).items.find((memory) => memory.text.startsWith('The user is a vegetarian'))!;
  const views: ReadonlyArray<readonly [string, string]> = [
    ['sessions', '/sessions'],
    ['session', `/sessions/${demo.sessionId}`],
    ['memories', `/memories?ownerId=${demo.ownerId}`],
    ['memory', `/memories/${encodeURIComponent(vegetarian.id)}`],
    ['search', `/search?text=${encodeURIComponent('dietary restrictions')}&ownerId=${demo.ownerId}&limit=10`],
    ['markup-as-text', `/memories/${demo.hostileMemoryId}`],
  ];
  for (const [name, route] of views) {
    await page.evaluate((to) => {
      document.getElementById('main').dataset.state = 'navigating';
      location.hash = to;
    }, route);
    await settled(page);
    await shot(page, name);
  }
} finally {
  await browser.close();
  await dev.stop();
}

async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => ['ready', 'disconnected', 'error'].includes(document.getElementById('main').dataset.state ?? ''),
    { timeout: 30_000 },
  );
}

async function shot(page: Page, name: string): Promise<void> {
  const path = resolve(DOCS, `explorer-${name}.png`);
  await page.screenshot({ path: path as `${string}.png`, fullPage: true });
  log(path);
}
