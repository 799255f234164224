import { Redis as RedisClient } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryKeys, sessionKeys, storeKeys } from '../../lib/adapters/upstash/keys.js';
import {
  BULK_MAX,
  MEMORY_TEXT_MAX,
  SEARCH_LIMIT_MAX,
  TOPICS_MAX,
} from '../../lib/contracts/long-term-memory.js';
import { LIMITS } from '../../lib/domain/limits.js';
import { type ApiResponse, apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

/**
 * README "## Limits", enforced over HTTP: for each limit, the largest allowed value is accepted and
 * one past it gets the answer the table promises (status, and the field it names). Limits already
 * pinned elsewhere (request body 1 MiB, ids, listing `limit`: session-memory.test.ts) are not
 * repeated; the JSON nesting limit is also covered by fuzz.test.ts.
 */
const stack = useLocalStack();
let redis: RedisClient | undefined;
afterAll(() => redis?.disconnect());

const TYPE = {
  name: 'profile',
  description: 'A custom type, so attributes are allowed',
  fields: [{ name: 'label', description: 'A label', type: 'str' }],
} as const;

async function newStore() {
  const storeId = uniqueStoreId('limits');
  await stack().createStore(storeId, { customMemoryTypes: [TYPE as never] });
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  return { storeId, api, base: `/v1/stores/${storeId}` };
}

const event = (overrides: Record<string, unknown> = {}) => ({
  actorId: 'alice',
  role: 'USER',
  content: [{ text: 'hello' }],
  createdAt: '2026-06-25T18:00:00Z',
  ...overrides,
});

const memory = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  text: 'The user likes tea.',
  ownerId: 'alice',
  ...overrides,
});

