import { promotionJob } from '../contracts/promotion-message.js';
import { DependencyUnavailableError, NotFoundError } from '../domain/errors.js';
import { describeError, type Logger } from '../observability/logger.js';
import type { Clock } from '../ports/clock.js';
import type { PromotionLedger } from '../ports/promotion-ledger.js';
import type { PromotionQueue } from '../ports/promotion-queue.js';
import type { StoreRegistry } from '../ports/registry.js';
import { getPromotionStatus } from './session-queries.js';

export interface PromotionSweepDeps {
  readonly ledger: PromotionLedger;
  readonly stores: StoreRegistry;
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

export interface PromoteNowResult {
  readonly sessionId: string;
  /** Whether a job was sent: only when events are waiting, so repeated calls cost no extraction. */
  readonly queued: boolean;
  readonly pendingEvents: number;
}

/**
 * Extension: promote a session's pending events now instead of when its window ends (an agent
 * closing a conversation, an example that should not wait minutes). Sends the same immediate job
 * as a run's backlog follow-up; the consumer's per-session lock and watermark make it safe next to
 * the window's own job, which later finds nothing new. A failed send is a 424: unlike an append,
 * nothing was stored that the sweeper would find.
 */
export async function promoteSessionNow(
  deps: Parameters<typeof getPromotionStatus>[0] & { promotionQueue: PromotionQueue; logger: Logger },
  storeId: string,
  sessionId: string,
): Promise<PromoteNowResult> {
  const { pendingEvents } = await getPromotionStatus(deps, storeId, sessionId);
  if (pendingEvents === 0) return { sessionId, queued: false, pendingEvents };
  const now = deps.clock.now();
  const message = promotionJob({
    storeId,
    sessionId,
    windowStartedAt: now,
    dueAt: now,
  });
  try {
    await deps.promotionQueue.enqueue(message, 0);
  } catch (error) {
    deps.logger.warn('promote-now send failed', { storeId, sessionId, ...describeError(error) });
    throw new DependencyUnavailableError('The promotion queue did not take the job', 1);
  }
  return { sessionId, queued: true, pendingEvents };
}

export interface RetryParkedResult {
  readonly sessionId: string;
  readonly parkedRanges: number;
  readonly queued: boolean;
}

/**
 * Extension: extract a session's parked ranges again (after the cause was fixed: a model or prompt
 * change, a turn deleted). Marks each range for retry and sends an immediate job; the consumer
 * retries one range per run and sends itself a follow-up for the next. Each retry counts against the
 * store's extraction budget like any run. A failed send is a 424; the marks stay for the next run.
 */
export async function retryParkedRanges(
  deps: Parameters<typeof getPromotionStatus>[0] & { promotionQueue: PromotionQueue; logger: Logger },
  storeId: string,
  sessionId: string,
): Promise<RetryParkedResult> {
  if (!(await deps.sessions.getSession(storeId, sessionId))) throw new NotFoundError('Session not found');
  const parked = await deps.ledger.parkedRanges(storeId, sessionId);
  if (parked.length === 0) return { sessionId, parkedRanges: 0, queued: false };
  const now = deps.clock.now();
  for (const range of parked)
    await deps.ledger.saveParkedRange(storeId, sessionId, { ...range, retryRequestedAt: now });
  const message = promotionJob({
    storeId,
    sessionId,
    windowStartedAt: now,
    dueAt: now,
  });
  try {
    await deps.promotionQueue.enqueue(message, 0);
  } catch (error) {
    deps.logger.warn('retry-parked send failed', { storeId, sessionId, ...describeError(error) });
    throw new DependencyUnavailableError('The promotion queue did not take the job', 1);
  }
  return { sessionId, parkedRanges: parked.length, queued: true };
}
