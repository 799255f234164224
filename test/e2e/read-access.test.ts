import { Redis as RedisClient } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

const stack = useLocalStack();
let redis: RedisClient | undefined;
afterAll(() => redis?.quit());

// Security review 2026-12, finding 13: a `read` key must not change stored state.
describe('last access by key kind', () => {
  it("a read-only key's search and GET leave last access alone; a write key's reads record it", async () => {
    // Prepare
    const storeId = uniqueStoreId('access');
    await stack().createStore(storeId);
    const writer = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
    const reader = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read'] }));
    const ltm = `/v1/stores/${storeId}/long-term-memory`;
    const created = await writer.post(ltm, {
      memories: [{ id: 'veg', text: 'The user is a vegetarian', ownerId: 'alice' }],
    });
    expect(created.status).toBeLessThan(300);
    redis ??= new RedisClient(stack().redis.url);
    const accessed = `am:{${storeId}}:ltm:accessed`;
    const lastAccess = () => redis!.zscore(accessed, 'veg');
    expect(await lastAccess()).toBeNull();

    // Act: a read-only key reads both ways.
    expect((await reader.get(`${ltm}/veg`)).status).toBe(200);
    const search = await reader.post(`${ltm}/search`, { text: 'vegetarian', limit: 3 });
    expect(search.body.items.map((item: { id: string }) => item.id)).toEqual(['veg']);

    // Assess
    expect(await lastAccess()).toBeNull();

    // Act: the write key's GET, then its search, each record the access.
    expect((await writer.get(`${ltm}/veg`)).status).toBe(200);
    const afterGet = await lastAccess();
    expect(afterGet).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await writer.post(`${ltm}/search`, { text: 'vegetarian', limit: 3 });
    expect(Number(await lastAccess())).toBeGreaterThan(Number(afterGet));
  });
});
