import type { StoreRecord } from '../contracts/store-config.js';
import type { Grant } from '../domain/grants.js';

export interface ApiKeyRecord {
  readonly keyId: string;
  readonly name: string;
  readonly grants: readonly Grant[];
  readonly createdAt: string;
}

/** Stores (tenants) and their configuration. Full management is the control plane's. */
export interface StoreRegistry {
  putStore(store: StoreRecord): Promise<void>;
  getStore(storeId: string): Promise<StoreRecord | undefined>;
  listStoreIds(): Promise<string[]>;
}

/** API keys, addressed by the hash of the token; the token itself is never stored. */
export interface ApiKeyRegistry {
  putKey(token: string, record: ApiKeyRecord): Promise<void>;
  resolveKey(token: string): Promise<ApiKeyRecord | undefined>;
}
