import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type PromotionApp, promotionApp } from '../../lib/composition/promotion-app.js';
import { viewRefreshMessageSchema } from '../../lib/contracts/summary-views.js';
import { withInvocationDeadline } from '../../lib/observability/invocation-deadline.js';
import { describeError, powertoolsLogger } from '../../lib/observability/logger.js';
import { flushMetrics } from '../../lib/observability/metrics.js';
import { handleViewRefresh } from '../../lib/use-cases/summary-views/refresh.js';

/** Module scope, as Powertools recommends: it keeps one batch's state at a time. */
const processor = new BatchProcessor(EventType.SQS);

/**
 * SQS consumer of the summary-view refresh queue (decision record 0020). Each record refreshes one
 * partition or finds a view's partitions; failed records are reported in `batchItemFailures`, so
 * only they come back (a message that keeps failing reaches the DLQ after maxReceiveCount).
 */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  powertoolsLogger.addContext(context);
  try {
    return await withInvocationDeadline(context.getRemainingTimeInMillis(), async () => {
      const app = await promotionApp();
      return processPartialResponse(event, (record: SQSRecord) => processRecord(app, record), processor, {
        context,
        throwOnFullBatchFailure: false,
      });
    });
  } finally {
    flushMetrics();
  }
}

async function processRecord(app: PromotionApp, record: SQSRecord): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const parsed = viewRefreshMessageSchema.safeParse(body);
  if (!parsed.success) {
    app.logger.warn('view refresh message is not a refresh job', { messageId: record.messageId });
    throw new Error('not a view refresh job');
  }
  const message = parsed.data;
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
}