/** A rejection as the table promises it: the status, a problem body, and the field it names. */
function expectRejected(response: ApiResponse, status: 400 | 413, field: string): void {
  expect(response.status, JSON.stringify(response.body).slice(0, 300)).toBe(status);
  expect(response.body).toMatchObject({
    type: status === 413 ? '/errors/payload-too-large' : '/errors/invalid-data',
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  expect(response.body.fields.map((f: { field: string }) => f.field)).toContain(field);
}

/** Per-item outcome of a bulk create: the error for `id`, or undefined when it was created. */
async function bulkOutcome(api: ReturnType<typeof apiClient>, base: string, item: Record<string, unknown>) {
  const response = await api.post(`${base}/long-term-memory`, { memories: [item] });
  expect(response.status).toBe(201);
  if (response.body.created.includes(item.id)) return undefined;
  return response.body.errors.find((e: { id: string }) => e.id === item.id)?.error as string;
}

describe('README limits over HTTP', () => {
  it(`event text: ${LIMITS.eventTextChars} characters over all parts, 413 on content past it`, async () => {
    const { api, base } = await newStore();
    const half = LIMITS.eventTextChars / 2;
    const atLimit = [{ text: 'a'.repeat(half) }, { text: 'b'.repeat(half) }];
    expect((await api.post(`${base}/session-memory/events`, event({ content: atLimit }))).status).toBe(201);
    const past = [{ text: 'a'.repeat(half) }, { text: 'b'.repeat(half + 1) }];
    expectRejected(await api.post(`${base}/session-memory/events`, event({ content: past })), 413, 'content');
  });

  it(`content parts: ${LIMITS.eventContentParts} per event, 400 past it`, async () => {
    const { api, base } = await newStore();
    const parts = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `part ${i}` }));
    const ok = await api.post(
      `${base}/session-memory/events`,
      event({ content: parts(LIMITS.eventContentParts) }),
    );
    expect(ok.status).toBe(201);
    expectRejected(
      await api.post(
        `${base}/session-memory/events`,
        event({ content: parts(LIMITS.eventContentParts + 1) }),
      ),
      400,
      'content',
    );
  });

  it(`event metadata: ${LIMITS.eventMetadataBytes} bytes of UTF-8 JSON, 413 on metadata past it`, async () => {
    const { api, base } = await newStore();
    // {"k":"…"} is 8 bytes of JSON around the value; é is 2 bytes of UTF-8.
    const sized = (bytes: number) => ({
      k: `${'é'.repeat(Math.floor((bytes - 8) / 2))}${(bytes - 8) % 2 ? 'x' : ''}`,
    });
    expect(Buffer.byteLength(JSON.stringify(sized(LIMITS.eventMetadataBytes)))).toBe(
      LIMITS.eventMetadataBytes,
    );
    const ok = await api.post(
      `${base}/session-memory/events`,
      event({ metadata: sized(LIMITS.eventMetadataBytes) }),
    );
    expect(ok.status).toBe(201);
    expectRejected(
      await api.post(
        `${base}/session-memory/events`,
        event({ metadata: sized(LIMITS.eventMetadataBytes + 1) }),
      ),
      413,
      'metadata',
    );
  });

  it(`events per session: ${LIMITS.eventsPerSession}, 413 on sessionId past it`, async () => {
    const { storeId, api, base } = await newStore();
    const first = await api.post(`${base}/session-memory/events`, event({ sessionId: 'full' }));
    expect(first.status).toBe(201);
    // Appending 10,000 events over HTTP takes too long for a test; fill the session's order index
    // (what the append script counts) up to one below the limit instead.
    redis ??= new RedisClient(stack().redis.url);
    const filler = Array.from({ length: LIMITS.eventsPerSession - 2 }, (_, i) => [i, `filler${i}`]).flat();
    await redis.zadd(sessionKeys.order(storeId, 'full'), ...filler);
    const last = await api.post(`${base}/session-memory/events`, event({ sessionId: 'full' }));
    expect(last.status).toBe(201);
    expectRejected(
      await api.post(`${base}/session-memory/events`, event({ sessionId: 'full' })),
      413,
      'sessionId',
    );
    // Other sessions are unaffected.
    expect((await api.post(`${base}/session-memory/events`, event({ sessionId: 'other' }))).status).toBe(201);
  });

  it(`stored bytes per session: ${LIMITS.sessionBytes}, 413 on sessionId past it, naming the limit`, async () => {
    const { storeId, api, base } = await newStore();
    const first = await api.post(`${base}/session-memory/events`, event({ sessionId: 'heavy' }));
    expect(first.status).toBe(201);
    // Writing 5 MiB over HTTP takes too long for a test; raise the session's byte count (what the
    // append script checks) to just under the limit instead.
    redis ??= new RedisClient(stack().redis.url);
    const field = 'heavy:bytes';
    const held = Number(await redis.hget(storeKeys.sessionUsage(storeId), field));
    expect(held).toBeGreaterThan(0);
    await redis.hset(storeKeys.sessionUsage(storeId), field, LIMITS.sessionBytes - 10);
    const refused = await api.post(`${base}/session-memory/events`, event({ sessionId: 'heavy' }));
    expectRejected(refused, 413, 'sessionId');
    expect(refused.body.fields[0]).toMatchObject({ rule: 'maxBytes' });
    expect(refused.body.detail).toContain(String(LIMITS.sessionBytes));
    expect((await api.get(`${base}/session-memory/heavy`)).body.events).toHaveLength(1);
    // Other sessions are unaffected.
    expect((await api.post(`${base}/session-memory/events`, event({ sessionId: 'light' }))).status).toBe(201);
  });

  it(`memories per owner: ${LIMITS.memoriesPerOwner}, a per-item error past it`, async () => {
    const { storeId, api, base } = await newStore();
    // Creating 100,000 memories over HTTP takes too long for a test; fill the owner's index (what
    // the create script counts) up to one below the limit instead.
    redis ??= new RedisClient(stack().redis.url);
    const ownerIndex = memoryKeys.ownerByCreated(storeId, 'crowded');
    for (let start = 0; start < LIMITS.memoriesPerOwner - 1; start += 10_000) {
      const size = Math.min(10_000, LIMITS.memoriesPerOwner - 1 - start);
      await redis.zadd(
        ownerIndex,
        ...Array.from({ length: size }, (_, i) => [1, `filler${start + i}`]).flat(),
      );
    }
    const memory = (id: string, ownerId: string) => ({ id, text: `fact ${id}`, ownerId });
    const last = await api.post(`${base}/long-term-memory`, { memories: [memory('last', 'crowded')] });
    expect(last.body).toEqual({ created: ['last'], errors: [] });
    const past = await api.post(`${base}/long-term-memory`, {
      memories: [memory('past', 'crowded'), memory('elsewhere', 'roomy')],
    });
    expect(past.status).toBe(201);
    expect(past.body.created).toEqual(['elsewhere']);
    expect(past.body.errors).toEqual([{ id: 'past', error: expect.stringContaining('100000 memories') }]);
    expect((await api.get(`${base}/long-term-memory/past`)).status).toBe(404);
    // Re-posting a memory the owner already has is not a new one: still fine at the limit.
    expect(
      (await api.post(`${base}/long-term-memory`, { memories: [memory('last', 'crowded')] })).body,
    ).toEqual({
      created: ['last'],
      errors: [],
    });
  });

  it(`pageToken: ${LIMITS.pageTokenChars} characters, 400 past it`, async () => {
    const { api, base } = await newStore();
    const token = (n: number) => 'a'.repeat(n);
    for (const path of ['session-memory', 'sessions']) {
      const past = await api.get(
        `${base}/${path}?includeAll=true&pageToken=${token(LIMITS.pageTokenChars + 1)}`,
      );
      expectRejected(past, 400, 'pageToken');
    }
    const search = await api.post(`${base}/long-term-memory/search`, {
      pageToken: token(LIMITS.pageTokenChars + 1),
    });
    expectRejected(search, 400, 'pageToken');
  });

  it(`memories per bulk call: 1-${BULK_MAX}, 400 past it (create and delete)`, async () => {
    const { api, base } = await newStore();
    const many = (n: number) => Array.from({ length: n }, (_, i) => memory(`m${i}`));
    expectRejected(await api.post(`${base}/long-term-memory`, { memories: [] }), 400, 'memories');
    expectRejected(
      await api.post(`${base}/long-term-memory`, { memories: many(BULK_MAX + 1) }),
      400,
      'memories',
    );
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);
    const deleted = await api.delete(`${base}/long-term-memory`, { memoryIds: ids(BULK_MAX) });
    expect(deleted.status).toBe(200);
    expectRejected(
      await api.delete(`${base}/long-term-memory`, { memoryIds: ids(BULK_MAX + 1) }),
      400,
      'memoryIds',
    );
    expectRejected(await api.delete(`${base}/long-term-memory`, { memoryIds: [] }), 400, 'memoryIds');
  });

  it(`memory text: 1-${MEMORY_TEXT_MAX} characters, a per-item error in bulk and 400 on update`, async () => {
    const { api, base } = await newStore();
    expect(await bulkOutcome(api, base, memory('empty', { text: '' }))).toMatch(/text/);
    expect(await bulkOutcome(api, base, memory('long', { text: 'x'.repeat(MEMORY_TEXT_MAX + 1) }))).toMatch(
      /text/,
    );
    expect(await bulkOutcome(api, base, memory('edit'))).toBeUndefined();
    const path = `${base}/long-term-memory/edit`;
    expect((await api.patch(path, { text: 'y'.repeat(MEMORY_TEXT_MAX) })).status).toBe(200);
    expectRejected(await api.patch(path, { text: 'y'.repeat(MEMORY_TEXT_MAX + 1) }), 400, 'text');
    expectRejected(await api.patch(path, { text: '' }), 400, 'text');
    const fields = `${path}/fields`;
    expectRejected(
      await api.patch(fields, { memoryType: 'semantic', text: 'z'.repeat(MEMORY_TEXT_MAX + 1) }),
      400,
      'text',
    );
  });

  it(`topics: ${TOPICS_MAX} per memory of 1-100 characters, a per-item error in bulk and 400 on update`, async () => {
    const { api, base } = await newStore();
    const topics = (n: number, length = 5) =>
      Array.from({ length: n }, (_, i) => `t${i}`.padEnd(length, 'x'));
    expect(await bulkOutcome(api, base, memory('max', { topics: topics(TOPICS_MAX, 100) }))).toBeUndefined();
    expect((await api.get(`${base}/long-term-memory/max`)).body.topics).toHaveLength(TOPICS_MAX);
    expect(await bulkOutcome(api, base, memory('too-many', { topics: topics(TOPICS_MAX + 1) }))).toMatch(
      /topics/,
    );
    expect(await bulkOutcome(api, base, memory('too-long', { topics: topics(1, 101) }))).toMatch(/topics/);
    expect(await bulkOutcome(api, base, memory('empty', { topics: [''] }))).toMatch(/topics/);
    const path = `${base}/long-term-memory/max`;
    expectRejected(await api.patch(path, { topics: topics(TOPICS_MAX + 1) }), 400, 'topics');
    expectRejected(await api.patch(path, { topics: topics(1, 101) }), 400, 'topics.0');
  });

  it('attributes: names of 1-64 characters, declared by the custom type; per-item error in bulk, 400 on update', async () => {
    const { api, base } = await newStore();
    const typed = (attributes: Record<string, unknown>) =>
      memory('typed', { memoryType: 'profile', attributes });
    expect(await bulkOutcome(api, base, typed({ label: 'ok' }))).toBeUndefined();
    expect(await bulkOutcome(api, base, { ...typed({ ['a'.repeat(65)]: 'x' }), id: 'long-name' })).toMatch(
      /attributes/,
    );
    expect(await bulkOutcome(api, base, { ...typed({ undeclared: 'x' }), id: 'undeclared' })).toMatch(
      /undeclared/,
    );
    expect(await bulkOutcome(api, base, { ...typed({ label: 1 }), id: 'wrong-type' })).toMatch(/label/);
    const fields = `${base}/long-term-memory/typed/fields`;
    expect((await api.patch(fields, { memoryType: 'profile', attributes: { label: 'new' } })).status).toBe(
      200,
    );
    expectRejected(
      await api.patch(fields, { memoryType: 'profile', attributes: { ['a'.repeat(65)]: 'x' } }),
      400,
      `attributes.${'a'.repeat(65)}`,
    );
    expectRejected(
      await api.patch(fields, { memoryType: 'profile', attributes: { undeclared: 'x' } }),
      400,
      'attributes',
    );
  });

  it(`search limit: 1-${SEARCH_LIMIT_MAX}, 400 outside`, async () => {
    const { api, base } = await newStore();
    const search = (limit: number) => api.post(`${base}/long-term-memory/search`, { limit });
    expect((await search(SEARCH_LIMIT_MAX)).status).toBe(200);
    expectRejected(await search(SEARCH_LIMIT_MAX + 1), 400, 'limit');
    expectRejected(await search(0), 400, 'limit');
  });

  it(`JSON nesting: ${LIMITS.jsonNestingDepth} levels, 400 on body past it`, async () => {
    const { api, base } = await newStore();
    const nested = (depth: number) => `${'['.repeat(depth - 1)}{}${']'.repeat(depth - 1)}`;
    const metadata = (depth: number) =>
      `{"actorId":"alice","role":"USER","content":[{"text":"hi"}],"createdAt":"2026-06-25T18:00:00Z","metadata":${nested(depth)}}`;
    // The body object itself is one level.
    expect(
      (await api.post(`${base}/session-memory/events`, metadata(LIMITS.jsonNestingDepth - 1))).status,
    ).toBe(201);
    expectRejected(
      await api.post(`${base}/session-memory/events`, metadata(LIMITS.jsonNestingDepth)),
      400,
      'body',
    );
    expectRejected(await api.post(`${base}/session-memory/events`, metadata(10_000)), 400, 'body');
  });
});
