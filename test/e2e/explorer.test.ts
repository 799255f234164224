import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevEnvironment, startDevEnvironment } from '../../dev/dev-environment.js';
import { launchChromium } from '../../explorer/chromium.js';
import { type ExplorerDemo, HOSTILE_TEXT, seedExplorerDemo } from '../../explorer/demo-data.js';
import { newApiKeyToken } from '../../lib/domain/api-key.js';
import { AgentMemory, NotFoundError } from '../../sdk/src/index.js';

/**
 * The memory explorer in a real browser (headless Chromium through puppeteer-core) against what
 * `npm run dev` starts: the local stack and the explorer's server with its CSP. Never skipped:
 * without Chromium (and no way to install it) `launchChromium` throws and the file fails.
 */
const STORE = 'explorer-store';

// What the page-side functions below touch. They run in the browser; this project has no DOM types,
// and loading them for the whole program would clash with Node's.
declare const document: {
  getElementById(id: string): { dataset: Record<string, string | undefined> } | null;
};
declare const location: { hash: string };
declare const window: Record<string, unknown>;
declare const sessionStorage: Record<string, string>;
declare const localStorage: Record<string, string>;
const KEY = newApiKeyToken().token;

let dev: DevEnvironment;
let browser: Browser;
let page: Page;
let demo: ExplorerDemo;
let client: AgentMemory;
const consoleErrors: string[] = [];

beforeAll(async () => {
  // The browser first: a missing Chromium fails here with its own message, before the stack starts.
  browser = await launchChromium();
  dev = await startDevEnvironment({ seed: { storeId: STORE, apiKey: KEY } });
  client = new AgentMemory({ serverURL: dev.stack.apiUrl, apiKey: KEY, storeId: STORE });
  demo = await seedExplorerDemo(client);
  page = await browser.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  // The delete buttons ask first.
  page.on('dialog', (dialog) => void dialog.accept());
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
});

/** Waits for the view to finish loading (the shell sets `data-state` on <main>). */
async function ready(): Promise<void> {
  await page.waitForFunction(
    () => ['ready', 'error', 'disconnected'].includes(document.getElementById('main')?.dataset.state ?? ''),
    { timeout: 30_000 },
  );
  const state = await page.$eval(
    '#main',
    (main) => (main as unknown as { dataset: { state?: string } }).dataset.state,
  );
  if (state === 'error')
    throw new Error(`the view failed: ${await page.$eval('#main', (m) => m.textContent)}`);
}

async function go(route: string): Promise<void> {
  await page.evaluate((to) => {
    document.getElementById('main')!.dataset.state = 'navigating';
    location.hash = to;
  }, route);
  await ready();
}

const mainText = () => page.$eval('#main', (main) => main.textContent ?? '');

