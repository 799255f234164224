import { Redis as RedisClient } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { StoreConfig } from '../../lib/contracts/store-config.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

const stack = useLocalStack();
let redis: RedisClient | undefined;
afterAll(() => redis?.disconnect());

const TRIP_TYPE = {
  name: 'trip_preference',
  description: 'Travel preferences',
  fields: [
    { name: 'destinations', description: 'Places', type: 'list[str]' },
    { name: 'travel_period', description: 'When', type: 'str' },
    { name: 'budget', description: 'Budget in USD', type: 'float' },
  ],
} as const;

async function newStore(config: Partial<StoreConfig> = {}) {
  const storeId = uniqueStoreId();
  await stack().createStore(storeId, { customMemoryTypes: [TRIP_TYPE as never], ...config });
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  return { storeId, api, ltm: `/v1/stores/${storeId}/long-term-memory` };
}

const memory = (id: string, text: string, extra: Record<string, unknown> = {}) => ({
  id,
  text,
  ownerId: 'alice',
  ...extra,
});

const ids = (body: { items: Array<{ id: string }> }) => body.items.map((item) => item.id);

const DAY_MS = 86_400_000;
/**
 * The handlers run in this process and take the time from `Date` (systemClock), so a test can move
 * their clock instead of sleeping: `Date` alone is faked and keeps running from wherever it is set.
 * Timers stay real, so the servers and clients of the stack behave as usual.
 */
function useMovableClock(): { advance(ms: number): void } {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  return { advance: (ms) => vi.setSystemTime(Date.now() + ms) };
}
afterEach(() => {
  vi.useRealTimers();
});

