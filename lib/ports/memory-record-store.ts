import type { StoredMemory } from '../contracts/long-term-memory.js';

export interface MemoryPartitionRef {
  readonly ownerId: string;
  /** Lower-cased; undefined for records without a namespace. */
  readonly namespace: string | undefined;
}

/**
 * `owner-full`: the record's owner already holds `LIMITS.memoriesPerOwner` memories; `owner-erasing`:
 * the record's owner is being erased (an erasure job runs), so nothing was written for it.
 */
export type CreateOutcome = 'created' | 'exists' | 'owner-full' | 'owner-erasing' | OverQuota;
/**
 * The call's new records would take the store past a storage quota (store config `quotas`); all of
 * the call's new records are refused together.
 */
export interface OverQuota {
  readonly quota: 'longTermRecords' | 'bytes';
  readonly limit: number;
}
export type ReplaceOutcome = 'replaced' | 'missing' | 'conflict';

/** Long-term memory records by id (not their listing or search indexes). */
export interface MemoryRecords {
  /** Records by id, `undefined` where missing or expired at `now`; one round trip. */
  getMany(storeId: string, ids: readonly string[], now: number): Promise<Array<StoredMemory | undefined>>;
  /** Creates each record unless its id exists (never overwrites); one round trip. */
  createMany(storeId: string, records: readonly StoredMemory[]): Promise<CreateOutcome[]>;
  /** Compare-and-set on `updatedAt`. */
  replace(storeId: string, record: StoredMemory, expectedUpdatedAt: number): Promise<ReplaceOutcome>;
  /** Deletes records and their listing entries; returns what was deleted (undefined where none). */
  deleteMany(storeId: string, ids: readonly string[]): Promise<Array<StoredMemory | undefined>>;
}

/** The listing indexes of a store's records: partitions and creation order. */
export interface MemoryListing {
  /** Every (owner, namespace) partition that has held a record of this store. */
  listPartitions(storeId: string): Promise<MemoryPartitionRef[]>;
  /**
   * Records in creation order from `offset` (all owners, or one owner), `count` index entries at
   * most; expired records come back as undefined. One round trip.
   */
  scanByCreated(
    storeId: string,
    query: { ownerId: string | undefined; offset: number; count: number; now: number },
  ): Promise<{ records: Array<StoredMemory | undefined>; total: number }>;
}

/** Records past their TTL, for the expiry sweep. */
export interface MemoryExpiry {
  /** Ids whose TTL has passed; the sweep deletes them like DELETE does. */
  expiredIds(storeId: string, now: number, limit: number): Promise<string[]>;
}

/** When memories were last read (recency by last access). */
export interface MemoryAccessLog {
  /** One record, recording the read as its last access (only if it exists); one round trip. */
  readAndTouch(storeId: string, id: string, now: number): Promise<StoredMemory | undefined>;
  /** Records that these existing memories were just read (for recency by last access). */
  recordAccess(storeId: string, ids: readonly string[], now: number): Promise<void>;
  /** Last access times (ms) of these memories, undefined where never accessed. */
  lastAccess(storeId: string, ids: readonly string[]): Promise<Array<number | undefined>>;
}

/**
 * Long-term memory records with their listing indexes, expiry and access log (not the search
 * indexes); the Upstash adapter implements it in one class. Use cases ask for the parts they use.
 */
export interface MemoryRecordStore extends MemoryRecords, MemoryListing, MemoryExpiry, MemoryAccessLog {}