describe('the memory explorer in Chromium', () => {
  it('serves the page with a strict CSP and asks for a key', async () => {
    const response = await page.goto(dev.explorer.url, { waitUntil: 'load' });
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response?.headers()['x-frame-options']).toBe('DENY');
    await ready();
    expect(
      await page.$eval('#main', (main) => (main as unknown as { dataset: { state?: string } }).dataset.state),
    ).toBe('disconnected');
    // Every control has a label (screen readers; a click on the label focuses it).
    const unlabelled = await page.$$eval('input, select, textarea', (controls) =>
      controls
        .filter((c) => (c as unknown as { labels: { length: number } }).labels.length === 0)
        .map((c) => c.outerHTML),
    );
    expect(unlabelled).toEqual([]);
  });

  it('connects with a key typed in, keeps it in session storage and never in the URL', async () => {
    const store = await page.$('input[name=storeId]');
    await store!.click({ count: 3 });
    await store!.type(STORE);
    // Keyboard only: focus the key field by its label, type, press Enter.
    await page.click('label[for=f-api-key]');
    await page.keyboard.type(KEY);
    await page.evaluate(() => {
      document.getElementById('main')!.dataset.state = 'navigating';
    });
    await page.keyboard.press('Enter');
    await ready();
    expect(await page.evaluate(() => Object.values(sessionStorage))).toContain(KEY);
    expect(await page.evaluate(() => Object.values(localStorage))).not.toContain(KEY);
    expect(page.url()).not.toContain(KEY);
    expect(await page.$eval('#connection', (c) => c.textContent)).toContain(STORE);
  });

  it("lists the travel-agent's session and shows its events, summary and promotion status", async () => {
    await go('/sessions');
    expect(await mainText()).toContain(demo.sessionId);
    await page.click(`a[href="#/sessions/${demo.sessionId}"]`);
    await page.waitForFunction(
      () =>
        document.getElementById('main')?.dataset.state === 'ready' && location.hash.startsWith('#/sessions/'),
    );
    await ready();
    const text = await mainText();
    expect(text).toContain("I'm going to Tokyo and Kyoto. Also, I'm a vegetarian.");
    const roles = await page.$$eval('.events .role', (items) => items.map((item) => item.textContent));
    expect(roles).toEqual(['USER', 'ASSISTANT', 'USER', 'ASSISTANT']);
    expect(await page.$$eval('.events time', (times) => times.every((t) => t.getAttribute('datetime')))).toBe(
      true,
    );
    expect(text).toContain('Summary');
    const promotion = await page.$eval('.promotion', (section) => section.textContent ?? '');
    expect(promotion).toMatch(/Processed events4/);
    expect(promotion).toMatch(/Pending events0/);
    expect(promotion).toContain('Tokens (input / output)');
    // The watermark is the last processed event's id.
    const events = await client.getSessionMemory(demo.sessionId);
    expect(promotion).toContain(events.events.at(-1)!.eventId);
  });

  it("pages the owner's memories and opens one with its history, sources and conversation context", async () => {
    await go(`/memories?ownerId=${demo.ownerId}`);
    expect(await mainText()).toContain('The user is a vegetarian');
    const href = await page.$$eval('table.memories a', (links) =>
      links.find((a) => a.textContent?.startsWith('The user is a vegetarian'))?.getAttribute('href'),
    );
    expect(href).toMatch(/^#\/memories\//);
    await go(href!.slice(1));
    const text = await mainText();
    expect(text).toContain('History');
    expect(text).toMatch(/Superseded bynothing \(current\)/);
    // The sources route lists the memory's reference (the example's trip id), never an error.
    const sources = await page.$eval('.sources', (section) => section.textContent ?? '');
    expect(sources).toContain('trip-to-japan');
    expect(await page.$$('.sources .error')).toHaveLength(0);
    // The conversation around the source event, the source marked.
    const highlighted = await page.$$eval('.events .source', (items) =>
      items.map((item) => item.textContent ?? ''),
    );
    expect(highlighted.join(' ')).toContain("I'm a vegetarian");
  });

  it('runs a search in the three modes side by side with scores', async () => {
    await go('/search');
    await page.type('input[name=text]', 'dietary restrictions');
    await page.type('input[name=ownerId]', demo.ownerId);
    await page.evaluate(() => {
      document.getElementById('main')!.dataset.state = 'navigating';
    });
    await page.click('form[role=search] button[type=submit]');
    await page.waitForSelector('table.scores');
    await ready();
    const headers = await page.$$eval('table.scores th', (cells) => cells.map((cell) => cell.textContent));
    expect(headers).toEqual(['Memory', 'keyword', 'semantic', 'hybrid']);
    const vegetarian = await page.$$eval('table.scores tbody tr', (rows) =>
      rows
        .filter((row) => row.textContent?.includes('The user is a vegetarian'))
        .map((row) => [...row.querySelectorAll('td[data-mode]')].map((cell) => cell.textContent ?? '')),
    );
    expect(vegetarian).toHaveLength(1);
    // Semantic and hybrid find it with a score and a rank.
    expect(vegetarian[0]![1]).toMatch(/^\d\.\d{3} \(#\d+\)$/);
    expect(vegetarian[0]![2]).toMatch(/^\d\.\d{3} \(#\d+\)$/);
  });

  it('renders stored markup as text: visible, inert, no element made from it', async () => {
    await go(`/memories/${demo.hostileMemoryId}`);
    expect(await page.$eval('.memory-text', (quote) => quote.textContent)).toBe(HOSTILE_TEXT);
    expect(await page.$$('#main script, #main img')).toHaveLength(0);
    await go(`/sessions/${demo.sessionId}-markup`);
    expect(await page.$eval('.events .text', (p) => p.textContent)).toBe(HOSTILE_TEXT);
    expect(await page.$$('#main script, #main img')).toHaveLength(0);
    // Give an onerror handler every chance to have run.
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.evaluate(() => window.__explorerInjected)).toBeUndefined();
  });

  it('deletes a memory with the delete button', async () => {
    await go(`/memories/${demo.hostileMemoryId}`);
    await page.evaluate(() => {
      document.getElementById('main')!.dataset.state = 'navigating';
    });
    const deleteButton = await page.$$eval('button.danger', (buttons) => buttons.map((b) => b.textContent));
    expect(deleteButton).toContain('Delete memory');
    await page.click('button.danger');
    await page.waitForFunction(() => location.hash.startsWith('#/memories?'));
    await ready();
    expect(await page.$eval('#status', (status) => status.textContent)).toBe('Memory deleted.');
    await expect(client.getLongTermMemory(demo.hostileMemoryId)).rejects.toBeInstanceOf(NotFoundError);
    expect(await mainText()).not.toContain('remember this');
  });

  it('logged no error and no CSP violation on the way', () => {
    expect(consoleErrors.filter((line) => !/404/.test(line))).toEqual([]);
  });
});
