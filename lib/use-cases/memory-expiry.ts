import type { StoreRegistry } from '../ports/registry.js';
import { bulkDeleteMemories, type MemoryDeps } from './memory-records.js';

export interface ExpirySweepReport {
  readonly storesVisited: number;
  readonly deleted: number;
}

/**
 * Deletes long-term memories whose TTL has passed, through the same path as DELETE (search indexes
 * first, then the record), so an expired memory leaves no trace in any index. Reads already treat
 * such records as gone; this reclaims the space. Bounded per store and run.
 */
export async function sweepExpiredMemories(
  deps: MemoryDeps & { stores: StoreRegistry },
  options: { perStoreLimit: number },
): Promise<ExpirySweepReport> {
  const now = deps.clock.now();
  let deleted = 0;
  const storeIds = await deps.stores.listStoreIds();
  for (const storeId of storeIds) {
    const ids = await deps.records.expiredIds(storeId, now, options.perStoreLimit);
    for (let i = 0; i < ids.length; i += 100) {
      const result = await bulkDeleteMemories(deps, storeId, ids.slice(i, i + 100));
      deleted += result.deleted.length;
    }
  }
  return { storesVisited: storeIds.length, deleted };
}
