import { Redis as RedisClient } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoreConfig } from '../../lib/contracts/store-config.js';
import { MAX_SEARCH_PARTITIONS } from '../../lib/use-cases/long-term/search.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

const stack = useLocalStack();
let redis: RedisClient | undefined;
afterAll(() => redis?.disconnect());

async function newStore(config: Partial<StoreConfig> = {}) {
  const storeId = uniqueStoreId();
  await stack().createStore(storeId, config);
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  return { storeId, api, ltm: `/v1/stores/${storeId}/long-term-memory` };
}

type Api = Awaited<ReturnType<typeof newStore>>['api'];

async function createAll(api: Api, ltm: string, memories: object[]): Promise<void> {
  for (let i = 0; i < memories.length; i += 100) {
    const response = await api.post(ltm, { memories: memories.slice(i, i + 100) });
    expect(response.status).toBe(201);
    expect(response.body.errors).toEqual([]);
  }
}

const ids = (body: { items: Array<{ id: string }> }) => body.items.map((item) => item.id).sort();

describe('search bounds', () => {
  // Issue 13 item 2: the over-fetch widened the vector topK past what the index accepts (1,000).
  it('answers a selective filter over partitions of 300+ and 600+ memories', async () => {
    const { api, ltm } = await newStore();
    const partition = (ownerId: string, namespace: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `${ownerId}-${i}`,
        ownerId,
        namespace,
        text: `Note ${i} of ${ownerId}: the weekly grocery list has apples, bread and ${i} other things`,
        topics: i % 97 === 5 ? ['rare'] : ['common'],
      }));
    await createAll(api, ltm, [...partition('small', 'home', 320), ...partition('big', 'home', 650)]);

    for (const [ownerId, expected] of [
      ['small', ['small-102', 'small-199', 'small-296', 'small-5']],
      ['big', ['big-102', 'big-199', 'big-296', 'big-393', 'big-490', 'big-5', 'big-587']],
    ] as const) {
      for (const searchMode of ['hybrid', 'semantic', 'keyword'] as const) {
        const found = await api.post(`${ltm}/search`, {
          text: 'weekly grocery list',
          searchMode,
          filter: { ownerId: { eq: ownerId }, namespace: { eq: 'home' }, topics: { eq: 'rare' } },
          limit: 20,
        });
        expect({ ownerId, searchMode, status: found.status }).toEqual({ ownerId, searchMode, status: 200 });
        expect(ids(found.body)).toEqual([...expected].sort());
      }
    }
  }, 180_000);

  it('sends the vector and keyword queries of a hybrid search in one request', async () => {
    const { api, ltm } = await newStore();
    await createAll(
      api,
      ltm,
      Array.from({ length: 30 }, (_, i) => ({
        id: `m-${i}`,
        ownerId: 'alice',
        namespace: 'home',
        text: `Memory ${i} about gardening and tomatoes`,
      })),
    );
    const search = () =>
      api.post(`${ltm}/search`, {
        text: 'tomatoes in the garden',
        filter: { ownerId: { eq: 'alice' }, namespace: { eq: 'home' } },
      });
    expect((await search()).status).toBe(200);
    stack().upstash.resetStats();
    const found = await search();
    expect(found.body.items).toHaveLength(10);
    // The authorizer's key lookup (the test stack caches no keys), then the search: both indexes
    // (one pipeline), the records, the access times. It was 5 with the indexes queried apart.
    expect(stack().upstash.stats.httpRequests).toBe(4);
  });

  // Issue 13 item 3: one request queried every partition named or stored (10,000 VECTOR.QUERY).
  it('refuses a search over more partitions than one request may read', async () => {
    const { api, ltm } = await newStore();
    const many = Array.from({ length: 100 }, (_, i) => `o${i}`);
    const crossProduct = await api.post(`${ltm}/search`, {
      text: 'hello world',
      filter: { ownerId: { in: many }, namespace: { in: many } },
    });
    expect(crossProduct.status).toBe(400);
    expect(JSON.stringify(crossProduct.body)).toMatch(/ownerId/);

    const named = await api.post(`${ltm}/search`, {
      text: 'hello world',
      filter: { ownerId: { in: many.slice(0, 16) }, namespace: { in: many.slice(0, 16) } },
    });
    expect(named.status).toBe(200);
  });

  it('bounds a store-wide search by the partitions that hold memories, which shrink on delete and expiry', async () => {
    const { api, ltm, storeId } = await newStore({ longTermMemory: { ttlSeconds: 8 } });
    const owners = Array.from({ length: MAX_SEARCH_PARTITIONS + 4 }, (_, i) => `owner-${i}`);
    await createAll(
      api,
      ltm,
      owners.map((ownerId) => ({ id: `m-${ownerId}`, ownerId, text: `A note about kites from ${ownerId}` })),
    );
    // A second record in one partition: deleting one of the two keeps the partition.
    const lastCreated = Date.now();
    await createAll(api, ltm, [{ id: 'm-owner-0-b', ownerId: 'owner-0', text: 'Another note about kites' }]);
    const storeWide = () => api.post(`${ltm}/search`, { text: 'kites', searchMode: 'keyword', limit: 5 });
    const tooWide = await storeWide();
    expect(tooWide.status).toBe(400);
    expect(JSON.stringify(tooWide.body)).toMatch(/ownerId/);

    redis ??= new RedisClient(stack().redis.url);
    const partitionsKey = `am:{${storeId}}:ltm:partitions`;
    expect(await redis.scard(partitionsKey)).toBe(owners.length);
    const deleted = await api.delete(ltm, {
      memoryIds: ['m-owner-0', ...owners.slice(1, 5).map((o) => `m-${o}`)],
    });
    expect(deleted.status).toBe(200);
    expect(await redis.scard(partitionsKey)).toBe(owners.length - 4);
    expect(await redis.sismember(partitionsKey, 'owner-0:_')).toBe(1);
    expect(await redis.sismember(partitionsKey, 'owner-1:_')).toBe(0);

    const bounded = await storeWide();
    expect(bounded.status).toBe(200);
    expect(bounded.body.items).toHaveLength(5);

    // The expiry sweep deletes like DELETE does: every partition goes with its last record.
    await new Promise((r) => setTimeout(r, Math.max(0, lastCreated + 8_300 - Date.now())));
    const { handler } = await import('../../functions/scheduled/maintenance.js');
    await handler();
    expect(await redis.scard(partitionsKey)).toBe(0);
    expect(await redis.exists(`am:{${storeId}}:ltm:partition-counts`)).toBe(0);
  }, 60_000);
});
