import { describe, expect, it } from 'vitest';
import { createPromotionApp } from '../../lib/composition/promotion-app.js';
import { loadRuntimeConfig } from '../../lib/config/runtime-config.js';
import { promotionJob } from '../../lib/contracts/promotion-message.js';
import type { PromotionLedger } from '../../lib/ports/promotion-ledger.js';
import { PromotionBusyError, promoteSession } from '../../lib/use-cases/promotion/promote-session.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

// The consumer is not run here: each test calls the use case itself, with faults injected.
const stack = useLocalStack({ runConsumer: false });

async function sessionWithChat() {
  const storeId = uniqueStoreId();
  await stack().createStore(storeId);
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  for (const [i, text] of [
    "I'm a vegetarian.",
    'I love jazz concerts.',
    'I have a dog named Max.',
  ].entries()) {
    await api.post(`/v1/stores/${storeId}/session-memory/events`, {
      sessionId: 's',
      actorId: 'owner-1',
      role: 'USER',
      content: [{ text }],
      createdAt: new Date(Date.UTC(2026, 0, 1, 9, i)).toISOString(),
    });
  }
  const message = promotionJob({
    storeId,
    sessionId: 's',
    windowStartedAt: 0,
    dueAt: Date.now(),
  });
  return { storeId, api, message };
}

async function memoryTexts(api: ReturnType<typeof apiClient>, storeId: string): Promise<string[]> {
  const r = await api.post(`/v1/stores/${storeId}/long-term-memory/search`, { limit: 100 });
  return (r.body.items as Array<{ text: string }>).map((m) => m.text).sort();
}

describe('promoteSession', () => {
  it('repeats work but never duplicates when it dies between writing memories and moving the watermark', async () => {
    const app = createPromotionApp(loadRuntimeConfig());
    const { storeId, api, message } = await sessionWithChat();
    let failures = 1;
    const ledger: PromotionLedger = Object.create(app.ledger);
    ledger.commitRun = async (...args) => {
      if (failures-- > 0) throw new Error('killed before the watermark moved');
      return app.ledger.commitRun(...args);
    };
    await expect(promoteSession({ ...app, ledger }, message)).rejects.toThrow(/killed/);
    const afterCrash = await memoryTexts(api, storeId);
    expect(afterCrash.length).toBeGreaterThanOrEqual(3);
    const failed = (await api.get(`/v1/stores/${storeId}/session-memory/s/promotion`)).body;
    expect(failed).toMatchObject({ processedEvents: 0, pendingEvents: 3, lastError: { code: 'Error' } });

    const outcome = await promoteSession({ ...app, ledger }, message);
    expect(outcome).toMatchObject({ status: 'promoted', processedEvents: 3, created: 0 });
    expect(outcome.merged).toBeGreaterThanOrEqual(3);
    expect(await memoryTexts(api, storeId)).toEqual(afterCrash);
    const status = (await api.get(`/v1/stores/${storeId}/session-memory/s/promotion`)).body;
    expect(status).toMatchObject({ processedEvents: 3, pendingEvents: 0 });
    expect(status).not.toHaveProperty('lastError');

    expect(await promoteSession(app, message)).toMatchObject({ status: 'nothing-new', processedEvents: 0 });
  });

  it('lets one worker at a time promote a session', async () => {
    const app = createPromotionApp(loadRuntimeConfig());
    const { storeId, api, message } = await sessionWithChat();
    const results = await Promise.allSettled([promoteSession(app, message), promoteSession(app, message)]);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(PromotionBusyError);
    const texts = await memoryTexts(api, storeId);
    expect(new Set(texts).size).toBe(texts.length);
  });
});
