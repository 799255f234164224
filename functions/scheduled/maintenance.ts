import { memoryApp } from '../../lib/composition/memory-app.js';
import { sweepExpiredMemories } from '../../lib/use-cases/memory-expiry.js';
import { sweepOverduePromotions } from '../../lib/use-cases/promotion-jobs.js';

/** A promotion window is re-sent once it is this late: long enough for SQS delivery and a busy consumer. */
const PROMOTION_GRACE_MS = 5 * 60_000;

/** EventBridge-scheduled maintenance: overdue promotion jobs, then expired long-term memories. */
export async function handler() {
  const app = memoryApp();
  const promotions = await sweepOverduePromotions(app, { graceMs: PROMOTION_GRACE_MS, perStoreLimit: 500 });
  const expiry = await sweepExpiredMemories(app, { perStoreLimit: 1_000 });
  app.logger.info('maintenance finished', {
    storesVisited: promotions.storesVisited,
    promotionsResent: promotions.resent,
    promotionResendFailures: promotions.failed,
    memoriesExpired: expiry.deleted,
  });
  return { promotions, expiry };
}
