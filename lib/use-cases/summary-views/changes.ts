import type { StoredMemory } from '../../contracts/long-term-memory.js';
import { groupOf, partitionIdOf, viewSees } from '../../domain/summary-views.js';
import type { Logger } from '../../observability/logger.js';
import type { PartitionMark, SummaryViewStore, ViewRefreshQueue } from '../../ports/summary-views.js';

/** What a memory write reports of each record it created, replaced or deleted. */
export type ChangedMemory = Pick<
  StoredMemory,
  'id' | 'ownerId' | 'namespace' | 'sessionId' | 'memoryType' | 'topics' | 'sourceRefs'
>;

export interface ViewChangeDeps {
  readonly views: Pick<SummaryViewStore, 'listViews' | 'markChanges'>;
  readonly viewQueue: ViewRefreshQueue;
  readonly logger: Logger;
}

/**
 * The debounce latch outlives the debounce by this much, so a refresh whose message was lost (or
 * whose consumer died) is queued again by the next write after it expires.
 */
const LATCH_SLACK_SECONDS = 300;

/**
 * Marks the partitions these changes touch in every view of the store that sees them: manual views
 * only count the changes (their partitions show `stale` and `coverage.newerCount`); for continuous
 * views the first change of a burst takes the partition's debounce latch and queues one refresh,
 * delayed by the debounce, and the rest of the burst finds the latch taken and sends nothing.
 * Two round trips when the store has views (read them, mark), one when it has none.
 */
export async function noteMemoryChanges(
  deps: ViewChangeDeps,
  storeId: string,
  changed: readonly ChangedMemory[],
): Promise<void> {
  if (changed.length === 0) return;
  const views = await deps.views.listViews(storeId);
  if (views.length === 0) return;
  const marks = new Map<string, PartitionMark & { memoryIds: string[]; debounce: number }>();
  for (const view of views) {
    for (const memory of changed) {
      if (!viewSees(view, memory)) continue;
      const group = groupOf(view, memory);
      if (!group) continue;
      const partitionId = partitionIdOf(group);
      const key = `${view.id}/${partitionId}`;
      let mark = marks.get(key);
      if (!mark) {
        const continuous = view.refresh.mode === 'continuous' ? view.refresh.debounceSeconds : undefined;
        mark = {
          viewId: view.id,
          partitionId,
          group,
          maxPartitions: view.maxPartitions,
          memoryIds: [],
          latchSeconds: continuous === undefined ? undefined : continuous + LATCH_SLACK_SECONDS,
          debounce: continuous ?? 0,
        };
        marks.set(key, mark);
      }
      if (!mark.memoryIds.includes(memory.id)) mark.memoryIds.push(memory.id);
    }
  }
  const list = [...marks.values()];
  const outcomes = await deps.views.markChanges(storeId, list);
  await Promise.all(
    list.map(async (mark, i) => {
      if (outcomes[i] !== 'queue-refresh') return;
      await deps.viewQueue.enqueue(
        {
          version: 1,
          kind: 'view-refresh',
          storeId,
          viewId: mark.viewId,
          partitionId: mark.partitionId,
          reason: 'write',
        },
        mark.debounce,
      );
    }),
  );
}
