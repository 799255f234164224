import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../lib/domain/errors.js';
import {
  listApiKeys,
  mintApiKey,
  rotateApiKey,
  sweepExpiredApiKeys,
  updateApiKey,
} from '../../../lib/use-cases/control-plane/api-keys.js';
import { createStore } from '../../../lib/use-cases/control-plane/stores.js';
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
  };
}
const grant = (storeId: string, actions: ('read' | 'write')[] = ['read']) => ({
  resourceType: 'mem-store' as const,
  resourceId: storeId,
  actions,
});

describe('control plane: rotating, updating and listing keys', () => {
  it('rotates make-before-break: both secrets work until the grace ends, then the sweep ends the old one', async () => {
    // Arrange
    const deps = controlPlane();
    const store = await createStore(deps, { name: 'shop' });
    const old = await mintApiKey(deps, { name: 'agent', grants: [grant(store.storeId)] });
    const now = Math.floor(deps.clock.now() / 1000);

    // Act
    const rotated = await rotateApiKey(deps, old.keyId, 60);

    // Assert
    expect(rotated.keyId).not.toBe(old.keyId);
    expect(rotated.oldExpiresAt).toBe(now + 60);
    const replacement = await deps.apiKeys.resolveKey(rotated.token);
    expect(replacement).toMatchObject({ name: 'agent', rotatedFrom: old.keyId, expiresAt: 0 });
    expect(replacement?.grants).toEqual([grant(store.storeId)]);
    expect((await deps.apiKeys.resolveKey(old.token))?.rotatedTo).toBe(rotated.keyId);
    // A key winding down is not rotated again: its replacement is.
    await expect(rotateApiKey(deps, old.keyId, 60)).rejects.toThrow(ConflictError);

    deps.clock.advance(59_000);
    expect((await sweepExpiredApiKeys(deps, { limit: 10 })).expired).toBe(0);
    deps.clock.advance(1_000);
    expect((await sweepExpiredApiKeys(deps, { limit: 10 })).expired).toBe(1);
    expect(await deps.apiKeys.resolveKey(old.token)).toBeUndefined();
    expect(await deps.apiKeys.resolveKey(rotated.token)).toBeDefined();
    expect(deps.usagePlanKeys.keys.size).toBe(1);
  });

  it('keeps a minted expiry through a rotation and refuses to rotate an expired key', async () => {
    const deps = controlPlane();
    const store = await createStore(deps, { name: 'shop' });
    const now = Math.floor(deps.clock.now() / 1000);
    const minted = await mintApiKey(deps, {
      name: 'short',
      grants: [grant(store.storeId)],
      expiresAt: now + 30,
    });

    // The grace cannot outlive the key's own expiry, and the replacement keeps that expiry.
    const rotated = await rotateApiKey(deps, minted.keyId, 3600);
    expect(rotated.oldExpiresAt).toBe(now + 30);
    expect((await deps.apiKeys.getKey(rotated.keyId))?.expiresAt).toBe(now + 30);

    deps.clock.advance(30_000);
    await expect(rotateApiKey(deps, rotated.keyId, 60)).rejects.toThrow(NotFoundError);
  });

  it('renames a key and replaces its grants, refusing grants on unknown stores and unknown keys', async () => {
    const deps = controlPlane();
    const shop = await createStore(deps, { name: 'shop' });
    const crm = await createStore(deps, { name: 'crm' });
    const minted = await mintApiKey(deps, { name: 'agent', grants: [grant(shop.storeId)] });

    const renamed = await updateApiKey(deps, minted.keyId, { name: 'support-agent' });
    expect(renamed).toMatchObject({ name: 'support-agent', grants: [grant(shop.storeId)] });

    const regranted = await updateApiKey(deps, minted.keyId, {
      grants: [grant(crm.storeId, ['read', 'write'])],
    });
    expect(regranted.name).toBe('support-agent');
    expect((await deps.apiKeys.resolveKey(minted.token))?.grants).toEqual([
      grant(crm.storeId, ['read', 'write']),
    ]);

    await expect(updateApiKey(deps, minted.keyId, { grants: [grant('nostore')] })).rejects.toThrow(
      ValidationError,
    );
    expect((await deps.apiKeys.getKey(minted.keyId))?.grants).toEqual([
      grant(crm.storeId, ['read', 'write']),
    ]);
    await expect(updateApiKey(deps, 'f'.repeat(32), { name: 'ghost' })).rejects.toThrow(NotFoundError);
  });

  it('lists every key once across pages', async () => {
    const deps = controlPlane();
    const store = await createStore(deps, { name: 'shop' });
    const minted = new Set<string>();
    for (let i = 0; i < 5; i++) {
      minted.add((await mintApiKey(deps, { name: `agent-${i}`, grants: [grant(store.storeId)] })).keyId);
    }

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await listApiKeys(deps, { maxResults: 2, ...(nextToken ? { nextToken } : {}) });
      seen.push(...page.apiKeys.map((key) => key.keyId));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);

    expect(pages).toBe(3);
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(minted);
  });
});
