import { describe, expect, it } from 'vitest';
import { newApiKeyToken } from '../../../lib/domain/api-key.js';
import type { ApiKeyRecord } from '../../../lib/ports/registry.js';
import { CachedKeyResolver } from '../../../lib/use-cases/access/resolve-api-key.js';

/** A registry that counts reads, keyed by token (the resolver's logic is under test, not Redis). */
function registry(records: Map<string, ApiKeyRecord>) {
  const reads = { count: 0 };
  return {
    reads,
    resolveKey: async (token: string) => {
      reads.count += 1;
      return records.get(token);
    },
  };
}

function record(keyId: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return { keyId, name: 'k', grants: [], createdAt: 0, expiresAt: 0, plan: 'standard', ...overrides };
}

describe('CachedKeyResolver', () => {
  it('reuses an answer for the TTL, then reads again (revocation takes effect within it)', async () => {
    const { keyId, token } = newApiKeyToken();
    const records = new Map([[token, record(keyId)]]);
    const reg = registry(records);
    let now = 1_000_000;
    const resolver = new CachedKeyResolver(reg, { now: () => now }, 30_000);

    expect(await resolver.resolve(token)).toMatchObject({ keyId });
    records.delete(token);
    now += 29_999;
    expect(await resolver.resolve(token)).toMatchObject({ keyId });
    expect(reg.reads.count).toBe(1);
    now += 1;
    expect(await resolver.resolve(token)).toBeUndefined();
    expect(reg.reads.count).toBe(2);
  });

  it('judges expiry on every call, cached or not', async () => {
    const { keyId, token } = newApiKeyToken();
    let now = 1_000_000_000;
    const reg = registry(new Map([[token, record(keyId, { expiresAt: now / 1000 + 10 })]]));
    const resolver = new CachedKeyResolver(reg, { now: () => now }, 60_000);
    expect(await resolver.resolve(token)).toBeDefined();
    now += 10_000;
    expect(await resolver.resolve(token)).toBeUndefined();
    expect(reg.reads.count).toBe(1);
  });

  it('never reads the registry for tokens that are not service tokens', async () => {
    const reg = registry(new Map());
    const resolver = new CachedKeyResolver(reg, { now: () => 0 }, 0);
    for (const token of ['', 'dev-api-key', `amk${'g'.repeat(32)}${'a'.repeat(40)}`, 'amk123']) {
      expect(await resolver.resolve(token)).toBeUndefined();
    }
    expect(reg.reads.count).toBe(0);
  });

  it('refuses a record whose key id does not match the token', async () => {
    const first = newApiKeyToken();
    const second = newApiKeyToken();
    const reg = registry(new Map([[first.token, record(second.keyId)]]));
    expect(await new CachedKeyResolver(reg, { now: () => 0 }, 0).resolve(first.token)).toBeUndefined();
  });

  it('does not cache when the TTL is 0', async () => {
    const { keyId, token } = newApiKeyToken();
    const reg = registry(new Map([[token, record(keyId)]]));
    const resolver = new CachedKeyResolver(reg, { now: () => 0 }, 0);
    await resolver.resolve(token);
    await resolver.resolve(token);
    expect(reg.reads.count).toBe(2);
  });
});
