import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../ports/clock.js';
import type { StoreRegistry } from '../../ports/registry.js';
import type { SummaryViewStore, ViewRefreshQueue } from '../../ports/summary-views.js';

export interface ReconcileDeps {
  readonly stores: Pick<StoreRegistry, 'listStoreIds'>;
  readonly views: Pick<SummaryViewStore, 'listViews' | 'reconciledAt' | 'markReconciled'>;
  readonly viewQueue: ViewRefreshQueue;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Maintenance: queues a whole-view refresh of every continuous view whose reconcile interval has
 * passed. That refresh finds partitions the writes did not mark (a memory moved by an update, a time
 * window moving on, a lost message) and retries failed ones; partitions already current cost no
 * model call.
 */
export async function reconcileSummaryViews(
  deps: ReconcileDeps,
): Promise<{ queued: number; failed: number }> {
  let queued = 0;
  let failed = 0;
  const now = deps.clock.now();
  for (const storeId of await deps.stores.listStoreIds()) {
    const views = await deps.views.listViews(storeId);
    if (views.length === 0) continue;
    const last = await deps.views.reconciledAt(storeId);
    for (const view of views) {
      if (view.refresh.mode !== 'continuous') continue;
      const due = (last.get(view.id) ?? view.createdAt) + view.refresh.reconcileIntervalSeconds * 1000;
      if (due > now) continue;
      try {
        await deps.viewQueue.enqueue(
          { version: 1, kind: 'view-refresh', storeId, viewId: view.id, reason: 'reconcile' },
          0,
        );
        await deps.views.markReconciled(storeId, view.id, now);
        queued++;
      } catch (error) {
        failed++;
        deps.logger.warn('summary view reconcile not queued', {
          storeId,
          viewId: view.id,
          error: String(error),
        });
      }
    }
  }
  return { queued, failed };
}
