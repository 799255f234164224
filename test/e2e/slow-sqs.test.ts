import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

// SQS answering slowly (fauxqs has no fault switch, so a proxy in front of it delays every call).
const stack = useLocalStack({ runConsumer: false });

let delayMs = 0;
let proxy: Server | undefined;
/** Calls the proxy received, and how many of them the caller gave up on before they were answered. */
const calls = { received: 0, abandoned: 0 };
afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
});

/** Forwards to SQS after `delayMs`; a hung call is cut by the client, which is the point. */
async function startDelayingProxy(target: string): Promise<string> {
  const upstream = new URL(target);
  proxy = createServer((req, res) => {
    calls.received++;
    res.on('close', () => {
      if (!res.writableFinished) calls.abandoned++;
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      setTimeout(() => {
        if (res.destroyed) return;
        const forwarded = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            path: req.url,
            method: req.method,
            headers: req.headers,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forwarded.on('error', () => res.destroy());
        forwarded.end(Buffer.concat(chunks));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

describe('SQS answering slowly', () => {
  it('still acknowledges appends inside the budget, and the sweeper sends the window later', async () => {
    // The functions' SQS client is built on the first enqueue, from this variable.
    process.env.AWS_ENDPOINT_URL_SQS = await startDelayingProxy(stack().sqs.endpoint);
    const storeId = uniqueStoreId('slow-sqs');
    await stack().createStore(storeId);
    const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));

    delayMs = 30_000;
    calls.received = calls.abandoned = 0;
    const started = Date.now();
    const appended = await api.post(`/v1/stores/${storeId}/session-memory/events`, {
      sessionId: 's1',
      actorId: 'user-1',
      role: 'USER',
      content: [{ text: 'I am a vegetarian' }],
      createdAt: '2026-01-01T00:00:00Z',
    });
    const elapsedMs = Date.now() - started;
    expect(appended.status).toBe(201);
    // 3 attempts of at most 2 s each, well inside the 10 s function timeout: the client sent all three
    // and gave up on each before SQS answered (30 s), and it waited for its limit each time rather
    // than failing at once.
    await expect.poll(() => calls).toEqual({ received: 3, abandoned: 3 });
    expect(elapsedMs).toBeGreaterThanOrEqual(5_000);
    const stored = await api.get(`/v1/stores/${storeId}/session-memory/s1`);
    expect(stored.body.events.map((e: { eventId: string }) => e.eventId)).toEqual([
      appended.body.event.eventId,
    ]);

    // SQS recovers; the sweeper re-sends the overdue window (due in the store's cadence, 300 s: move
    // the clock by asking the ledger for windows due before "now + cadence + grace").
    delayMs = 0;
    const { sweepOverduePromotions } = await import('../../lib/use-cases/promotion/sweep-overdue.js');
    const { memoryApp } = await import('../../lib/composition/memory-app.js');
    const app = await memoryApp();
    const report = await sweepOverduePromotions(
      { ...app, clock: { now: () => Date.now() + 600_000 } },
      { graceMs: 0, perStoreLimit: 100 },
    );
    expect(report.resent).toBeGreaterThanOrEqual(1);
    expect(report.failed).toBe(0);
  }, 60_000);
});
