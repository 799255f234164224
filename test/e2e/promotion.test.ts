import { describe, expect, it } from 'vitest';
import type { StoreConfig } from '../../lib/contracts/store-config.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

const stack = useLocalStack({ visibilityTimeoutSeconds: 2 });
/** Extracted memories only: these tests are about extraction (conversation records have their own). */
const FACTS = { ne: 'conversation' };

const TRAVEL_CHAT: Array<[role: 'USER' | 'ASSISTANT', actor: string, text: string]> = [
  [
    'USER',
    'traveller-1',
    "I'm planning a trip to Japan next month and need help finding some restaurants for the trip.",
  ],
  ['ASSISTANT', 'travel-agent', 'Nice! What cities are you visiting?'],
  ['USER', 'traveller-1', "I'm going to Tokyo and Kyoto. Also, I'm a vegetarian."],
  ['ASSISTANT', 'travel-agent', "Good to know! I'll look for vegetarian-friendly places in both cities."],
];

async function newStore(config: Partial<StoreConfig> = {}) {
  const storeId = uniqueStoreId();
  await stack().createStore(storeId, { extractionCadence: { activeIntervalSeconds: 60 }, ...config });
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  return { storeId, api, base: `/v1/stores/${storeId}` };
}

async function appendChat(
  api: ReturnType<typeof apiClient>,
  base: string,
  sessionId: string,
  namespace?: string,
) {
  const ids: string[] = [];
  for (const [i, [role, actorId, text]] of TRAVEL_CHAT.entries()) {
    const r = await api.post(`${base}/session-memory/events`, {
      sessionId,
      actorId,
      role,
      content: [{ text }],
      createdAt: new Date(Date.UTC(2026, 5, 25, 18, i)).toISOString(),
      ...(namespace ? { namespace } : {}),
    });
    expect(r.status).toBe(201);
    ids.push(r.body.event.eventId);
  }
  return ids;
}

/** Delivers the session's promotion job now, as SQS does when the window ends, and waits for it. */
async function runPromotion(storeId: string, sessionId: string, copies = 1) {
  await stack().sendPromotionJob(storeId, sessionId, copies);
  await stack().consumer!.drain(30_000);
}

