import { container } from '../../lib/composition/container.js';
import { type SweepReport, sweepOverduePromotions } from '../../lib/use-cases/promotion-jobs.js';

/** A window is re-sent once it is this late: long enough for SQS delivery and a busy consumer. */
const GRACE_MS = 5 * 60_000;

/** EventBridge-scheduled: re-sends promotion jobs whose send failed or whose message was lost. */
export async function handler(): Promise<SweepReport> {
  const app = container();
  const report = await sweepOverduePromotions(app, { graceMs: GRACE_MS, perStoreLimit: 500 });
  app.logger.info('promotion sweep finished', { ...report });
  return report;
}
