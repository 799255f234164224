import { describe, expect, it } from 'vitest';
import type { ErasureJob } from '../../../lib/contracts/erasure.js';
import { ValidationError } from '../../../lib/domain/errors.js';
import {
  mintApiKey,
  revokeApiKey,
  sweepExpiredApiKeys,
} from '../../../lib/use-cases/control-plane/api-keys.js';
import {
  createStore,
  deleteStore,
  getStore,
  type StoreDeletionJobs,
} from '../../../lib/use-cases/control-plane/stores.js';
import { FakeClock } from '../../fakes/clock.js';
import {
  InMemoryApiKeyRegistry,
  InMemoryStoreRegistry,
  InMemoryUsagePlanKeys,
} from '../../fakes/in-memory-registry.js';
import { RecordingLogger } from '../../fakes/logger.js';

function controlPlane() {
  return {
    stores: new InMemoryStoreRegistry(),
    apiKeys: new InMemoryApiKeyRegistry(),
    usagePlanKeys: new InMemoryUsagePlanKeys(),
    clock: new FakeClock(Date.UTC(2026, 5, 25)),
    logger: new RecordingLogger(),
    deletions: new RecordedDeletions(),
  };
}

/** Store deletion's erasure jobs as the control plane sees them (the jobs have their own tests). */
class RecordedDeletions implements StoreDeletionJobs {
  readonly jobs = new Map<string, ErasureJob>();
  async find(storeId: string) {
    return this.jobs.get(storeId);
  }
  async start(storeId: string) {
    const job: ErasureJob = {
      jobId: '0'.repeat(32),
      kind: 'DELETE_STORE',
      storeId,
      state: 'RUNNING',
      phase: 'sessions',
      cursor: '0',
      passes: 0,
      erased: { sessions: 0, memories: 0, partitions: 0, keys: 0 },
      failures: 0,
      createdAt: 0,
      updatedAt: 0,
    };
    this.jobs.set(storeId, job);
    return job;
  }
  async hasLeftovers(_storeId: string) {
    return false;
  }
  async run(_jobId: string, _deadline: number) {
    return undefined;
  }
}
const grant = (storeId: string) => ({
  resourceType: 'mem-store' as const,
  resourceId: storeId,
  actions: ['read' as const],
});

describe('control plane: stores and keys', () => {
  it('mints a key with a gateway key for an existing store, refuses grants on unknown stores', async () => {
    // Arrange
    const deps = controlPlane();
    const store = await createStore(deps, { name: 'shop' });
    // Act
    const minted = await mintApiKey(deps, { name: 'agent', grants: [grant(store.storeId)] });
    // Assert
    expect((await deps.apiKeys.resolveKey(minted.token))?.keyId).toBe(minted.keyId);
    expect(deps.usagePlanKeys.keys.size).toBe(1);
    await expect(mintApiKey(deps, { name: 'x', grants: [grant('nostore')] })).rejects.toThrow(
      ValidationError,
    );
    expect((await getStore(deps, store.storeId)).name).toBe('shop');
  });

  it('revokes a key and keeps a gateway key whose removal failed for the sweeper', async () => {
    const deps = controlPlane();
    const store = await createStore(deps, { name: 'shop' });
    const minted = await mintApiKey(deps, { name: 'agent', grants: [grant(store.storeId)] });
    deps.usagePlanKeys.failRemoval = true;
    await revokeApiKey(deps, minted.keyId);
    expect(await deps.apiKeys.getKey(minted.keyId)).toBeUndefined();
    expect(deps.apiKeys.orphans.size).toBe(1);
    deps.usagePlanKeys.failRemoval = false;
    const swept = await sweepExpiredApiKeys(deps, { limit: 10 });
    expect(swept.gatewayKeysRemoved).toBe(1);
    expect(deps.usagePlanKeys.keys.size).toBe(0);
  });

  it('deleting a store revokes keys left without grants and narrows the others', async () => {
    const deps = controlPlane();
    const a = await createStore(deps, { name: 'a' });
    const b = await createStore(deps, { name: 'b' });
    const only = await mintApiKey(deps, { name: 'only-a', grants: [grant(a.storeId)] });
    const both = await mintApiKey(deps, { name: 'both', grants: [grant(a.storeId), grant(b.storeId)] });
    await deleteStore(deps, a.storeId);
    expect(await deps.apiKeys.getKey(only.keyId)).toBeUndefined();
    expect((await deps.apiKeys.getKey(both.keyId))?.grants.map((g) => g.resourceId)).toEqual([b.storeId]);
    expect(await deps.stores.getStore(a.storeId)).toBeUndefined();
    expect(deps.deletions.jobs.get(a.storeId)?.kind).toBe('DELETE_STORE');
  });

  it('a repeated DeleteStore resumes the deletion instead of answering 404; an unknown store is 404', async () => {
    const deps = controlPlane();
    const a = await createStore(deps, { name: 'a' });
    await deleteStore(deps, a.storeId);
    await expect(deleteStore(deps, a.storeId)).resolves.toMatchObject({ erasure: { storeId: a.storeId } });
    await expect(deleteStore(deps, 'never-existed')).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
