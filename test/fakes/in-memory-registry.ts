import type { StoreRecord } from '../../lib/contracts/store-config.js';
import { hashApiKey } from '../../lib/domain/api-key.js';
import type {
  ApiKeyRecord,
  ApiKeyRegistry,
  RegistryWriteOutcome,
  StoreRegistry,
  StoreRemoval,
} from '../../lib/ports/registry.js';
import type { UsagePlanKeys } from '../../lib/ports/usage-plan-keys.js';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Stores and their removal, in memory; compare-and-set by value as the Upstash registry does. */
export class InMemoryStoreRegistry implements StoreRegistry, StoreRemoval {
  private readonly stores = new Map<string, StoreRecord>();

  constructor(...stores: StoreRecord[]) {
    for (const store of stores) this.stores.set(store.storeId, structuredClone(store));
  }

  async putStore(store: StoreRecord) {
    this.stores.set(store.storeId, structuredClone(store));
  }
  async replaceStore(expected: StoreRecord, next: StoreRecord): Promise<RegistryWriteOutcome> {
    const current = this.stores.get(expected.storeId);
    if (!current) return 'missing';
    if (!same(current, expected)) return 'conflict';
    this.stores.set(next.storeId, structuredClone(next));
    return 'replaced';
  }
  async getStore(storeId: string) {
    const store = this.stores.get(storeId);
    return store && structuredClone(store);
  }
  async listStoreIds() {
    return [...this.stores.keys()];
  }
  async markDeleted(storeId: string) {
    return this.stores.delete(storeId);
  }
}

/** API keys by token hash and by key id, in memory. */
export class InMemoryApiKeyRegistry implements ApiKeyRegistry {
  private readonly byId = new Map<string, ApiKeyRecord>();
  private readonly byHash = new Map<string, string>();
  readonly orphans = new Set<string>();
  /** Tokens `resolveKey` was asked about (to count registry reads). */
  readonly resolved: string[] = [];

  async resolveKey(token: string) {
    this.resolved.push(token);
    const keyId = this.byHash.get(hashApiKey(token));
    return keyId === undefined ? undefined : this.byId.get(keyId);
  }
  async putKey(token: string, record: ApiKeyRecord) {
    this.byId.set(record.keyId, record);
    this.byHash.set(hashApiKey(token), record.keyId);
  }
  async getKey(keyId: string) {
    return this.byId.get(keyId);
  }
  async updateKey(expected: ApiKeyRecord, next: ApiKeyRecord): Promise<RegistryWriteOutcome> {
    const current = this.byId.get(expected.keyId);
    if (!current) return 'missing';
    if (!same(current, expected)) return 'conflict';
    this.byId.set(next.keyId, next);
    return 'replaced';
  }
  async putRotation(token: string, replacement: ApiKeyRecord, expected: ApiKeyRecord, old: ApiKeyRecord) {
    const outcome = await this.updateKey(expected, old);
    if (outcome === 'replaced') await this.putKey(token, replacement);
    return outcome;
  }
  async deleteKey(keyId: string) {
    const record = this.byId.get(keyId);
    this.byId.delete(keyId);
    for (const [hash, id] of this.byHash) if (id === keyId) this.byHash.delete(hash);
    return record;
  }
  async listKeys(options: { after?: string; limit: number }) {
    const ids = [...this.byId.keys()]
      .sort()
      .filter((id) => options.after === undefined || id > options.after);
    const keys = ids.slice(0, options.limit).map((id) => this.byId.get(id)!);
    return ids.length > options.limit ? { keys, next: keys[keys.length - 1]!.keyId } : { keys };
  }
  async expiredKeyIds(now: number, limit: number) {
    return [...this.byId.values()]
      .filter((k) => k.expiresAt !== 0 && k.expiresAt <= now)
      .slice(0, limit)
      .map((k) => k.keyId);
  }
  async addOrphanedGatewayKey(gatewayKeyId: string) {
    this.orphans.add(gatewayKeyId);
  }
  async orphanedGatewayKeys(limit: number) {
    return [...this.orphans].slice(0, limit);
  }
  async removeOrphanedGatewayKey(gatewayKeyId: string) {
    this.orphans.delete(gatewayKeyId);
  }
}

/** Gateway keys in memory; `failRemoval` makes removals throw (to exercise the orphan path). */
export class InMemoryUsagePlanKeys implements UsagePlanKeys {
  readonly tiers = ['basic', 'pro'];
  readonly defaultTier = 'basic';
  readonly keys = new Map<string, { name: string; value: string; tier: string }>();
  failRemoval = false;
  private next = 0;

  async createKey(input: { name: string; value: string; tier: string }) {
    const id = `gw-${++this.next}`;
    this.keys.set(id, { ...input });
    return id;
  }
  async removeKey(gatewayKeyId: string) {
    if (this.failRemoval) throw new Error('gateway unavailable');
    this.keys.delete(gatewayKeyId);
  }
}