describe('long-term memory over HTTP', () => {
  it('creates, reads and finds memories by meaning', async () => {
    const { api, ltm } = await newStore();
    const created = await api.post(ltm, {
      memories: [
        memory('veg', 'The user is a vegetarian', { topics: ['food'], sourceRefs: ['session-1:event-3'] }),
        memory('trip', 'The user is planning a trip to Japan in July 2026', { namespace: 'travel' }),
        memory('pet', 'The user has a golden retriever named Max'),
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ created: ['veg', 'trip', 'pet'], errors: [] });

    const veg = await api.get(`${ltm}/veg`);
    expect(veg.status).toBe(200);
    expect(veg.body).toMatchObject({
      id: 'veg',
      text: 'The user is a vegetarian',
      memoryType: 'semantic',
      ownerId: 'alice',
      topics: ['food'],
      sourceRefs: ['session-1:event-3'],
    });
    expect(veg.body).not.toHaveProperty('namespace');
    expect(Date.parse(veg.body.createdAt)).toBeGreaterThan(0);

    const search = await api.post(`${ltm}/search`, { text: 'dietary restrictions', limit: 3 });
    expect(search.status).toBe(200);
    expect(ids(search.body)[0]).toBe('veg');
    expect(search.body.items[0]).not.toHaveProperty('score');

    const travel = await api.post(`${ltm}/search`, {
      text: 'upcoming travel',
      limit: 1,
      includeScores: true,
    });
    expect(ids(travel.body)).toEqual(['trip']);
    expect(travel.body.items[0].score).toBeGreaterThan(0.5);
    expect(travel.body.items[0].score).toBeLessThanOrEqual(1);
  });

  it('searches by keywords and by both', async () => {
    const { api, ltm } = await newStore();
    await api.post(ltm, {
      memories: [
        memory('m1', "Alice's favourite restaurant is Shunkaku in Kyoto"),
        memory('m2', 'The user prefers window seats on long flights'),
        memory('m3', 'The user likes restaurants with vegan menus'),
      ],
    });
    const keyword = await api.post(`${ltm}/search`, {
      text: 'Shunkaku',
      searchMode: 'keyword',
      includeScores: true,
    });
    expect(ids(keyword.body)).toEqual(['m1']);
    const stemmed = await api.post(`${ltm}/search`, { text: 'restaurant', searchMode: 'keyword' });
    expect(ids(stemmed.body).sort()).toEqual(['m1', 'm3']);
    const hybrid = await api.post(`${ltm}/search`, {
      text: 'where to eat in Kyoto',
      searchMode: 'hybrid',
      limit: 2,
    });
    expect(ids(hybrid.body)).toContain('m1');
    expect((await api.post(`${ltm}/search`, { text: 'x', searchMode: 'fuzzy' })).status).toBe(400);
  });

  it('reports partial failures per item', async () => {
    const { api, ltm } = await newStore();
    const response = await api.post(ltm, {
      memories: [
        memory('ok-1', 'A valid memory'),
        memory('bad id', 'Invalid id'),
        memory('too-long', 'x'.repeat(50_001)),
        memory('unknown-type', 'Typed', { memoryType: 'diary' }),
        memory('attrs-on-builtin', 'Attributes', { attributes: { a: 1 } }),
        memory('bad-attr', 'Trip', { memoryType: 'trip_preference', attributes: { budget: 'cheap' } }),
        memory('ok-1', 'Duplicate in the same request'),
        { id: 'no-owner', text: 'Missing owner' },
        'not an object',
      ],
    });
    expect(response.status).toBe(201);
    expect(response.body.created).toEqual(['ok-1']);
    const errors = new Map<string, string>(
      response.body.errors.map((e: { id: string; error: string }) => [e.id, e.error]),
    );
    expect([...errors.keys()].sort()).toEqual(
      [
        'attrs-on-builtin',
        'bad id',
        'bad-attr',
        'memories[8]',
        'no-owner',
        'ok-1',
        'too-long',
        'unknown-type',
      ].sort(),
    );
    expect(errors.get('too-long')).toMatch(/50000/);
    expect(errors.get('bad-attr')).toMatch(/budget/);
    expect(errors.get('no-owner')).toMatch(/ownerId/);

    expect((await api.post(ltm, { memories: [] })).status).toBe(400);
    expect(
      (await api.post(ltm, { memories: Array.from({ length: 101 }, (_, i) => memory(`m${i}`, 't')) })).status,
    ).toBe(400);
  });

  it('never duplicates a re-posted id, even concurrently', async () => {
    const { api, ltm } = await newStore();
    const same = memory('once', 'The user drinks oat milk');
    const results = await Promise.all(Array.from({ length: 5 }, () => api.post(ltm, { memories: [same] })));
    for (const r of results) expect(r.status).toBe(201);
    const createdCount = results.filter((r) => r.body.created.includes('once')).length;
    expect(createdCount).toBeGreaterThanOrEqual(1);
    const again = await api.post(ltm, { memories: [same] });
    expect(again.body).toEqual({ created: ['once'], errors: [] });
    const different = await api.post(ltm, { memories: [memory('once', 'Something else')] });
    expect(different.body.created).toEqual([]);
    expect(different.body.errors[0]).toMatchObject({ id: 'once' });

    const listed = await api.post(`${ltm}/search`, {});
    expect(ids(listed.body)).toEqual(['once']);
    const found = await api.post(`${ltm}/search`, { text: 'oat milk', searchMode: 'hybrid', limit: 10 });
    expect(ids(found.body)).toEqual(['once']);
  });

  it('applies every filter with the reference semantics', async () => {
    const { api, ltm } = await newStore();
    await api.post(ltm, {
      memories: [
        memory('a1', 'Alice likes sushi', { namespace: 'Food', topics: ['Food', 'japan'], sessionId: 's1' }),
        memory('a2', 'Alice likes ramen', { namespace: 'food', topics: ['food'] }),
        memory('a3', 'Alice has no namespace and likes tempura', { topics: ['japan'] }),
        memory('b1', 'Bob likes sushi too', { ownerId: 'bob', namespace: 'food', memoryType: 'episodic' }),
        memory('t1', 'Trip to Kyoto', {
          memoryType: 'trip_preference',
          attributes: { destinations: ['kyoto', 'osaka'], travel_period: 'july', budget: 2500 },
        }),
      ],
    });
    const search = async (body: Record<string, unknown>) => {
      const r = await api.post(`${ltm}/search`, body);
      expect(r.status, JSON.stringify(body)).toBe(200);
      return ids(r.body).sort();
    };
    expect(await search({ filter: { ownerId: { eq: 'alice' } } })).toEqual(['a1', 'a2', 'a3', 't1']);
    expect(await search({ filter: { ownerId: { eq: 'Alice' } } })).toEqual([]);
    expect(await search({ filter: { namespace: { eq: 'FOOD' } } })).toEqual(['a1', 'a2', 'b1']);
    expect(await search({ filter: { namespace: { ne: 'food' } } })).toEqual(['a3', 't1']);
    expect(await search({ filter: { namespace: { in: ['food', 'x'] }, ownerId: { eq: 'alice' } } })).toEqual([
      'a1',
      'a2',
    ]);
    expect(await search({ filter: { topics: { all: ['food', 'JAPAN'] } } })).toEqual(['a1']);
    expect(await search({ filter: { topics: { in: ['japan'] } } })).toEqual(['a1', 'a3']);
    expect(await search({ filter: { memoryType: { eq: 'EPISODIC' } } })).toEqual(['b1']);
    expect(await search({ filter: { sessionId: { eq: 's1' } } })).toEqual(['a1']);
    expect(await search({ filter: { sessionId: { ne: 's1' } } })).toEqual(['a2', 'a3', 'b1', 't1']);
    expect(
      await search({ filter: { ownerId: { eq: 'bob' }, topics: { eq: 'japan' } }, filterOp: 'any' }),
    ).toEqual(['a1', 'a3', 'b1']);
    expect(await search({ filter: { attributes: { destinations: { list: ['kyoto'] } } } })).toEqual(['t1']);
    expect(await search({ filter: { attributes: { budget: { number: 2500 } } } })).toEqual(['t1']);
    expect(
      await search({ filter: { createdAt: { gt: new Date(Date.now() + 60_000).toISOString() } } }),
    ).toEqual([]);
    expect(
      await search({ filter: { createdAt: { lte: new Date(Date.now() + 60_000).toISOString() } } }),
    ).toHaveLength(5);
    // The same filters hold for ranked search.
    expect(
      await search({ text: 'sushi', searchMode: 'hybrid', filter: { ownerId: { eq: 'bob' } }, limit: 10 }),
    ).toEqual(['b1']);

    const badType = await api.post(`${ltm}/search`, { filter: { attributes: { budget: { string: 'x' } } } });
    expect(badType.status).toBe(400);
    expect(badType.body.fields[0].field).toBe('filter.attributes.budget');
    expect((await api.post(`${ltm}/search`, { filter: { ownerId: { eq: 'a', ne: 'b' } } })).status).toBe(400);
    expect((await api.post(`${ltm}/search`, { filter: { colour: { eq: 'red' } } })).status).toBe(400);
  });

  it('finds a match behind a selective filter however deep it ranks', async () => {
    const { api, ltm } = await newStore();
    const noise = Array.from({ length: 100 }, (_, i) =>
      memory(`n${i}`, `The user enjoys sushi dinners, variant ${i}`),
    );
    await api.post(ltm, { memories: noise });
    await api.post(ltm, { memories: [memory('needle', 'A quiet walk in the forest', { topics: ['rare'] })] });
    const r = await api.post(`${ltm}/search`, {
      text: 'sushi dinners',
      filter: { topics: { eq: 'rare' } },
      limit: 5,
    });
    expect(ids(r.body)).toEqual(['needle']);
  });

  it('pages through filter-only listings and ranked results with tokens bound to the query', async () => {
    const { api, ltm, storeId } = await newStore();
    await api.post(ltm, {
      memories: Array.from({ length: 7 }, (_, i) => memory(`p${i}`, `Fact number ${i} about tea`)),
    });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const r = await api.post(`${ltm}/search`, { limit: 3, ...(token ? { pageToken: token } : {}) });
      seen.push(...ids(r.body));
      token = r.body.nextPageToken;
    } while (token);
    expect(seen).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);

    const first = await api.post(`${ltm}/search`, { text: 'tea', limit: 4 });
    expect(first.body.items).toHaveLength(4);
    const second = await api.post(`${ltm}/search`, {
      text: 'tea',
      limit: 4,
      pageToken: first.body.nextPageToken,
    });
    expect(second.body.items).toHaveLength(3);
    expect(new Set([...ids(first.body), ...ids(second.body)]).size).toBe(7);

    const otherQuery = await api.post(`${ltm}/search`, {
      text: 'coffee',
      pageToken: first.body.nextPageToken,
    });
    expect(otherQuery.status).toBe(400);
    const other = await newStore();
    const otherStore = await other.api.post(`${other.ltm}/search`, {
      text: 'tea',
      pageToken: first.body.nextPageToken,
    });
    expect(otherStore.status).toBe(400);
    expect(storeId).not.toBe(other.storeId);
  });

  it('applies similarityThreshold to cosine similarity', async () => {
    const { api, ltm } = await newStore();
    await api.post(ltm, { memories: [memory('v', 'The user is a vegetarian')] });
    const strict = await api.post(`${ltm}/search`, {
      text: 'quantum chromodynamics',
      similarityThreshold: 0.95,
    });
    expect(strict.body.items).toEqual([]);
    const loose = await api.post(`${ltm}/search`, { text: 'vegetarian', similarityThreshold: 0.1 });
    expect(ids(loose.body)).toEqual(['v']);
  });

  it('updates records: text re-embeds, namespace clears, owner moves', async () => {
    const { api, ltm } = await newStore();
    await api.post(ltm, {
      memories: [memory('u', 'The user lives in Paris', { namespace: 'home', sessionId: 's9' })],
    });
    const patched = await api.patch(`${ltm}/u`, {
      text: 'The user moved to Lisbon',
      namespace: '',
      ownerId: 'carol',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      id: 'u',
      text: 'The user moved to Lisbon',
      ownerId: 'carol',
      sessionId: 's9',
    });
    expect(patched.body).not.toHaveProperty('namespace');
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThan(Date.parse(patched.body.createdAt) - 1);

    const lisbon = await api.post(`${ltm}/search`, {
      text: 'Lisbon',
      searchMode: 'keyword',
      filter: { ownerId: { eq: 'carol' } },
    });
    expect(ids(lisbon.body)).toEqual(['u']);
    const paris = await api.post(`${ltm}/search`, { text: 'Paris', searchMode: 'keyword' });
    expect(ids(paris.body)).toEqual([]);
    const oldOwner = await api.post(`${ltm}/search`, {
      text: 'Lisbon',
      filter: { ownerId: { eq: 'alice' } },
    });
    expect(oldOwner.body.items).toEqual([]);

    expect((await api.patch(`${ltm}/missing`, { text: 'x' })).status).toBe(404);
    expect((await api.patch(`${ltm}/u`, { text: '' })).status).toBe(400);
    expect((await api.patch(`${ltm}/u`, { memoryType: 'nope' })).status).toBe(400);
  });

  it('checks type and namespace before writing fields, atomically', async () => {
    const { api, ltm } = await newStore();
    await api.post(ltm, {
      memories: [
        memory('t', 'Trip', {
          memoryType: 'trip_preference',
          namespace: 'Travel',
          attributes: { destinations: ['rome'] },
        }),
      ],
    });
    const fields = `${ltm}/t/fields`;
    expect(
      (await api.patch(fields, { memoryType: 'trip_preference', attributes: { budget: 10 } })).status,
    ).toBe(409);
    expect(
      (
        await api.patch(fields, {
          memoryType: 'trip_preference',
          namespace: 'travel',
          attributes: { budget: 10 },
        })
      ).status,
    ).toBe(409);
    expect((await api.patch(fields, { memoryType: 'semantic', namespace: 'Travel' })).status).toBe(409);
    const ok = await api.patch(fields, {
      memoryType: 'trip_preference',
      namespace: 'Travel',
      attributes: { budget: 10.5 },
    });
    expect(ok.status).toBe(200);
    expect((await api.get(`${ltm}/t`)).body.attributes).toEqual({ destinations: ['rome'], budget: 10.5 });
    const badValue = await api.patch(fields, {
      memoryType: 'trip_preference',
      namespace: 'Travel',
      attributes: { budget: 'x' },
    });
    expect(badValue.status).toBe(400);
  });

  it('deletes so that nothing is left in any index', async () => {
    const { api, ltm, storeId } = await newStore();
    await api.post(ltm, { memories: [memory('d1', 'Delete me please'), memory('d2', 'Keep me around')] });
    const deleted = await api.delete(ltm, { memoryIds: ['d1', 'missing', 'bad/id'] });
    expect(deleted.status).toBe(200);
    expect(deleted.body.deleted).toEqual(['d1']);
    expect(deleted.body.errors.map((e: { id: string }) => e.id).sort()).toEqual(['bad/id', 'missing']);
    expect((await api.get(`${ltm}/d1`)).status).toBe(404);
    expect(ids((await api.post(`${ltm}/search`, { text: 'delete', searchMode: 'keyword' })).body)).toEqual(
      [],
    );
    expect(ids((await api.post(`${ltm}/search`, { text: 'Delete me please', limit: 5 })).body)).toEqual([
      'd2',
    ]);

    redis ??= new RedisClient(stack().redis.url);
    const keys = await redis.keys(`am:{${storeId}}:*`);
    const leftovers = [];
    for (const key of keys) {
      const type = await redis.type(key);
      // The record key itself is caught by its name below.
      const holds =
        type === 'zset'
          ? (await redis.zscore(key, 'd1')) !== null
          : type === 'hash'
            ? (await redis.hexists(key, 'd1')) === 1
            : type === 'vectorset'
              ? (await redis.call('VEMB', key, 'd1')) !== null
              : false;
      if (holds || key.endsWith(':d1')) leftovers.push(key);
    }
    expect(leftovers).toEqual([]);
  });

  it('stores 50,000-character texts and answers unicode and empty queries', async () => {
    const { api, ltm } = await newStore();
    const long = `${'Kyoto temples and gardens. '.repeat(1900)}`.slice(0, 50_000);
    const created = await api.post(ltm, {
      memories: [memory('long', long), memory('uni', 'Die Nutzerin mag Käse 🧀 und 東京の寿司')],
    });
    expect(created.body.created).toEqual(['long', 'uni']);
    expect((await api.get(`${ltm}/long`)).body.text).toHaveLength(50_000);
    const unicode = await api.post(`${ltm}/search`, { text: 'Käse 🧀', searchMode: 'keyword' });
    expect(ids(unicode.body)).toEqual(['uni']);
    const cjk = await api.post(`${ltm}/search`, { text: '寿司', searchMode: 'hybrid' });
    expect(ids(cjk.body)).toContain('uni');
    const empty = await api.post(`${ltm}/search`, { text: '' });
    expect(ids(empty.body)).toEqual(['long', 'uni']);
  });

  it('expires memories after the store long-term TTL and the sweep clears every index', async () => {
    const clock = useMovableClock();
    const { api, ltm, storeId } = await newStore({ longTermMemory: { ttlSeconds: 1 } });
    await api.post(ltm, { memories: [memory('short', 'A short-lived memory about kites')] });
    expect((await api.get(`${ltm}/short`)).status).toBe(200);
    // Expiry is the record's expiresAt against the service clock (reads, search and the sweep alike).
    clock.advance(2_000);
    expect((await api.get(`${ltm}/short`)).status).toBe(404);
    expect((await api.post(`${ltm}/search`, { text: 'kites', searchMode: 'hybrid' })).body.items).toEqual([]);
    expect((await api.post(`${ltm}/search`, {})).body.items).toEqual([]);

    const { handler } = await import('../../functions/scheduled/maintenance.js');
    const report = await handler();
    expect(report.expiry.deleted).toBeGreaterThanOrEqual(1);
    redis ??= new RedisClient(stack().redis.url);
    expect(await redis.exists(`am:{${storeId}}:ltm:record:short`)).toBe(0);
    expect(await redis.zcard(`am:{${storeId}}:ltm:by-created`)).toBe(0);
    const keywordKeys = await redis.keys(`am:{${storeId}}:kw:*`);
    for (const key of keywordKeys) {
      if ((await redis.type(key)) === 'zset') expect(await redis.zscore(key, 'short')).toBeNull();
    }
  });

  it('blends recency into the ranking when asked', async () => {
    const clock = useMovableClock();
    const { api, ltm } = await newStore();
    await api.post(ltm, { memories: [memory('older', 'The user is a vegetarian')] });
    clock.advance(2 * DAY_MS);
    await api.post(ltm, { memories: [memory('newer', 'The user likes jazz concerts')] });
    const query = { text: 'vegetarian food', searchMode: 'semantic', limit: 2, includeScores: true };
    const plain = await api.post(`${ltm}/search`, query);
    expect(ids(plain.body)).toEqual(['older', 'newer']);
    // With relevance switched off, two days of age at a one-day half-life (a quarter) decide.
    const byRecency = await api.post(`${ltm}/search`, {
      ...query,
      recency: { weight: 1, halfLifeDays: 1 },
    });
    expect(ids(byRecency.body)).toEqual(['newer', 'older']);
    const blended = await api.post(`${ltm}/search`, {
      ...query,
      recency: { weight: 0.2, halfLifeDays: 365 },
    });
    expect(ids(blended.body)).toEqual(['older', 'newer']);

    // By last access: reading the older memory a day later makes it the most recently used.
    clock.advance(DAY_MS);
    await api.get(`${ltm}/older`);
    const byAccess = await api.post(`${ltm}/search`, {
      ...query,
      recency: { weight: 1, halfLifeDays: 1, field: 'lastAccessedAt' },
    });
    expect(ids(byAccess.body)).toEqual(['older', 'newer']);
    expect((await api.post(`${ltm}/search`, { ...query, recency: { weight: 2 } })).status).toBe(400);
  });

  it('keeps stores apart', async () => {
    const a = await newStore();
    const b = await newStore();
    await a.api.post(a.ltm, { memories: [memory('shared', 'Store A secret')] });
    await b.api.post(b.ltm, { memories: [memory('shared', 'Store B note')] });
    expect((await a.api.get(`${a.ltm}/shared`)).body.text).toBe('Store A secret');
    expect((await b.api.get(`${b.ltm}/shared`)).body.text).toBe('Store B note');
    const crossRead = await a.api.get(`${b.ltm}/shared`);
    expect(crossRead.status).toBe(403);
    const crossSearch = await a.api.post(`${b.ltm}/search`, { text: 'secret' });
    expect(crossSearch.status).toBe(403);
    const found = await b.api.post(`${b.ltm}/search`, { text: 'secret', searchMode: 'keyword' });
    expect(found.body.items).toEqual([]);
  });
});
