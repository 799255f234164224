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
  /**
   * The first key id of the key's rotation line, carried over by every rotation (absent on a key
   * never rotated, whose principal is its own id): who owns what the key creates.
   */
  readonly principalId?: string;
  /** Set on a key winding down after rotation: its replacement. */
  readonly rotatedTo?: string;
  /** Usage-plan tier the key is metered under. */
  readonly plan: string;
  /** The API Gateway API key that meters it (absent where no gateway meters keys). */
  readonly gatewayKeyId?: string;
}

/**
 * Outcome of a compare-and-set write: `missing` when the record is gone (deleted, revoked),
 * `conflict` when it changed since the expected version was read (read again and retry).
 */
export type RegistryWriteOutcome = 'replaced' | 'missing' | 'conflict';

/** Reads one store's configuration: what nearly every use case needs of the registry. */
export interface StoreLookup {
  getStore(storeId: string): Promise<StoreRecord | undefined>;
}

/** Stores (tenants) and their configuration. */
export interface StoreRegistry extends StoreLookup {
  /** Registers a new store (create only: updates go through `replaceStore`). */
  putStore(store: StoreRecord): Promise<void>;
  /**
   * Replaces the store's record with `next` only if it still equals `expected` (as read by
   * `getStore`); never brings back a deleted store.
   */
  replaceStore(expected: StoreRecord, next: StoreRecord): Promise<RegistryWriteOutcome>;
  listStoreIds(): Promise<string[]>;
}

/** Store removal: the control plane's first step of a deletion (the data goes by an erasure job). */
export interface StoreRemoval {
  /**
   * Makes the store stop existing at once (configuration and listing entry, one transaction).
   * False when there was no such store.
   */
  markDeleted(storeId: string): Promise<boolean>;
}

/** What the authorizer needs of the key registry: a presented token's record. */
export interface ApiKeyResolver {
  /**
   * The record of a presented token (found by the token's hash: the token itself is never
   * stored), or undefined. Does not judge expiry: callers do.
   */
  resolveKey(token: string): Promise<ApiKeyRecord | undefined>;
}

/** Key administration (the control plane and the sweeper), by key id. */
export interface ApiKeyAdmin {
  /** Registers a new key. */
  putKey(token: string, record: ApiKeyRecord): Promise<void>;
  getKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** Replaces a key's record with `next` (same key id) only if it still equals `expected`. */
  updateKey(expected: ApiKeyRecord, next: ApiKeyRecord): Promise<RegistryWriteOutcome>;
  /**
   * Registers the replacement and winds the old key down (`old`), in one step, only if the old
   * key's record still equals `expected`; otherwise nothing is registered.
   */
  putRotation(
    token: string,
    replacement: ApiKeyRecord,
    expected: ApiKeyRecord,
    old: ApiKeyRecord,
  ): Promise<RegistryWriteOutcome>;
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

/** API keys, addressed by the hash of the token or by key id: resolution and administration. */
export interface ApiKeyRegistry extends ApiKeyResolver, ApiKeyAdmin {}
