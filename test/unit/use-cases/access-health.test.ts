import { describe, expect, it } from 'vitest';
import { newApiKeyToken } from '../../../lib/domain/api-key.js';
import { NotFoundError } from '../../../lib/domain/errors.js';
import { CachedKeyResolver } from '../../../lib/use-cases/access/resolve-api-key.js';
import { storeHealth } from '../../../lib/use-cases/health/store-health.js';
import { FakeClock } from '../../fakes/clock.js';
import { InMemoryApiKeyRegistry } from '../../fakes/in-memory-registry.js';
import { STORE_ID, world } from '../../fakes/world.js';

describe('CachedKeyResolver on the in-memory registry', () => {
  it('resolves a registered token and refuses one past its expiry', async () => {
    // Arrange
    const clock = new FakeClock(1_000_000_000);
    const registry = new InMemoryApiKeyRegistry();
    const { keyId, token } = newApiKeyToken();
    await registry.putKey(token, {
      keyId,
      name: 'k',
      grants: [],
      createdAt: 0,
      expiresAt: 1_000_100,
      plan: 'basic',
    });
    const resolver = new CachedKeyResolver(registry, clock, 300_000);
    // Act / Assert
    expect((await resolver.resolve(token))?.keyId).toBe(keyId);
    clock.advance(100_000);
    expect(await resolver.resolve(token)).toBeUndefined();
    // The second answer came from the cache: one registry read.
    expect(registry.resolved).toHaveLength(1);
  });

  it('never reads the registry for a string that is not one of its tokens', async () => {
    const registry = new InMemoryApiKeyRegistry();
    const resolver = new CachedKeyResolver(registry, new FakeClock(), 0);
    expect(await resolver.resolve('not-a-token')).toBeUndefined();
    expect(registry.resolved).toEqual([]);
  });
});

describe('storeHealth', () => {
  it('is healthy for an existing store and a 404 otherwise', async () => {
    const w = world();
    expect((await storeHealth(w, STORE_ID)).status).toBe('healthy');
    await expect(storeHealth(w, 'missing')).rejects.toThrow(NotFoundError);
  });
});
