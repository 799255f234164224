import { Redis as RedisClient } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoreConfig } from '../../lib/contracts/store-config.js';
import { conversationRecordId } from '../../lib/domain/conversation-records.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

// Conversation records: promotion keeps the session's own turns in long-term memory.
const stack = useLocalStack({ visibilityTimeoutSeconds: 2 });
afterEach(() => {
  vi.useRealTimers();
});
const CONVERSATION = { eq: 'conversation' };

type Role = 'USER' | 'ASSISTANT' | 'SYSTEM';
interface Item {
  id: string;
  text: string;
  memoryType: string;
  sessionId?: string;
  namespace?: string;
  ownerId: string;
  actorId?: string;
  role?: Role;
  occurredAt?: string;
  sourceRefs?: string[];
}

async function newStore(config: Partial<StoreConfig> = {}) {
  const storeId = uniqueStoreId('conv');
  await stack().createStore(storeId, { extractionCadence: { activeIntervalSeconds: 60 }, ...config });
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  const base = `/v1/stores/${storeId}`;
  const append = async (
    sessionId: string,
    turns: ReadonlyArray<[Role, string, string]>,
    options: { namespace?: string; createdAt?: (i: number) => string } = {},
  ) => {
    const ids: string[] = [];
    for (const [i, [role, actorId, text]] of turns.entries()) {
      const r = await api.post(`${base}/session-memory/events`, {
        sessionId,
        actorId,
        role,
        content: [{ text }],
        createdAt: options.createdAt?.(i) ?? new Date(Date.UTC(2026, 5, 25, 18, i)).toISOString(),
        ...(options.namespace ? { namespace: options.namespace } : {}),
      });
      expect(r.status).toBe(201);
      ids.push(r.body.event.eventId);
    }
    return ids;
  };
  const promote = async (sessionId: string, copies = 1) => {
    await stack().sendPromotionJob(storeId, sessionId, copies);
    await stack().consumer!.drain(30_000);
  };
  const conversation = async (extra: Record<string, unknown> = {}) =>
    (
      await api.post(`${base}/long-term-memory/search`, {
        limit: 100,
        filter: { memoryType: CONVERSATION },
        ...extra,
      })
    ).body.items as Item[];
  return { storeId, api, base, append, promote, conversation };
}

const CHAT: Array<[Role, string, string]> = [
  ['USER', 'traveller-1', "I'm planning a trip to Japan next month."],
  ['SYSTEM', 'agent', 'You are a helpful travel agent. Always answer politely.'],
  ['ASSISTANT', 'travel-agent', 'Nice! Which cities are you visiting?'],
  ['USER', 'traveller-1', "Tokyo and Kyoto. Also, I'm a vegetarian."],
];

