import { randomUUID } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisInstance, startRedis } from '../../dev/local-stack/redis-server.js';
import { startUpstashRestServer, type UpstashRestServer } from '../../dev/local-stack/upstash/server.js';
import { createUpstashRedis } from '../../lib/adapters/upstash/redis-client.js';
import { UpstashStoreRegistry } from '../../lib/adapters/upstash/upstash-registry.js';
import { UpstashSessionStore } from '../../lib/adapters/upstash/upstash-session-store.js';
import type { SessionEvent } from '../../lib/contracts/session-memory.js';
import { storeConfigSchema } from '../../lib/contracts/store-config.js';
import { newEventId } from '../../lib/domain/ids.js';

let redis: RedisInstance;
let upstash: UpstashRestServer;
let sessions: UpstashSessionStore;
let registry: UpstashStoreRegistry;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  upstash = await startUpstashRestServer({ redisUrl: redis.url, token: 'test-token' });
  client = createUpstashRedis({ url: upstash.url, token: upstash.token });
  sessions = new UpstashSessionStore(client, { maxEventsPerSession: 5 });
  registry = new UpstashStoreRegistry(client);
});
afterAll(async () => {
  await upstash?.stop();
  await redis?.stop();
});

async function newStore(): Promise<string> {
  const storeId = `store-${randomUUID().slice(0, 8)}`;
  await registry.putStore({
    storeId,
    name: storeId,
    createdAt: new Date().toISOString(),
    config: storeConfigSchema.parse({}),
  });
  return storeId;
}

function event(sessionId: string, now: number, text = 'hello'): SessionEvent {
  return {
    eventId: newEventId(now),
    actorId: 'user-1',
    sessionId,
    role: 'USER',
    content: [{ text }],
    createdAt: new Date(now).toISOString(),
    systemTimestamp: new Date(now).toISOString(),
  };
}

describe('UpstashSessionStore', () => {
  it('costs one Redis round trip per operation once its scripts are cached', async () => {
    const storeId = await newStore();
    const now = Date.now();
    const first = event('s-1', now);
    await sessions.appendEvent({ storeId, event: first, namespace: undefined, now });
    await sessions.getSession(storeId, 's-1');
    await sessions.listSessionIds({ storeId, ownerId: undefined, offset: 0, limit: 10, now });
    await sessions.listSessionRows({
      storeId,
      ownerId: 'user-1',
      offset: 0,
      limit: 10,
      now,
      sortBy: 'updatedAt',
      sortOrder: 'desc',
    });
    await sessions.deleteEvent(storeId, 's-1', 'x'.repeat(32), now);
    await sessions.deleteSession(storeId, 'missing');

    const operations: Array<[string, () => Promise<unknown>]> = [
      [
        'append',
        () =>
          sessions.appendEvent({ storeId, event: event('s-1', now + 1), namespace: undefined, now: now + 1 }),
      ],
      ['get session', () => sessions.getSession(storeId, 's-1')],
      ['get event', () => sessions.getEvent(storeId, 's-1', first.eventId)],
      ['list ids', () => sessions.listSessionIds({ storeId, ownerId: undefined, offset: 0, limit: 10, now })],
      [
        'list rows',
        () =>
          sessions.listSessionRows({
            storeId,
            ownerId: 'user-1',
            offset: 0,
            limit: 10,
            now,
            sortBy: 'updatedAt',
            sortOrder: 'desc',
          }),
      ],
      ['delete event', () => sessions.deleteEvent(storeId, 's-1', first.eventId, now)],
      ['delete session', () => sessions.deleteSession(storeId, 's-1')],
    ];
    for (const [name, run] of operations) {
      upstash.resetStats();
      await run();
      expect(upstash.stats.httpRequests, name).toBe(1);
    }
  });

  it('refuses appends past the per-session event limit, and unknown stores', async () => {
    const storeId = await newStore();
    const now = Date.now();
    for (let i = 0; i < 5; i++) {
      const result = await sessions.appendEvent({
        storeId,
        event: event('full', now + i),
        namespace: undefined,
        now,
      });
      expect(result.status).toBe('appended');
    }
    const sixth = await sessions.appendEvent({
      storeId,
      event: event('full', now + 9),
      namespace: undefined,
      now,
    });
    expect(sixth).toEqual({ status: 'session-full', limit: 'events', max: 5 });
    expect((await sessions.getSession(storeId, 'full'))?.events).toHaveLength(5);

    const nowhere = await sessions.appendEvent({
      storeId: 'no-such-store',
      event: event('x', now),
      namespace: undefined,
      now,
    });
    expect(nowhere).toEqual({ status: 'store-not-found' });
  });

  it('refuses appends past the per-session byte limit, naming it; other sessions are unaffected', async () => {
    const storeId = await newStore();
    const small = new UpstashSessionStore(client, { maxBytesPerSession: 2_000 });
    const now = Date.now();
    // About 800 bytes of event JSON each: two fit in 2,000 bytes, a third does not.
    const sized = (sessionId: string, i: number) => ({
      ...event(sessionId, now + i),
      content: [{ text: 'x'.repeat(600) }],
    });
    const bytesOf = (e: SessionEvent) => Buffer.byteLength(JSON.stringify(e));
    expect(bytesOf(sized('heavy', 0)) * 2).toBeLessThanOrEqual(2_000);
    expect(bytesOf(sized('heavy', 0)) * 3).toBeGreaterThan(2_000);
    for (let i = 0; i < 2; i++) {
      const result = await small.appendEvent({
        storeId,
        event: sized('heavy', i),
        namespace: undefined,
        now,
      });
      expect(result.status).toBe('appended');
    }
    const third = await small.appendEvent({ storeId, event: sized('heavy', 5), namespace: undefined, now });
    expect(third).toEqual({ status: 'session-full', limit: 'bytes', max: 2_000 });
    expect((await small.getSession(storeId, 'heavy'))?.events).toHaveLength(2);
    const other = await small.appendEvent({ storeId, event: sized('light', 7), namespace: undefined, now });
    expect(other.status).toBe('appended');
  });

  it('opens one promotion window per session until it is closed', async () => {
    const storeId = await newStore();
    const now = Date.now();
    const first = await sessions.appendEvent({ storeId, event: event('w', now), namespace: 'ns', now });
    const second = await sessions.appendEvent({
      storeId,
      event: event('w', now + 5),
      namespace: 'other',
      now: now + 5,
    });
    expect(first).toMatchObject({ status: 'appended', sessionCreated: true, namespace: 'ns' });
    expect(first.status === 'appended' && first.promotionWindow).toEqual({
      openedAt: now,
      dueAt: now + 300_000,
    });
    expect(second).toMatchObject({
      status: 'appended',
      sessionCreated: false,
      namespace: 'ns',
      promotionWindow: undefined,
    });
  });

  it('keeps stored values byte for byte, whatever they look like', async () => {
    const storeId = await newStore();
    const now = Date.now();
    const uncapped = new UpstashSessionStore(createUpstashRedis({ url: upstash.url, token: upstash.token }));
    const texts = ['true', '123', 'null', '{"a":1}', 'T0s=', 'line\r\nbreak', '\u0000', '😀'.repeat(100)];
    for (const [i, text] of texts.entries()) {
      await uncapped.appendEvent({
        storeId,
        event: event('raw', now + i, text),
        namespace: undefined,
        now: now + i,
      });
    }
    const stored = await uncapped.getSession(storeId, 'raw');
    expect(stored?.events.map((e) => e.content[0]?.text)).toEqual(texts);
  });
});
