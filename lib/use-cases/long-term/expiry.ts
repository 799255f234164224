import type { MemoryExpiry } from '../../ports/memory-record-store.js';
import type { StoreRegistry } from '../../ports/registry.js';
import { deleteIndexedRecords, type IndexingDeps } from './indexing.js';

export interface ExpirySweepReport {
  readonly storesVisited: number;
  readonly deleted: number;
}

/** Expired ids deleted per call: the size of a DELETE request's batch. */
const DELETE_BATCH = 100;

/**
 * Deletes long-term memories whose TTL has passed, through the same path as DELETE (search indexes
 * first, then the record), so an expired memory leaves no trace in any index. Reads already treat
 * such records as gone; this reclaims the space. Bounded per store and run.
 */
export async function sweepExpiredMemories(
  deps: Pick<IndexingDeps, 'vectors' | 'keywords' | 'clock'> & {
    readonly records: IndexingDeps['records'] & MemoryExpiry;
    readonly stores: Pick<StoreRegistry, 'listStoreIds'>;
  },
  options: { perStoreLimit: number },
): Promise<ExpirySweepReport> {
  const now = deps.clock.now();
  let deleted = 0;
  const storeIds = await deps.stores.listStoreIds();
  for (const storeId of storeIds) {
    const ids = await deps.records.expiredIds(storeId, now, options.perStoreLimit);
    for (let i = 0; i < ids.length; i += DELETE_BATCH) {
      deleted += (await deleteIndexedRecords(deps, storeId, ids.slice(i, i + DELETE_BATCH))).size;
    }
  }
  return { storesVisited: storeIds.length, deleted };
}
