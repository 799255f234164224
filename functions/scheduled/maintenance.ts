import type { Context } from 'aws-lambda';
import { maintenanceApp } from '../../lib/composition/admin-app.js';
import { powertoolsLogger } from '../../lib/observability/logger.js';
import { flushMetrics } from '../../lib/observability/metrics.js';
import { sweepExpiredApiKeys } from '../../lib/use-cases/control-plane/api-keys.js';
import { runPendingErasures } from '../../lib/use-cases/erasure/jobs.js';
import { sweepExpiredMemories } from '../../lib/use-cases/long-term/expiry.js';
import { sweepOverduePromotions } from '../../lib/use-cases/promotion/sweep-overdue.js';
import { reconcileSummaryViews } from '../../lib/use-cases/summary-views/reconcile.js';

/** A promotion window is re-sent once it is this late: long enough for SQS delivery and a busy consumer. */
const PROMOTION_GRACE_MS = 5 * 60_000;

/**
 * EventBridge-scheduled maintenance: overdue promotion jobs, expired long-term memories, API keys
 * whose rotation grace (or expiry) has passed, gateway keys whose removal failed, and keyspaces of
 * recently deleted stores' erasure jobs (owner erasures and store deletions) still running; and
 * queues the reconcile refresh of continuous summary views whose reconcile interval has passed.
 */
export async function handler(_event?: unknown, context?: Context) {
  // Optional: tests and scripts call it without a Lambda context.
  if (context) powertoolsLogger.addContext(context);
  try {
    return await runMaintenance();
  } finally {
    flushMetrics();
  }
}

/** Time the erasure jobs may take of a run: the schedule's other sweeps come first (60 s timeout). */
const ERASURE_BUDGET_MS = 30_000;

async function runMaintenance() {
  const app = await maintenanceApp();
  const promotions = await sweepOverduePromotions(app, { graceMs: PROMOTION_GRACE_MS, perStoreLimit: 500 });
  const expiry = await sweepExpiredMemories(app, { perStoreLimit: 1_000 });
  const apiKeys = await sweepExpiredApiKeys(app, { limit: 100 });
  const views = await reconcileSummaryViews(app);
  // Owner erasures and store deletions, resumed where their last run stopped (decision record 0017).
  const erasures = await runPendingErasures(app, { deadline: app.clock.now() + ERASURE_BUDGET_MS });
  app.logger.info('maintenance finished', {
    storesVisited: promotions.storesVisited,
    promotionsResent: promotions.resent,
    promotionResendFailures: promotions.failed,
    memoriesExpired: expiry.deleted,
    apiKeysExpired: apiKeys.expired,
    gatewayKeysRemoved: apiKeys.gatewayKeysRemoved,
    summaryViewsReconciled: views.queued,
    summaryViewReconcileFailures: views.failed,
    erasureJobsRun: erasures.jobs,
    erasureJobsFinished: erasures.finished,
    erasureJobsFailed: erasures.failed,
  });
  return { promotions, expiry, apiKeys, views, erasures };
}
