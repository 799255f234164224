import { promotionApp } from '../../lib/composition/promotion-app.js';
import { viewRefreshMessageSchema } from '../../lib/contracts/summary-views.js';
import { describeError } from '../../lib/observability/logger.js';
import { handleViewRefresh } from '../../lib/use-cases/summary-views/refresh.js';
import { jsonQueueConsumer } from './json-queue-consumer.js';

/**
 * SQS consumer of the summary-view refresh queue (decision record 0020). Each record refreshes one
 * partition or finds a view's partitions; failed records are reported in `batchItemFailures`, so
 * only they come back (a message that keeps failing reaches the DLQ after maxReceiveCount).
 */
export const handler = jsonQueueConsumer(
  promotionApp,
  viewRefreshMessageSchema,
  'view refresh job',
  async (app, message) => {
    try {
      const outcome = await handleViewRefresh(
        {
          ...app,
          // The refresh only reads memories: a record store that records no accesses.
          ...app.forRequest({ storeId: message.storeId, mayWrite: false }),
          budget: app.ledger,
        },
        message,
      );
      app.logger.info('view refresh done', {
        storeId: message.storeId,
        viewId: message.viewId,
        reason: message.reason,
        status: outcome.status,
        ...('usage' in outcome
          ? {
              inputTokens: outcome.usage.inputTokens,
              outputTokens: outcome.usage.outputTokens,
              mode: outcome.mode,
            }
          : {}),
      });
    } catch (error) {
      app.logger.error('view refresh failed', {
        storeId: message.storeId,
        viewId: message.viewId,
        ...describeError(error),
      });
      throw error;
    }
  },
);
