import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type PromotionApp, promotionApp } from '../../lib/composition/promotion-app.js';
import { type PromotionMessage, promotionJobId } from '../../lib/contracts/promotion-message.js';
import { withInvocationDeadline } from '../../lib/observability/invocation-deadline.js';
import { describeError, powertoolsLogger } from '../../lib/observability/logger.js';
import { flushMetrics, recordPromotionFailure, recordPromotionJob } from '../../lib/observability/metrics.js';
import { promoteSession } from '../../lib/use-cases/promotion/promote-session.js';
import {
  parsePromotionJob,
  type RunInSessionOrder,
  sessionKey,
  sessionSerializer,
} from './session-batches.js';

/** Module scope, as Powertools recommends: it keeps one batch's state at a time. */
const processor = new BatchProcessor(EventType.SQS);

/**
 * SQS consumer of the promotion queue. Each record is one session's promotion job; Powertools'
 * batch processor reports the failed ones in `batchItemFailures` (the event source sets
 * ReportBatchItemFailures) so only they are redelivered, and a message that keeps failing (one that
 * is not a promotion job, or whose extraction output never parses) reaches the DLQ after the
 * queue's maxReceiveCount. A batch where every record failed is answered the same way (all listed)
 * rather than thrown, as before. Jobs of one batch for the same session run one after the other
 * (session-batches.ts), jobs of different sessions concurrently.
 */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  powertoolsLogger.addContext(context);
  try {
    return await withInvocationDeadline(context.getRemainingTimeInMillis(), () =>
      handleBatch(event, context),
    );
  } finally {
    flushMetrics();
  }
}

async function handleBatch(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const app = await promotionApp();
  const inSessionOrder = sessionSerializer();
  // Powertools calls the record handler for every record at once, in batch order (its default
  // `processInParallel`); each record is parsed once, before it waits for its session's turn.
  return processPartialResponse(
    event,
    (record: SQSRecord) => processRecord(app, inSessionOrder, record),
    processor,
    {
      context,
      throwOnFullBatchFailure: false,
    },
  );
}

/** Thrown for a record the batch processor must report as failed; its detail is already logged. */
class NotAPromotionJobError extends Error {
  constructor() {
    super('not a promotion job');
    this.name = 'NotAPromotionJobError';
  }
}

async function processRecord(app: PromotionApp, inSessionOrder: RunInSessionOrder, record: SQSRecord) {
  const message = parsePromotionJob(record);
  if (!message) {
    app.logger.warn('promotion message is not a promotion job', { messageId: record.messageId });
    recordPromotionFailure();
    throw new NotAPromotionJobError();
  }
  await inSessionOrder(sessionKey(message), () => runJob(app, message, record));
}

async function runJob(app: PromotionApp, message: PromotionMessage, record: SQSRecord): Promise<void> {
  try {
    const outcome = await promoteSession(
      // The service writes on the store's behalf; the embedding cache is that store's alone.
      app.forRequest({ storeId: message.storeId, mayWrite: true }),
      message,
    );
    recordPromotionJob(outcome, app.clock.now() - message.windowStartedAt);
    app.logger.info('promotion job done', {
      jobId: promotionJobId(message),
      status: outcome.status,
      processedEvents: outcome.processedEvents,
      created: outcome.created,
      merged: outcome.merged,
      superseded: outcome.superseded,
      conversation: outcome.conversation,
      summarized: outcome.summarized,
      inputTokens: outcome.usage.inputTokens,
      outputTokens: outcome.usage.outputTokens,
    });
  } catch (error) {
    recordPromotionFailure();
    app.logger.warn('promotion job failed', {
      jobId: promotionJobId(message),
      receiveCount: record.attributes.ApproximateReceiveCount,
      ...describeError(error),
    });
    throw error;
  }
}
