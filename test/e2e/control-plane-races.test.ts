import { describe, expect, it } from 'vitest';
import { createUpstashRedis } from '../../lib/adapters/upstash/redis-client.js';
import { UpstashStoreRegistry } from '../../lib/adapters/upstash/upstash-registry.js';
import type { StoreRecord } from '../../lib/contracts/store-config.js';
import { updateStore } from '../../lib/use-cases/control-plane/stores.js';
import { useLocalStack } from '../support/local-stack-fixture.js';

const stack = useLocalStack();
const admin: ReturnType<typeof stack>['admin'] = (method, path, body) => stack().admin(method, path, body);

// Security review 2026-12, finding 12: read-modify-write of registry records lost concurrent updates.
// Each race runs a few times, since without compare-and-set only some interleavings lose.
const TRIALS = 4;

async function newStore(name = 'racer'): Promise<string> {
  const created = await admin('POST', '/v1/stores', { name });
  expect(created.status).toBe(201);
  return created.body.storeId as string;
}

async function mint(storeIds: string[]): Promise<string> {
  const minted = await admin('POST', '/v1/api-keys', {
    name: 'agent',
    grants: storeIds.map((resourceId) => ({ resourceType: 'mem-store', resourceId, actions: ['read'] })),
  });
  expect(minted.status).toBe(201);
  return minted.body.keyId as string;
}

describe('concurrent control-plane writes', () => {
  it('keeps every field of concurrent store PATCHes', async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      // Prepare
      const storeId = await newStore();

      // Act: four PATCHes of different fields at once (the use case retries up to five times, enough
      // for five concurrent writers: each lost attempt is another writer's success).
      const responses = await Promise.all([
        admin('PATCH', `/v1/stores/${storeId}`, { name: 'renamed' }),
        admin('PATCH', `/v1/stores/${storeId}`, { shortMemory: { ttlSeconds: 120 } }),
        admin('PATCH', `/v1/stores/${storeId}`, {
          addCustomMemoryTypes: [{ name: 'flight', description: 'f' }],
        }),
        admin('PATCH', `/v1/stores/${storeId}`, {
          addCustomMemoryTypes: [{ name: 'hotel', description: 'h' }],
        }),
      ]);

      // Assess
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
      const store = (await admin('GET', `/v1/stores/${storeId}`)).body;
      expect(store.name).toBe('renamed');
      expect(store.shortMemory.ttlSeconds).toBe(120);
      expect(store.customMemoryTypes.map((type: { name: string }) => type.name).sort()).toEqual([
        'flight',
        'hotel',
      ]);
    }
  });

  it('does not bring back a store deleted between the PATCH read and its write', async () => {
    // Prepare: a registry that deletes the store right after the PATCH has read it (concurrent
    // requests hit this interleaving too rarely to test reliably).
    const storeId = await newStore();
    const redis = createUpstashRedis({ url: stack().upstash.url, token: stack().upstash.token });
    class DeletedAfterRead extends UpstashStoreRegistry {
      override async getStore(id: string): Promise<StoreRecord | undefined> {
        const store = await super.getStore(id);
        if (store) await this.markDeleted(id);
        return store;
      }
    }
    const registry = new UpstashStoreRegistry(redis);

    // Act
    const patched = updateStore({ stores: new DeletedAfterRead(redis) }, storeId, { name: 'late-edit' });

    // Assess
    await expect(patched).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await registry.getStore(storeId)).toBeUndefined();
    expect(await registry.listStoreIds()).not.toContain(storeId);
  });

  it('keeps a rotation when a key PATCH or a store deletion races it', async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      // Prepare
      const [kept, dropped] = [await newStore(), await newStore()];
      const keyId = await mint([kept, dropped]);

      // Act: rename, rotate and delete one of the key's stores (which narrows the key) at once.
      const [renamed, rotated, deleted] = await Promise.all([
        admin('PATCH', `/v1/api-keys/${keyId}`, { name: 'renamed' }),
        admin('POST', `/v1/api-keys/${keyId}/rotate`, { graceSeconds: 600 }),
        admin('DELETE', `/v1/stores/${dropped}`),
      ]);

      // Assess: the old key still winds down, and every change is in the record.
      expect(renamed.status).toBe(200);
      expect(rotated.status).toBe(201);
      expect(deleted.status).toBeLessThan(300);
      const old = (await admin('GET', `/v1/api-keys/${keyId}`)).body;
      expect(old).toMatchObject({ name: 'renamed', rotatedTo: rotated.body.keyId });
      expect(old.expiresAt).toBe(rotated.body.oldExpiresAt);
      expect(old.grants.map((grant: { resourceId: string }) => grant.resourceId)).toEqual([kept]);
    }
  });
});
