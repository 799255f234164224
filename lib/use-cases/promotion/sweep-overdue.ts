import { promotionJob } from '../../contracts/promotion-message.js';
import { describeError, type Logger } from '../../observability/logger.js';
import type { Clock } from '../../ports/clock.js';
import type { PromotionWindows } from '../../ports/promotion-ledger.js';
import type { PromotionQueue } from '../../ports/promotion-queue.js';
import type { StoreRegistry } from '../../ports/registry.js';

export interface PromotionSweepDeps {
  readonly ledger: Pick<PromotionWindows, 'overdueWindows' | 'postponeWindow'>;
  readonly stores: Pick<StoreRegistry, 'listStoreIds'>;
  readonly promotionQueue: PromotionQueue;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface SweepReport {
  readonly storesVisited: number;
  readonly resent: number;
  readonly failed: number;
}

/**
 * Re-sends jobs for windows that are overdue by more than `graceMs`: their original send failed
 * (the append still succeeded) or the message was lost. Each re-sent window is postponed by the
 * grace period so one lost job is not re-sent on every run.
 */
export async function sweepOverduePromotions(
  deps: PromotionSweepDeps,
  options: { graceMs: number; perStoreLimit: number },
): Promise<SweepReport> {
  const now = deps.clock.now();
  const storeIds = await deps.stores.listStoreIds();
  let resent = 0;
  let failed = 0;
  for (const storeId of storeIds) {
    const overdue = await deps.ledger.overdueWindows(storeId, now - options.graceMs, options.perStoreLimit);
    for (const window of overdue) {
      // Postpone first, and send the postponed due time: the consumer closes a window only when
      // the job's dueAt covers it, and a failed send leaves the window to be retried later.
      const postponedDueAt = now + options.graceMs;
      const message = promotionJob({
        storeId,
        sessionId: window.sessionId,
        windowStartedAt: window.dueAt,
        dueAt: postponedDueAt,
      });
      try {
        await deps.ledger.postponeWindow(storeId, window.sessionId, postponedDueAt);
        await deps.promotionQueue.enqueue(message, 0);
        resent += 1;
      } catch (error) {
        failed += 1;
        deps.logger.warn('promotion re-send failed', {
          storeId,
          sessionId: window.sessionId,
          ...describeError(error),
        });
      }
    }
  }
  return { storesVisited: storeIds.length, resent, failed };
}
