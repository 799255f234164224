import type { Logger } from '../../observability/logger.js';
import type { MemoryRecordStore } from '../../ports/memory-record-store.js';
import type { ChangedMemory } from '../../use-cases/summary-views/changes.js';

/**
 * The record store that reports every change it makes (records created, replaced, deleted) to
 * summary views: bulk create, update, delete, promotion and the expiry sweep all write through it,
 * so none can forget. A failure to report never fails the write: the view's reconcile finds the
 * change later (decision record 0020).
 */
export function withViewChanges(
  records: MemoryRecordStore,
  report: (storeId: string, changed: readonly ChangedMemory[]) => Promise<void>,
  logger: Logger,
): MemoryRecordStore {
  const tell = async (storeId: string, changed: readonly ChangedMemory[]) => {
    if (changed.length === 0) return;
    try {
      await report(storeId, changed);
    } catch (error) {
      logger.warn('summary views not told of memory changes', {
        storeId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  };
  return {
    getMany: (storeId, ids, now) => records.getMany(storeId, ids, now),
    async createMany(storeId, created) {
      const outcomes = await records.createMany(storeId, created);
      await tell(
        storeId,
        created.filter((_, i) => outcomes[i] === 'created'),
      );
      return outcomes;
    },
    async replace(storeId, record, expectedUpdatedAt) {
      const outcome = await records.replace(storeId, record, expectedUpdatedAt);
      if (outcome === 'replaced') await tell(storeId, [record]);
      return outcome;
    },
    async deleteMany(storeId, ids) {
      const deleted = await records.deleteMany(storeId, ids);
      await tell(
        storeId,
        deleted.filter((r) => r !== undefined),
      );
      return deleted;
    },
    listPartitions: (storeId) => records.listPartitions(storeId),
    scanByCreated: (storeId, query) => records.scanByCreated(storeId, query),
    expiredIds: (storeId, now, limit) => records.expiredIds(storeId, now, limit),
    readAndTouch: (storeId, id, now) => records.readAndTouch(storeId, id, now),
    recordAccess: (storeId, ids, now) => records.recordAccess(storeId, ids, now),
    lastAccess: (storeId, ids) => records.lastAccess(storeId, ids),
  };
}
