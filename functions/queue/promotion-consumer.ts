import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { container } from '../../lib/composition/container.js';
import { promotionMessageSchema } from '../../lib/contracts/promotion-message.js';
import { describeError } from '../../lib/observability/logger.js';
import { receivePromotionJob } from '../../lib/use-cases/promotion-jobs.js';

/**
 * SQS consumer of the promotion queue. Each record is handled on its own; failed ones are
 * reported in `batchItemFailures` (the event source sets ReportBatchItemFailures) so only they are
 * redelivered, and a message that keeps failing (e.g. one that is not a promotion job) reaches
 * the DLQ after the queue's maxReceiveCount.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const app = container();
  const outcomes = await Promise.allSettled(
    event.Records.map(async (record) => {
      const message = promotionMessageSchema.parse(JSON.parse(record.body));
      await receivePromotionJob(app, message);
    }),
  );
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') return;
    const record = event.Records[i]!;
    app.logger.warn('promotion message failed', {
      messageId: record.messageId,
      receiveCount: record.attributes.ApproximateReceiveCount,
      ...describeError(outcome.reason),
    });
    batchItemFailures.push({ itemIdentifier: record.messageId });
  });
  return { batchItemFailures };
}
