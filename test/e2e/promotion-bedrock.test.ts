import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

// This file's functions extract through Bedrock Converse (the production adapter) against the
// fake, which plays the model with the offline extractor unless a test scripts it.
process.env.EXTRACTION_PROVIDER = 'bedrock';
const stack = useLocalStack({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });

async function storeWithChat(sessionId: string) {
  const storeId = uniqueStoreId();
  await stack().createStore(storeId);
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  const base = `/v1/stores/${storeId}`;
  const ids: string[] = [];
  for (const [i, text] of ["I'm planning a trip to Japan next month.", "I'm a vegetarian."].entries()) {
    const r = await api.post(`${base}/session-memory/events`, {
      sessionId,
      actorId: 'traveller-1',
      role: 'USER',
      content: [{ text }],
      createdAt: new Date(Date.UTC(2026, 5, 25, 18, i)).toISOString(),
    });
    ids.push(r.body.event.eventId);
  }
  return { storeId, api, base, ids };
}

describe('promotion through Bedrock Converse', () => {
  it('extracts the travel facts through the forced tool and counts the tokens', async () => {
    const { storeId, api, base, ids } = await storeWithChat('bedrock-chat');
    await stack().sendPromotionJob(storeId, 'bedrock-chat');
    await stack().consumer!.drain(30_000);
    const found = await api.post(`${base}/long-term-memory/search`, {
      text: 'dietary restrictions',
      limit: 1,
    });
    expect(found.body.items[0]).toMatchObject({
      text: expect.stringMatching(/vegetarian/i),
      sourceRefs: [ids[1]],
    });
    const status = (await api.get(`${base}/session-memory/bedrock-chat/promotion`)).body;
    expect(status).toMatchObject({ processedEvents: 2, pendingEvents: 0 });
    expect(status.usage.inputTokens).toBeGreaterThan(200);
    expect(stack().bedrock.stats.converse.requests).toBeGreaterThan(0);
  });

  it('dead-letters a job whose model output never parses (before it would park), extracts nothing, and shows the error', async () => {
    const { storeId, api, base } = await storeWithChat('bad-model');
    stack().bedrock.scriptConverse(() => ({ malformed: 'bad-tool-input' }));
    try {
      await stack().sendPromotionJob(storeId, 'bad-model');
      const sqs = stack().sqs.client();
      const deadline = Date.now() + 20_000;
      let dead: string | undefined;
      while (!dead && Date.now() < deadline) {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: stack().promotionQueue.dlqUrl, WaitTimeSeconds: 1 }),
        );
        dead = Messages?.find((m) => m.Body?.includes('bad-model'))?.Body;
      }
      expect(dead).toBeDefined();
    } finally {
      stack().bedrock.scriptConverse([]);
    }
    // Conversation records are written before extraction (they need no model): only facts are missing.
    const items = (await api.post(`${base}/long-term-memory/search`, { limit: 10 })).body.items as Array<{
      memoryType: string;
    }>;
    expect(items.filter((m) => m.memoryType !== 'conversation')).toEqual([]);
    const status = (await api.get(`${base}/session-memory/bad-model/promotion`)).body;
    expect(status).toMatchObject({
      processedEvents: 0,
      pendingEvents: 2,
      lastError: { code: 'ExtractionOutputError' },
    });
  });
});
