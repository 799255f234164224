import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev/local-stack/free-port.js';
import { newApiKeyToken } from '../../lib/domain/api-key.js';
import { apiClient } from '../support/local-stack-fixture.js';

const ROOT = resolve(import.meta.dirname, '../..');
let dev: ChildProcess | undefined;
afterAll(() => {
  if (dev?.exitCode === null) dev.kill('SIGKILL');
});

/** Pids of every process descending from `pid` (read from /proc, Linux). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/** Running, as opposed to gone or a zombie (exited, waiting to be reaped by whoever adopted it). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const DEV_KEY = newApiKeyToken().token;

describe('npm run dev', () => {
  it('serves the API with the configured store and key, and stops cleanly on SIGTERM', {
    timeout: 90_000,
  }, async () => {
    const port = await freePort();
    const explorerPort = await freePort();
    dev = spawn(resolve(ROOT, 'node_modules/.bin/tsx'), ['dev/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        EXPLORER_PORT: String(explorerPort),
        DEV_STORE_ID: 'dev-test-store',
        DEV_API_KEY: DEV_KEY,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    dev.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((r) => dev!.once('exit', (code) => r(code)));

    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline && dev.exitCode === null) {
      healthy = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (!healthy) await new Promise((r) => setTimeout(r, 200));
    }
    expect(healthy, output).toBe(true);

    const api = apiClient(url, DEV_KEY);
    const appended = await api.post('/v1/stores/dev-test-store/session-memory/events', {
      sessionId: 'hello',
      actorId: 'user-1',
      role: 'USER',
      content: [{ text: 'hi' }],
      createdAt: '2026-01-01T00:00:00Z',
    });
    expect(appended.status).toBe(201);
    expect((await api.get('/v1/stores/dev-test-store/session-memory/hello')).status).toBe(200);
    // The banner follows readiness; give stderr a moment to arrive.
    for (let i = 0; i < 50 && !output.includes('DEV_STORE_ID='); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('DEV_STORE_ID=dev-test-store');

    // The memory explorer beside it: printed, served with its CSP, pointed at this API, allowed by it.
    const explorerOrigin = `http://127.0.0.1:${explorerPort}`;
    for (let i = 0; i < 50 && !output.includes('memory explorer at'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain(`memory explorer at ${explorerOrigin}/`);
    const page = await fetch(`${explorerOrigin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await (await fetch(`${explorerOrigin}/config.json`)).json()).toEqual({
      apiUrl: url,
      storeId: 'dev-test-store',
    });
    const preflight = await fetch(`${url}/v1/stores/dev-test-store/sessions`, {
      method: 'OPTIONS',
      headers: {
        origin: explorerOrigin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(explorerOrigin);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');

    const children = descendants(dev.pid!);
    expect(children.length).toBeGreaterThan(0);
    dev.kill('SIGTERM');
    expect(await exited).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(children.filter(alive)).toEqual([]);
    expect(
      await fetch(`${url}/health`).then(
        () => 'open',
        () => 'closed',
      ),
    ).toBe('closed');
  });
});
