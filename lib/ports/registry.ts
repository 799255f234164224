import type { StoreRecord } from '../contracts/store-config.js';
import type { Grant } from '../domain/grants.js';

/** A service API key as the registry holds it: never the token, only what it grants. */
export interface ApiKeyRecord {
  /** 32 hex: the non-secret part embedded in the token. */
  readonly keyId: string;
  readonly name: string;
  readonly grants: readonly Grant[];
  /** Unix seconds. */
  readonly createdAt: number;
  /** Unix seconds after which the key stops working; 0 = never (reference semantics). */
  readonly expiresAt: number;
  /** The key this one replaced by rotation. */
  readonly rotatedFrom?: string;
  /** Set on a key winding down after rotation: its replacement. */
  readonly rotatedTo?: string;
  /** Usage-plan tier the key is metered under. */
  readonly plan: string;
  /** The API Gateway API key that meters it (absent where no gateway meters keys). */
  readonly gatewayKeyId?: string;
}

/** Stores (tenants) and their configuration. */
export interface StoreRegistry {
  putStore(store: StoreRecord): Promise<void>;
  getStore(storeId: string): Promise<StoreRecord | undefined>;
  listStoreIds(): Promise<string[]>;
}

/** Store removal: the control plane's, and the sweeper's for deletions that raced a write. */
export interface StoreRemoval {
  /**
   * Makes the store stop existing at once (configuration and listing entry, one transaction) and
   * records the deletion. False when there was no such store.
   */
  markDeleted(storeId: string, at: number): Promise<boolean>;
  /** Deletes every key of the store's keyspace, in batches; returns how many keys went. */
  flush(storeId: string): Promise<number>;
  /** Stores deleted since `since` (ms), for re-flushing; older entries are forgotten. */
  recentlyDeleted(since: number): Promise<string[]>;
}

/** API keys, addressed by the hash of the token (the token itself is never stored) or by key id. */
export interface ApiKeyRegistry {
  /** The record of a presented token, or undefined. Does not judge expiry: callers do. */
  resolveKey(token: string): Promise<ApiKeyRecord | undefined>;
  /** Registers a new key. */
  putKey(token: string, record: ApiKeyRecord): Promise<void>;
  getKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** Replaces the record of an existing key (same key id); false when it is gone. */
  updateKey(record: ApiKeyRecord): Promise<boolean>;
  /**
   * Registers the replacement and winds the old key down, in one transaction. False (and nothing
   * registered) when the old key is gone.
   */
  putRotation(token: string, replacement: ApiKeyRecord, old: ApiKeyRecord): Promise<boolean>;
  /** Removes a key; returns its last record, or undefined when there was none. */
  deleteKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** A page of keys in key-id order, starting after `after`. */
  listKeys(options: { after?: string; limit: number }): Promise<{ keys: ApiKeyRecord[]; next?: string }>;
  /** Ids of keys whose expiry (unix s) is at or before `now`. */
  expiredKeyIds(now: number, limit: number): Promise<string[]>;
  /** API Gateway keys whose removal failed, kept for retry. */
  addOrphanedGatewayKey(gatewayKeyId: string): Promise<void>;
  orphanedGatewayKeys(limit: number): Promise<string[]>;
  removeOrphanedGatewayKey(gatewayKeyId: string): Promise<void>;
}