describe('automatic promotion', () => {
  it('turns the travel chat into grounded, searchable memories with their sources', async () => {
    const { storeId, api, base } = await newStore();
    const eventIds = await appendChat(api, base, 'trip-chat', 'travel');
    await runPromotion(storeId, 'trip-chat');

    const search = async (text: string) =>
      (
        await api.post(`${base}/long-term-memory/search`, {
          text,
          limit: 3,
          filter: { ownerId: { eq: 'traveller-1' }, memoryType: FACTS },
        })
      ).body.items as Array<Record<string, unknown>>;
    const diet = await search('dietary restrictions');
    expect(diet[0]).toMatchObject({
      text: expect.stringMatching(/vegetarian/i),
      ownerId: 'traveller-1',
      namespace: 'travel',
      sessionId: 'trip-chat',
    });
    expect(diet[0]!.sourceRefs).toEqual([eventIds[2]]);

    const travel = await search('upcoming travel');
    const trip = travel.find((m) => /Japan/.test(String(m.text)));
    expect(trip).toBeDefined();
    expect(trip!.text).toMatch(/July 2026/);
    expect(trip!.sourceRefs).toEqual([eventIds[0]]);
    expect(trip!.memoryType).toBe('episodic');

    const all = (
      await api.post(`${base}/long-term-memory/search`, { limit: 100, filter: { memoryType: FACTS } })
    ).body.items as Array<{
      text: string;
    }>;
    expect(all.every((m) => !/\bI\b|\bI'm\b/.test(m.text))).toBe(true);

    const status = await api.get(`${base}/session-memory/trip-chat/promotion`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      processedEvents: 4,
      pendingEvents: 0,
      watermarkEventId: eventIds[3],
    });
    expect(status.body.memoriesWritten).toBe(all.length);
    expect(status.body.usage.inputTokens).toBeGreaterThan(0);
  });

  it('promotes on request (extension) without waiting for the window, and only when events wait', async () => {
    const { storeId, api, base } = await newStore();
    await appendChat(api, base, 'closing-chat');
    const before = await api.get(`${base}/session-memory/closing-chat/promotion`);
    expect(before.body).toMatchObject({ processedEvents: 0, pendingEvents: 4 });
    // The window's own job is 60 s away; the request's job is due now.
    expect(Date.parse(before.body.nextRunAt)).toBeGreaterThan(Date.now() + 30_000);

    const requested = await api.post(`${base}/session-memory/closing-chat/promotion`);
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ sessionId: 'closing-chat', queued: true, pendingEvents: 4 });
    await stack().consumer!.drain(30_000);

    const after = await api.get(`${base}/session-memory/closing-chat/promotion`);
    expect(after.body).toMatchObject({ processedEvents: 4, pendingEvents: 0 });
    expect(after.body.memoriesWritten).toBeGreaterThan(0);
    const diet = await api.post(`${base}/long-term-memory/search`, {
      text: 'dietary restrictions',
      limit: 1,
      filter: { ownerId: { eq: 'traveller-1' } },
    });
    expect(diet.body.items[0].text).toMatch(/vegetarian/i);

    // Nothing pending: no job, no extraction spent.
    const again = await api.post(`${base}/session-memory/closing-chat/promotion`);
    expect(again.body).toEqual({ sessionId: 'closing-chat', queued: false, pendingEvents: 0 });
    expect((await api.post(`${base}/session-memory/nobody/promotion`)).status).toBe(404);
    const reader = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read'] }));
    expect((await reader.post(`${base}/session-memory/closing-chat/promotion`)).status).toBe(403);
  });

  it('never duplicates: redelivered, duplicated and concurrent jobs, and repeated statements', async () => {
    const { storeId, api, base } = await newStore();
    await appendChat(api, base, 'dup-chat');
    await runPromotion(storeId, 'dup-chat', 3);
    await runPromotion(storeId, 'dup-chat');
    const first = (
      await api.post(`${base}/long-term-memory/search`, { limit: 100, filter: { memoryType: FACTS } })
    ).body.items as Array<{
      id: string;
      text: string;
    }>;
    expect(first.length).toBeGreaterThan(0);
    expect(new Set(first.map((m) => m.text.toLowerCase())).size).toBe(first.length);

    // Saying it again later merges into the existing memory: one memory, two sources.
    const again = await api.post(`${base}/session-memory/events`, {
      sessionId: 'dup-chat',
      actorId: 'traveller-1',
      role: 'USER',
      content: [{ text: "I'm a vegetarian." }],
      createdAt: '2026-06-26T09:00:00Z',
    });
    await runPromotion(storeId, 'dup-chat');
    const after = (
      await api.post(`${base}/long-term-memory/search`, { limit: 100, filter: { memoryType: FACTS } })
    ).body.items as Array<{
      text: string;
      sourceRefs: string[];
    }>;
    expect(after).toHaveLength(first.length);
    const vegetarian = after.filter((m) => /vegetarian/i.test(m.text));
    expect(vegetarian).toHaveLength(1);
    expect(vegetarian[0]!.sourceRefs).toContain(again.body.event.eventId);
    const status = (await api.get(`${base}/session-memory/dup-chat/promotion`)).body;
    expect(status).toMatchObject({ processedEvents: 5, pendingEvents: 0 });
  });

  it('supersedes a contradicted memory and keeps it as history', async () => {
    const { storeId, api, base } = await newStore();
    const say = (text: string, day: number) =>
      api.post(`${base}/session-memory/events`, {
        sessionId: 'taste',
        actorId: 'user-7',
        role: 'USER',
        content: [{ text }],
        createdAt: new Date(Date.UTC(2026, 0, day)).toISOString(),
      });
    await say('I love sushi.', 1);
    await runPromotion(storeId, 'taste');
    const [before] = (
      await api.post(`${base}/long-term-memory/search`, { limit: 10, filter: { memoryType: FACTS } })
    ).body.items as Array<{
      id: string;
      text: string;
    }>;
    expect(before!.text).toMatch(/loves sushi/);

    await say("I don't like sushi anymore.", 20);
    await runPromotion(storeId, 'taste');
    const current = (
      await api.post(`${base}/long-term-memory/search`, { limit: 10, filter: { memoryType: FACTS } })
    ).body.items as Array<{
      id: string;
      text: string;
      supersedes?: string[];
    }>;
    expect(current).toHaveLength(1);
    expect(current[0]!.text).toMatch(/not like sushi/);
    expect(current[0]!.supersedes).toEqual([before!.id]);
    const history = await api.get(`${base}/long-term-memory/${before!.id}`);
    expect(history.body).toMatchObject({ text: before!.text, supersededBy: current[0]!.id });
    const searched = await api.post(`${base}/long-term-memory/search`, {
      text: 'sushi',
      limit: 10,
      filter: { memoryType: FACTS },
    });
    expect(searched.body.items.map((m: { id: string }) => m.id)).toEqual([current[0]!.id]);
  });

  it('leaves sensitive data out of extraction but keeps it in the session', async () => {
    const { storeId, api, base } = await newStore({
      longTermMemoryExclusions: {
        enabled: true,
        builtInDetectors: { enabled: true, detectors: [{ id: 'email', enabled: true, action: 'redact' }] },
        customDetectors: {
          enabled: true,
          detectors: [
            {
              name: 'booking',
              enabled: true,
              action: 'drop',
              matcher: { kind: 'regex', regex: { pattern: 'DEMO-[A-Z0-9]{4}' } },
            },
          ],
        },
      },
    });
    for (const text of [
      "I'm a nurse and my email is nurse@example.com.",
      'I live in Lisbon. My booking code is DEMO-7QX9.',
    ]) {
      await api.post(`${base}/session-memory/events`, {
        sessionId: 'private',
        actorId: 'user-9',
        role: 'USER',
        content: [{ text }],
        createdAt: '2026-06-25T18:00:00Z',
      });
    }
    await runPromotion(storeId, 'private');
    const memories = (
      await api.post(`${base}/long-term-memory/search`, { limit: 100, filter: { memoryType: FACTS } })
    ).body.items as Array<{
      text: string;
    }>;
    const texts = memories.map((m) => m.text).join(' | ');
    expect(texts).toMatch(/nurse/i);
    expect(texts).not.toMatch(/nurse@example\.com/);
    expect(texts).not.toMatch(/Lisbon|DEMO-7QX9/);
    const session = await api.get(`${base}/session-memory/private`);
    expect(JSON.stringify(session.body)).toContain('DEMO-7QX9');
  });

  it('folds older events into the session summary and returns it with the retained events', async () => {
    const { storeId, api, base } = await newStore({
      summarization: {
        enabled: true,
        triggerStrategy: 'event_count',
        eventCount: { threshold: 6, retainCount: 2 },
      },
    });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await api.post(`${base}/session-memory/events`, {
        sessionId: 'long',
        actorId: i % 2 === 0 ? 'user-5' : 'agent',
        role: i % 2 === 0 ? 'USER' : 'ASSISTANT',
        content: [{ text: i % 2 === 0 ? `I like topic number ${i}.` : `Noted, topic ${i}.` }],
        createdAt: new Date(Date.UTC(2026, 0, 1, 10, i)).toISOString(),
      });
      ids.push(r.body.event.eventId);
    }
    await runPromotion(storeId, 'long');
    const session = await api.get(`${base}/session-memory/long`);
    expect(session.body.summary).toMatchObject({ summarizedUpToEventId: ids[4], summarizedEvents: 5 });
    expect(session.body.summary.text.length).toBeGreaterThan(0);
    expect(session.body.events.map((e: { eventId: string }) => e.eventId)).toEqual([ids[5], ids[6]]);
    const everything = await api.get(`${base}/session-memory/long?includeSummarisedEvents=true`);
    expect(everything.body.events).toHaveLength(7);
  });
});
