import { DeleteQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { Redis as RedisClient } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { SqsPromotionQueue } from '../../lib/adapters/sqs/sqs-promotion-queue.js';
import { createUpstashRedis } from '../../lib/adapters/upstash/redis-client.js';
import { UpstashPromotionLedger } from '../../lib/adapters/upstash/upstash-promotion-ledger.js';
import { createLogger } from '../../lib/observability/logger.js';
import { sweepOverduePromotions } from '../../lib/use-cases/promotion/sweep-overdue.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

const stack = useLocalStack({ maxReceiveCount: 3, visibilityTimeoutSeconds: 1 });
let redis: RedisClient | undefined;
afterAll(() => redis?.disconnect());

const turn = (sessionId: string, i: number) => ({
  sessionId,
  actorId: 'user-1',
  role: 'USER',
  content: [{ text: `turn ${i}` }],
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
});

async function queueCounts() {
  const sqs = stack().sqs.client();
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack().promotionQueue.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessages'],
    }),
  );
  return {
    delayed: Number(Attributes?.ApproximateNumberOfMessagesDelayed),
    visible: Number(Attributes?.ApproximateNumberOfMessages),
  };
}

async function newStore(cadenceSeconds = 60) {
  const storeId = uniqueStoreId();
  await stack().createStore(storeId, { extractionCadence: { activeIntervalSeconds: cadenceSeconds } });
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  return { storeId, api, base: `/v1/stores/${storeId}` };
}

function rawRedis(): RedisClient {
  redis ??= new RedisClient(stack().redis.url);
  return redis;
}

describe('promotion hand-off', () => {
  it('turns a burst of appends into one delayed job per session', async () => {
    const { storeId, api, base } = await newStore(60);
    const before = await queueCounts();
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => api.post(`${base}/session-memory/events`, turn('burst-a', i))),
      ...Array.from({ length: 3 }, (_, i) => api.post(`${base}/session-memory/events`, turn('burst-b', i))),
    ]);
    const after = await queueCounts();
    expect(after.delayed - before.delayed).toBe(2);
    expect(after.visible).toBe(before.visible);

    const due = await rawRedis().zrange(`am:{${storeId}}:promotion:due`, 0, -1, 'WITHSCORES');
    expect(due.filter((_, i) => i % 2 === 0).sort()).toEqual(['burst-a', 'burst-b']);
    const dueAt = Number(due[1]);
    expect(dueAt - Date.now()).toBeGreaterThan(50_000);
    expect(dueAt - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('keeps the event when the queue is down, and the sweeper re-sends the job to the consumer', async () => {
    const { storeId, api, base } = await newStore(60);
    const sqs = stack().sqs.client();
    await sqs.send(new DeleteQueueCommand({ QueueUrl: stack().promotionQueue.queueUrl }));
    try {
      const appended = await api.post(`${base}/session-memory/events`, turn('lonely', 0));
      expect(appended.status).toBe(201);
      const session = await api.get(`${base}/session-memory/lonely`);
      expect(session.body.events).toHaveLength(1);
    } finally {
      const recreated = await stack().sqs.createQueuePair('agent-memory-promotion', {
        maxReceiveCount: 3,
        visibilityTimeoutSeconds: 1,
      });
      expect(recreated.queueUrl).toBe(stack().promotionQueue.queueUrl);
    }

    // The window is still recorded as due; once overdue, the sweeper re-sends it.
    const admin = createUpstashRedis({ url: stack().upstash.url, token: stack().upstash.token });
    const ledger = new UpstashPromotionLedger(admin);
    const later = Date.now() + 61_000 + 300_000;
    const report = await sweepOverduePromotions(
      {
        ledger,
        stores: { listStoreIds: async () => [storeId] },
        promotionQueue: new SqsPromotionQueue({ client: sqs, queueUrl: stack().promotionQueue.queueUrl }),
        clock: { now: () => later },
        logger: createLogger('test', 'silent'),
      },
      { graceMs: 300_000, perStoreLimit: 10 },
    );
    expect(report).toEqual({ storesVisited: 1, resent: 1, failed: 0 });

    await stack().consumer!.drain(20_000);
    const state = await rawRedis().hgetall(`am:{${storeId}}:session:lonely:promotion`);
    expect(state.jobsReceived).toBe('1');
    expect(await rawRedis().zscore(`am:{${storeId}}:promotion:due`, 'lonely')).toBeNull();

    // With the window closed, the next append opens a new one.
    const before = await queueCounts();
    await api.post(`${base}/session-memory/events`, turn('lonely', 1));
    expect((await queueCounts()).delayed - before.delayed).toBe(1);
  });

  it('sends a message that is not a promotion job to the DLQ after maxReceiveCount', async () => {
    const sqs = stack().sqs.client();
    const { SendMessageCommand, ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
    await sqs.send(
      new SendMessageCommand({ QueueUrl: stack().promotionQueue.queueUrl, MessageBody: '{"not":"a job"}' }),
    );
    const deadline = Date.now() + 20_000;
    let dead: string | undefined;
    while (!dead && Date.now() < deadline) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: stack().promotionQueue.dlqUrl, WaitTimeSeconds: 1 }),
      );
      dead = Messages?.[0]?.Body;
    }
    expect(dead).toBe('{"not":"a job"}');
    expect(stack().consumer!.stats.failed).toBeGreaterThanOrEqual(3);
  });
});
