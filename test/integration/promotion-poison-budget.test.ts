import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../dev/local-stack/lambda-context.js';
import { handler as promotionConsumer } from '../../functions/queue/promotion-consumer.js';
import { ExtractionOutputError } from '../../lib/adapters/bedrock/bedrock-extractor.js';
import { createPromotionApp } from '../../lib/composition/promotion-app.js';
import { loadRuntimeConfig } from '../../lib/config/runtime-config.js';
import { type PromotionMessage, promotionJob } from '../../lib/contracts/promotion-message.js';
import { PARK_AFTER_FAILED_RUNS } from '../../lib/domain/promotion/window.js';
import type { MemoryExtractor } from '../../lib/ports/memory-extractor.js';
import { promoteSession } from '../../lib/use-cases/promotion/promote-session.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

// Faults are injected into the use case (a failing extractor); the consumer is called directly.
const stack = useLocalStack({ runConsumer: false });
const today = () => new Date().toISOString().slice(0, 10);

async function sessionWithChat(config: Record<string, unknown> = {}) {
  const storeId = uniqueStoreId();
  await stack().createStore(storeId, config);
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  for (const [i, text] of ["I'm a vegetarian.", 'I love jazz concerts.', 'I have a dog named Max.'].entries())
    await append(api, storeId, text, i);
  const message = promotionJob({
    storeId,
    sessionId: 's',
    windowStartedAt: 0,
    dueAt: Date.now(),
  });
  return { storeId, api, message };
}

async function append(api: ReturnType<typeof apiClient>, storeId: string, text: string, minute: number) {
  const r = await api.post(`/v1/stores/${storeId}/session-memory/events`, {
    sessionId: 's',
    actorId: 'owner-1',
    role: 'USER',
    content: [{ text }],
    createdAt: new Date(Date.UTC(2026, 0, 1, 9, minute)).toISOString(),
  });
  expect(r.status).toBe(201);
}

async function memories(api: ReturnType<typeof apiClient>, storeId: string, memoryType?: string) {
  const r = await api.post(`/v1/stores/${storeId}/long-term-memory/search`, {
    limit: 100,
    ...(memoryType ? { filter: { memoryType: { eq: memoryType } } } : {}),
  });
  return (r.body.items as Array<{ text: string; memoryType: string }>).filter(
    (m) => memoryType !== undefined || m.memoryType !== 'conversation',
  );
}

/** An extractor whose model answers, but never usably: 120 + 80 tokens spent per run. */
function poisonedExtractor(): MemoryExtractor & { calls: number } {
  return {
    id: 'poisoned',
    calls: 0,
    async extract() {
      this.calls += 1;
      throw new ExtractionOutputError('no usable tool input', { inputTokens: 120, outputTokens: 80 });
    },
  };
}

describe('poison batches', () => {
  it('parks a batch after repeated failures, still promotes later events, and re-extracts it on retry', async () => {
    // Prepare
    const app = createPromotionApp(loadRuntimeConfig());
    const { storeId, api, message } = await sessionWithChat();
    const extractor = poisonedExtractor();
    const poisoned = { ...app, extractor };

    // Act: the first runs fail (and are redelivered); the last one parks the batch
    for (let run = 1; run < PARK_AFTER_FAILED_RUNS; run++)
      await expect(promoteSession(poisoned, message)).rejects.toBeInstanceOf(ExtractionOutputError);
    const parkedRun = await promoteSession(poisoned, message);

    // Assess
    expect(parkedRun.status).toBe('parked');
    expect(extractor.calls).toBe(PARK_AFTER_FAILED_RUNS);
    const status = (await api.get(`/v1/stores/${storeId}/session-memory/s/promotion`)).body;
    expect(status).toMatchObject({
      pendingEvents: 0,
      processedEvents: 0,
      budgetExceeded: false,
      parkedRanges: [
        {
          events: 3,
          failures: PARK_AFTER_FAILED_RUNS,
          lastErrorCode: 'ExtractionOutputError',
          retryRequested: false,
        },
      ],
    });
    expect(status).not.toHaveProperty('lastError');
    // Conversation records need no model: the parked turns keep theirs.
    expect(await memories(api, storeId, 'conversation')).toHaveLength(3);
    expect(await memories(api, storeId)).toHaveLength(0);

    // Act: a later event is promoted by a working extractor; the parked batch is not replayed
    await append(api, storeId, 'My favourite city is Lisbon.', 10);
    const later = await promoteSession(app, message);
    expect(later).toMatchObject({ status: 'promoted', processedEvents: 1 });
    const afterLater = (await memories(api, storeId)).map((m) => m.text);
    expect(afterLater.some((t) => /lisbon/i.test(t))).toBe(true);
    expect(afterLater.some((t) => /vegetarian/i.test(t))).toBe(false);

    // Act: the operator retries the parked range
    const retry = await api.post(`/v1/stores/${storeId}/session-memory/s/promotion/retry-parked`);
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual({ sessionId: 's', parkedRanges: 1, queued: true });
    const requested = (await api.get(`/v1/stores/${storeId}/session-memory/s/promotion`)).body;
    expect(requested.parkedRanges[0].retryRequested).toBe(true);
    const retried = await promoteSession(app, message);

    // Assess
    expect(retried).toMatchObject({ status: 'promoted', processedEvents: 3 });
    const final = (await api.get(`/v1/stores/${storeId}/session-memory/s/promotion`)).body;
    expect(final).toMatchObject({ parkedRanges: [], pendingEvents: 0, processedEvents: 4 });
    const texts = (await memories(api, storeId)).map((m) => m.text);
    expect(texts.some((t) => /vegetarian/i.test(t))).toBe(true);
    expect(await memories(api, storeId, 'conversation')).toHaveLength(4);
  });

  it('answers retry-parked with nothing queued when no range is parked, and 404 for an unknown session', async () => {
    const { storeId, api } = await sessionWithChat();
    const none = await api.post(`/v1/stores/${storeId}/session-memory/s/promotion/retry-parked`);
    expect(none.body).toEqual({ sessionId: 's', parkedRanges: 0, queued: false });
    const missing = await api.post(`/v1/stores/${storeId}/session-memory/nope/promotion/retry-parked`);
    expect(missing.status).toBe(404);
  });
});

