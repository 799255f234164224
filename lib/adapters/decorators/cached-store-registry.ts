import type { StoreRecord } from '../../contracts/store-config.js';
import type { RegistryWriteOutcome, StoreRegistry } from '../../ports/registry.js';

/**
 * Store configuration changes rarely and is read by every long-term request; a warm function
 * reuses it for a few seconds instead of paying a Redis round trip each time. Writes through this
 * instance take effect at once; writes elsewhere within `ttlMs`.
 */
export class CachedStoreRegistry implements StoreRegistry {
  private readonly cache = new Map<string, { store: StoreRecord | undefined; until: number }>();

  constructor(
    private readonly inner: StoreRegistry,
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 1_000,
  ) {}

  async getStore(storeId: string): Promise<StoreRecord | undefined> {
    const hit = this.cache.get(storeId);
    if (hit && hit.until > Date.now()) return hit.store;
    const store = await this.inner.getStore(storeId);
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    // A missing store is not cached: it may be created a moment later.
    if (store) this.cache.set(storeId, { store, until: Date.now() + this.ttlMs });
    return store;
  }

  async putStore(store: StoreRecord): Promise<void> {
    await this.inner.putStore(store);
    this.cache.delete(store.storeId);
  }

  async replaceStore(expected: StoreRecord, next: StoreRecord): Promise<RegistryWriteOutcome> {
    const outcome = await this.inner.replaceStore(expected, next);
    this.cache.delete(next.storeId);
    return outcome;
  }

  listStoreIds(): Promise<string[]> {
    return this.inner.listStoreIds();
  }
}