describe('conversation records', () => {
  it('keeps each USER and ASSISTANT turn with its speaker, time, session and source event', async () => {
    const { append, promote, conversation, api, base } = await newStore();
    const ids = await append('trip', CHAT, { namespace: 'travel' });
    await promote('trip');

    const records = await conversation();
    // The SYSTEM turn is the agent's instructions, not conversation: no record.
    expect(records).toHaveLength(3);
    const byEvent = new Map(records.map((r) => [r.sourceRefs?.[0], r]));
    expect(byEvent.get(ids[2]!)).toMatchObject({
      id: conversationRecordId('trip', ids[2]!),
      text: 'Nice! Which cities are you visiting?',
      memoryType: 'conversation',
      sessionId: 'trip',
      namespace: 'travel',
      // The session's owner is its first event's actor.
      ownerId: 'traveller-1',
      actorId: 'travel-agent',
      role: 'ASSISTANT',
      occurredAt: '2026-06-25T18:02:00.000Z',
      sourceRefs: [ids[2]],
    });
    expect(byEvent.get(ids[0]!)).toMatchObject({ actorId: 'traveller-1', role: 'USER' });
    expect(byEvent.has(ids[1]!)).toBe(false);

    // Ranked with the facts by default; a memoryType filter narrows to either.
    const both = await api.post(`${base}/long-term-memory/search`, { text: 'which cities', limit: 10 });
    const types = new Set((both.body.items as Item[]).map((m) => m.memoryType));
    expect(types.has('conversation')).toBe(true);
    expect([...types].some((t) => t !== 'conversation')).toBe(true);
    const facts = await api.post(`${base}/long-term-memory/search`, {
      text: 'which cities',
      filter: { memoryType: { ne: 'conversation' } },
    });
    expect((facts.body.items as Item[]).every((m) => m.memoryType !== 'conversation')).toBe(true);
    const status = (await api.get(`${base}/session-memory/trip/promotion`)).body;
    expect(status.conversationRecordsWritten).toBe(3);

    // The memory prompt quotes the turns as data, with their time and speaker, in the order said.
    const prompt = await api.post(`${base}/memory-prompt`, {
      query: 'Which cities is the user visiting in Japan?',
      ownerId: 'traveller-1',
    });
    expect(prompt.status).toBe(200);
    const system = prompt.body.messages[0].content as string;
    const excerpts = system.slice(system.indexOf('<conversation-excerpts>'));
    const lines = excerpts.split('\n').filter((l) => l.startsWith('- '));
    expect(lines).toContain(
      '- [2026-06-25 18:03 UTC] USER traveller-1: "Tokyo and Kyoto. Also, I\'m a vegetarian."',
    );
    expect(
      lines.indexOf(
        '- [2026-06-25 18:02 UTC] ASSISTANT travel-agent: "Nice! Which cities are you visiting?"',
      ),
    ).toBeLessThan(
      lines.indexOf('- [2026-06-25 18:03 UTC] USER traveller-1: "Tokyo and Kyoto. Also, I\'m a vegetarian."'),
    );
    expect(system.indexOf('<memories>')).toBeLessThan(system.indexOf('<conversation-excerpts>'));
  });

  it('never duplicates a turn: duplicated, redelivered and repeated jobs', async () => {
    const { append, promote, conversation } = await newStore();
    await append(
      'dup',
      CHAT.filter(([role]) => role !== 'SYSTEM'),
    );
    await promote('dup', 3);
    await promote('dup');
    const first = await conversation();
    expect(first).toHaveLength(3);
    await append('dup', [['USER', 'traveller-1', 'And I love ramen.']]);
    await promote('dup', 2);
    const after = await conversation();
    expect(after).toHaveLength(4);
    expect(new Set(after.map((r) => r.id)).size).toBe(4);
  });

  it('applies the store exclusions exactly as to facts: redact keeps the turn, drop wins', async () => {
    const { append, promote, conversation } = await newStore({
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
    await append('private', [
      ['USER', 'user-9', 'Write to me at nurse@example.com please.'],
      ['USER', 'user-9', 'My booking code is DEMO-7QX9, my mail nurse@example.com.'],
      ['ASSISTANT', 'agent', 'Noted.'],
    ]);
    await promote('private');
    const texts = (await conversation()).map((r) => r.text).sort();
    expect(texts).toEqual(['Noted.', 'Write to me at [REDACTED:email] please.']);
  });

  it('follows the store switch and its own retention, and deletion clears every index', async () => {
    const off = await newStore({ conversationMemory: { enabled: false } });
    await off.append('s', CHAT);
    await off.promote('s');
    expect(await off.conversation()).toEqual([]);
    const factsWithoutTier = await off.api.post(`${off.base}/long-term-memory/search`, { limit: 100 });
    expect(factsWithoutTier.body.items.length).toBeGreaterThan(0);

    const short = await newStore({ conversationMemory: { enabled: true, ttlSeconds: 1 } });
    await short.append('s', CHAT);
    // The handlers take the time from Date in this process: only Date is faked (it keeps running), so
    // the test sets the service clock instead of racing a 1 s retention with a promotion of unknown
    // length on a busy runner. Expiry is the record's time against that clock.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    const promotionStarted = Date.now();
    await short.promote('s');
    const promotionEnded = Date.now();
    // Back to when the promotion started: its records were written later, so none has expired yet.
    vi.setSystemTime(promotionStarted);
    const [one] = await short.conversation({ text: 'Japan trip', searchMode: 'keyword' });
    expect(one).toBeDefined();
    // Past the retention of the last record the promotion wrote.
    vi.setSystemTime(promotionEnded + 2_000);
    expect(await short.conversation()).toEqual([]);
    // Facts keep the store's long-term TTL.
    const facts = await short.api.post(`${short.base}/long-term-memory/search`, { limit: 100 });
    expect(facts.body.items.length).toBeGreaterThan(0);
    const { handler } = await import('../../functions/scheduled/maintenance.js');
    await handler();
    const redis = new RedisClient(stack().redis.url);
    try {
      expect(await redis.exists(`am:{${short.storeId}}:ltm:record:${one!.id}`)).toBe(0);
      for (const key of await redis.keys(`am:{${short.storeId}}:kw:*`)) {
        if ((await redis.type(key)) === 'zset') expect(await redis.zscore(key, one!.id)).toBeNull();
      }
    } finally {
      redis.disconnect();
    }

    // Deleting a conversation record removes it from keyword and semantic search.
    const del = await newStore();
    await del.append('s', CHAT);
    await del.promote('s');
    const [target] = await del.conversation({ text: 'Japan next month', searchMode: 'keyword' });
    expect(target!.text).toMatch(/Japan/);
    const removed = await del.api.delete(`${del.base}/long-term-memory`, { memoryIds: [target!.id] });
    expect(removed.body.deleted).toEqual([target!.id]);
    for (const searchMode of ['keyword', 'semantic', 'hybrid']) {
      const found = await del.conversation({ text: 'Japan next month', searchMode });
      expect(found.map((r) => r.id)).not.toContain(target!.id);
    }
  });

  it('ranks a turn with its true neighbours even when the client sent shuffled times', async () => {
    const { append, promote, api, base } = await newStore();
    const turns: Array<[Role, string, string]> = [
      ['USER', 'u1', 'The weather was grey all week.'],
      ['USER', 'u1', 'My sister visited on Tuesday.'],
      ['ASSISTANT', 'agent', 'What do you like to do on weekends?'],
      ['USER', 'u1', 'Hmm, good one.'],
      ['USER', 'u1', 'Pottery, mostly.'],
      ['USER', 'u1', 'The train was late again.'],
      ['ASSISTANT', 'agent', 'That sounds tiring.'],
      ['USER', 'u1', 'I bought a new umbrella.'],
    ];
    // Client times in an order unrelated to the conversation's (a fixed permutation).
    const order = [5, 0, 7, 2, 6, 1, 4, 3];
    await append('weekend', turns, {
      createdAt: (i) => new Date(Date.UTC(2026, 0, 1, 10, order[i]!)).toISOString(),
    });
    await promote('weekend');
    const r = await api.post(`${base}/long-term-memory/search`, {
      text: 'what do they like to do on weekends',
      filter: { memoryType: CONVERSATION },
      limit: 3,
    });
    // "Pottery, mostly." shares no word with the query, and its index entry holds only the turn
    // before it: the question two turns earlier lifts it through the ranking's session context,
    // which must follow the server's order, not the shuffled client times.
    expect((r.body.items as Item[]).map((m) => m.text).sort()).toEqual([
      'Hmm, good one.',
      'Pottery, mostly.',
      'What do you like to do on weekends?',
    ]);
  });
});