describe('extraction cost', () => {
  it("records the tokens of failed runs in the session's usage and the store's daily count", async () => {
    const app = createPromotionApp(loadRuntimeConfig());
    const { storeId, api, message } = await sessionWithChat();
    const before = await app.ledger.storeTokens(storeId, today());

    await expect(promoteSession({ ...app, extractor: poisonedExtractor() }, message)).rejects.toThrow();

    const status = (await api.get(`/v1/stores/${storeId}/session-memory/s/promotion`)).body;
    expect(status).toMatchObject({
      usage: { inputTokens: 120, outputTokens: 80 },
      lastError: { code: 'ExtractionOutputError' },
      pendingEvents: 3,
    });
    expect((await app.ledger.storeTokens(storeId, today())) - before).toBe(200);
  });

  it("counts extraction and summary tokens against the store's budget of the day", async () => {
    const app = createPromotionApp(loadRuntimeConfig());
    const { storeId, message } = await sessionWithChat({
      summarization: { enabled: true, eventCount: { threshold: 2, retainCount: 1 } },
    });
    const before = await app.ledger.storeTokens(storeId, today());
    const extractor: MemoryExtractor = {
      id: 'counted',
      extract: async () => ({ memories: [], usage: { inputTokens: 30, outputTokens: 5 } }),
    };
    const summarizer = {
      id: 'counted',
      summarize: async () => ({ text: 'A summary.', usage: { inputTokens: 7, outputTokens: 3 } }),
    };

    const outcome = await promoteSession({ ...app, extractor, summarizer }, message);

    expect(outcome).toMatchObject({ status: 'promoted', summarized: 2 });
    expect((await app.ledger.storeTokens(storeId, today())) - before).toBe(45);
  });

  it("defers an over-budget store's job without failing it, while another store's job in the same batch completes", async () => {
    // Prepare: store A has spent its day's budget; store B has not
    const app = createPromotionApp(loadRuntimeConfig());
    const a = await sessionWithChat({ extractionBudget: { tokensPerDay: 1_000 } });
    const b = await sessionWithChat();
    await app.ledger.addStoreTokens(a.storeId, today(), 1_000);
    const record = (message: PromotionMessage, i: number) => ({
      messageId: `m${i}`,
      body: JSON.stringify(message),
      attributes: { ApproximateReceiveCount: '1' },
    });
    const event = { Records: [record(a.message, 1), record(b.message, 2)] } as unknown as SQSEvent;

    // Act
    const response = await promotionConsumer(event, lambdaContext('promotion-consumer', 60_000));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const statusA = (await a.api.get(`/v1/stores/${a.storeId}/session-memory/s/promotion`)).body;
    expect(statusA).toMatchObject({ budgetExceeded: true, pendingEvents: 3, processedEvents: 0 });
    expect(Date.parse(statusA.deferredUntil)).toBeGreaterThan(Date.now());
    expect(statusA).not.toHaveProperty('lastError');
    expect(await memories(a.api, a.storeId)).toHaveLength(0);
    const statusB = (await b.api.get(`/v1/stores/${b.storeId}/session-memory/s/promotion`)).body;
    expect(statusB).toMatchObject({ budgetExceeded: false, pendingEvents: 0, processedEvents: 3 });
    expect((await memories(b.api, b.storeId)).length).toBeGreaterThanOrEqual(3);
  });
});
