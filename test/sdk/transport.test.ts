import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../sdk/src/errors.js';
import {
  AgentMemory,
  AgentMemoryError,
  BadRequestError,
  ConflictError,
  DependencyError,
  NetworkError,
  ServerError,
  TimeoutError,
  TooManyRequestsError,
} from '../../sdk/src/index.js';
import { backoffMs, DEFAULT_RETRY } from '../../sdk/src/transport.js';

/**
 * The SDK's transport against scripted HTTP servers: retries and `Retry-After`, timeouts, aborts,
 * typed errors, request shape. (Round trips through the real service: sdk-local-stack.test.ts.)
 */

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
}

type Reply = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      const closed = new Promise((resolve) => s.close(resolve));
      // Keep-alive and hung sockets would hold close() for seconds.
      s.closeAllConnections();
      return closed;
    }),
  );
});

/** A server answering each request with the next reply (the last one repeats). */
async function scripted(...replies: Reply[]): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() });
      const reply = replies[Math.min(seen.length, replies.length) - 1]!;
      reply(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

const problem = (status: number, type: string, extra: Record<string, unknown> = {}, headers = {}) =>
  json(
    status,
    { type, title: 'Problem', status, detail: `status ${status}`, ...extra },
    {
      'content-type': 'application/problem+json',
      ...headers,
    },
  );

const hang: Reply = () => {
  // never answers; the server's close in afterEach ends the socket
};

const fastRetry = { initialDelayMs: 10, maxDelayMs: 50 };

function client(url: string, options: Partial<ConstructorParameters<typeof AgentMemory>[0]> = {}) {
  return new AgentMemory({
    serverURL: url,
    apiKey: 'test-key',
    storeId: 'store-1',
    retry: fastRetry,
    ...options,
  });
}

const event = { actorId: 'user-1', role: 'USER' as const, content: [{ text: 'hi' }], createdAt: new Date(0) };
const stored = {
  event: {
    eventId: 'e'.repeat(32),
    actorId: 'user-1',
    sessionId: 's-1',
    role: 'USER',
    content: [{ text: 'hi' }],
    createdAt: '1970-01-01T00:00:00.000Z',
    systemTimestamp: '2026-01-01T00:00:00.000Z',
  },
};

describe('SDK transport: retries', () => {
  it('waits for Retry-After in seconds on 429, then succeeds', async () => {
    const { url, seen } = await scripted(
      problem(429, '/errors/too-many-requests', {}, { 'retry-after': '1' }),
      json(200, { status: 'healthy' }),
    );
    expect(await client(url).health()).toEqual({ status: 'healthy' });
    expect(seen).toHaveLength(2);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('waits for Retry-After given as an HTTP date on 503', async () => {
    const { url, seen } = await scripted(
      (_req, res) => {
        res.writeHead(503, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() });
        res.end('<html>busy</html>');
      },
      json(200, { status: 'healthy' }),
    );
    await client(url).health();
    expect(seen).toHaveLength(2);
    // HTTP dates have whole seconds: at least 1 s of the 2 remain.
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('backs off exponentially with jitter on 5xx and 424 without Retry-After, up to maxAttempts', async () => {
    const { url, seen } = await scripted(problem(424, '/errors/resource-unavailable'));
    const error = await client(url, { retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000 } })
      .storeHealth()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect(seen).toHaveLength(3);
    const waits = [seen[1]!.at - seen[0]!.at, seen[2]!.at - seen[1]!.at];
    expect(waits[0]).toBeGreaterThanOrEqual(45); // 100 ms step: 50-100 ms
    expect(waits[1]).toBeGreaterThanOrEqual(95); // 200 ms step: 100-200 ms
  });

  it('computes backoff steps within [step/2, step], capped at maxDelayMs', () => {
    const retry = { ...DEFAULT_RETRY, initialDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffMs(retry, 1, () => 0)).toBe(50);
    expect(backoffMs(retry, 1, () => 1)).toBe(100);
    expect(backoffMs(retry, 3, () => 1)).toBe(400);
    expect(backoffMs(retry, 10, () => 1)).toBe(1_000);
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:58Z'))).toBe(2_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('does not retry a 400, and exposes the problem with its fields', async () => {
    const fields = [{ field: 'actorId', rule: 'pattern', message: 'must match ^[a-zA-Z0-9-]+$' }];
    const { url, seen } = await scripted(problem(400, '/errors/invalid-data', { fields }));
    const error = await client(url)
      .addSessionEvent(event)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      retryable: false,
      fields,
      problem: { type: '/errors/invalid-data', status: 400, fields },
    });
    expect(seen).toHaveLength(1);
  });

  it('gives up at once when Retry-After exceeds maxRetryAfterMs, telling when to come back', async () => {
    const { url, seen } = await scripted(
      problem(429, '/errors/too-many-requests', {}, { 'retry-after': '120' }),
    );
    const error = await client(url)
      .health()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyRequestsError);
    expect((error as TooManyRequestsError).retryAfterMs).toBe(120_000);
    expect(seen).toHaveLength(1);
  });

  it('sends once when retries are off (client or call)', async () => {
    const { url, seen } = await scripted(problem(503, '/errors/resource-unavailable'));
    await expect(client(url, { retry: false }).health()).rejects.toBeInstanceOf(ServerError);
    await expect(client(url).health({ retry: false })).rejects.toBeInstanceOf(ServerError);
    expect(seen).toHaveLength(2);
  });

  it('retries an append with one Idempotency-Key for all its attempts, a new key per call', async () => {
    const { url, seen } = await scripted(
      problem(424, '/errors/resource-unavailable', {}, { 'retry-after': '0' }),
      json(201, stored),
    );
    expect(await client(url).addSessionEvent(event)).toEqual(stored);
    await client(url).addSessionEvent(event);
    expect(seen).toHaveLength(3);
    const keys = seen.map((s) => s.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[\x21-\x7e]{1,128}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(JSON.parse(seen[0]!.body)).toEqual({ ...event, createdAt: '1970-01-01T00:00:00.000Z' });
  });

  it("uses the caller's Idempotency-Key; without retries and without a key an append is sent once", async () => {
    const { url, seen } = await scripted(problem(409, '/errors/conflict'), problem(503, '/errors/x'));
    await expect(client(url).addSessionEvent(event, { idempotencyKey: 'turn-7' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(seen[0]!.headers['idempotency-key']).toBe('turn-7');
    await expect(client(url, { retry: false }).addSessionEvent(event)).rejects.toBeInstanceOf(ServerError);
    expect(seen[1]!.headers['idempotency-key']).toBeUndefined();
    expect(seen).toHaveLength(2);
  });

  it('counts a 404 on a DELETE retry as deleted (the lost first attempt did it)', async () => {
    const { url, seen } = await scripted(
      problem(503, '/errors/x'),
      problem(404, '/errors/resource-not-found'),
    );
    await expect(client(url).deleteSessionMemory('s-1')).resolves.toBeUndefined();
    expect(seen.map((s) => s.method)).toEqual(['DELETE', 'DELETE']);
    // A 404 on the first attempt is an error.
    const first = await scripted(problem(404, '/errors/resource-not-found'));
    await expect(client(first.url).deleteSessionMemory('s-1')).rejects.toMatchObject({ status: 404 });
  });
});

describe('SDK transport: timeouts, aborts, network errors', () => {
  it('times out an attempt on a server that hangs, and retries it', async () => {
    const { url, seen } = await scripted(hang);
    const started = Date.now();
    const error = await client(url, { timeoutMs: 200, retry: { ...fastRetry, maxAttempts: 2 } })
      .health()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 200, retryable: true });
    expect(seen).toHaveLength(2);
    // Each attempt waited for its own 200 ms limit (a hung server is not a fast failure).
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 200 - 10);
  });

  it('times out a body that stalls after the headers', async () => {
    const { url } = await scripted((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":');
    });
    await expect(client(url, { timeoutMs: 200, retry: false }).health()).rejects.toBeInstanceOf(TimeoutError);
  });

  it("rejects with the caller's abort reason, also while waiting to retry", async () => {
    const { url, seen } = await scripted(hang);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user left')), 100);
    await expect(client(url).health({ signal: controller.signal })).rejects.toThrow('user left');

    // An hour's Retry-After, which the client is allowed to honour: only the abort can end the call
    // before the test's own timeout, so settling at all shows the wait was interrupted.
    const busy = await scripted(problem(429, '/errors/too-many-requests', {}, { 'retry-after': '3600' }));
    const waiting = new AbortController();
    setTimeout(() => waiting.abort(new Error('stop waiting')), 200);
    const patient = client(busy.url, { retry: { ...fastRetry, maxRetryAfterMs: 3_600_000 } });
    await expect(patient.health({ signal: waiting.signal })).rejects.toThrow('stop waiting');
    expect(busy.seen).toHaveLength(1);
    expect(seen).toHaveLength(1);
  });

  it('reports a refused connection as a NetworkError after retrying', async () => {
    const { url } = await scripted(json(200, {}));
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const calls: string[] = [];
    const am = client(url, {
      fetch: (input, init) => {
        calls.push(input);
        return fetch(input, init);
      },
    });
    const error = await am.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(calls).toHaveLength(DEFAULT_RETRY.maxAttempts);
  });
});

describe('SDK transport: request and answer shapes', () => {
  it('sends bearer auth, encoded paths, query parameters and JSON bodies; per-call store', async () => {
    const { url, seen } = await scripted(json(200, { items: [], total: 0 }));
    const am = client(`${url}/prod/`);
    await am.listSessions({ includeAll: true, limit: 5 });
    await am.getSessionMemory('a b/c', { includeSummarisedEvents: true }, { storeId: 'other' });
    await am.searchLongTermMemory({
      text: 'x',
      filter: { createdAt: { gte: new Date(Date.UTC(2026, 0, 1)), lt: '2026-02-01T00:00:00Z' } },
    });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /prod/v1/stores/store-1/session-memory?includeAll=true&limit=5',
      'GET /prod/v1/stores/other/session-memory/a%20b%2Fc?includeSummarisedEvents=true',
      'POST /prod/v1/stores/store-1/long-term-memory/search',
    ]);
    expect(seen[0]!.headers.authorization).toBe('Bearer test-key');
    expect(JSON.parse(seen[2]!.body)).toEqual({
      text: 'x',
      filter: { createdAt: { gte: '2026-01-01T00:00:00.000Z', lt: '2026-02-01T00:00:00Z' } },
    });
    expect(seen[2]!.headers['content-type']).toBe('application/json');
  });

  it("keeps a gateway's non-problem error body as the problem's detail", async () => {
    const { url } = await scripted(json(403, { message: 'Forbidden' }, { 'x-amzn-requestid': 'req-1' }));
    const error = await client(url)
      .storeHealth()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentMemoryError);
    expect(error).toMatchObject({
      name: 'ForbiddenError',
      status: 403,
      requestId: 'req-1',
      problem: { type: 'about:blank', status: 403, detail: 'Forbidden' },
    });
  });

  it('reads its settings from the environment, and names what is missing', () => {
    const saved = { ...process.env };
    try {
      process.env.AGENT_MEMORY_URL = 'http://example.test/';
      process.env.AGENT_MEMORY_API_KEY = 'env-key';
      process.env.AGENT_MEMORY_STORE_ID = 'env-store';
      const am = new AgentMemory();
      expect(am.serverURL).toBe('http://example.test');
      expect(am.storeId).toBe('env-store');
      delete process.env.AGENT_MEMORY_API_KEY;
      expect(() => new AgentMemory()).toThrow(/AGENT_MEMORY_API_KEY/);
    } finally {
      process.env = saved;
    }
  });

  it('rejects a store-scoped call without a store id', async () => {
    const am = new AgentMemory({ serverURL: 'http://127.0.0.1:9', apiKey: 'k' });
    await expect(am.storeHealth()).rejects.toThrow(/storeId is required/);
  });
});
