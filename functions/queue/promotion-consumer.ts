import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { promotionApp } from '../../lib/composition/promotion-app.js';
import { promotionJobId, promotionMessageSchema } from '../../lib/contracts/promotion-message.js';
import { withInvocationDeadline } from '../../lib/observability/invocation-deadline.js';
import { describeError } from '../../lib/observability/logger.js';
import { promoteSession } from '../../lib/use-cases/promotion/promote-session.js';

/**
 * SQS consumer of the promotion queue. Each record is one session's promotion job, handled on its
 * own; failed ones are reported in `batchItemFailures` (the event source sets
 * ReportBatchItemFailures) so only they are redelivered, and a message that keeps failing (one that
 * is not a promotion job, or whose extraction output never parses) reaches the DLQ after the
 * queue's maxReceiveCount. Jobs of one batch for the same session run one after the other.
 */
export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  return withInvocationDeadline(context?.getRemainingTimeInMillis(), () => handleBatch(event));
}

async function handleBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const app = await promotionApp();
  const failures = new Set<string>();
  const bySession = new Map<string, SQSEvent['Records']>();
  for (const record of event.Records) {
    const parsed = safeParse(record.body);
    if (!parsed) {
      app.logger.warn('promotion message is not a promotion job', { messageId: record.messageId });
      failures.add(record.messageId);
      continue;
    }
    const key = `${parsed.storeId}/${parsed.sessionId}`;
    bySession.set(key, [...(bySession.get(key) ?? []), record]);
  }
  await Promise.all(
    [...bySession.values()].map(async (records) => {
      for (const record of records) {
        const message = promotionMessageSchema.parse(JSON.parse(record.body));
        try {
          const outcome = await promoteSession(
            // The service writes on the store's behalf; the embedding cache is that store's alone.
            app.forRequest({ storeId: message.storeId, mayWrite: true }),
            message,
          );
          app.logger.info('promotion job done', {
            jobId: promotionJobId(message),
            status: outcome.status,
            processedEvents: outcome.processedEvents,
            created: outcome.created,
            merged: outcome.merged,
            superseded: outcome.superseded,
            summarized: outcome.summarized,
            inputTokens: outcome.usage.inputTokens,
            outputTokens: outcome.usage.outputTokens,
          });
        } catch (error) {
          failures.add(record.messageId);
          app.logger.warn('promotion job failed', {
            jobId: promotionJobId(message),
            receiveCount: record.attributes.ApproximateReceiveCount,
            ...describeError(error),
          });
        }
      }
    }),
  );
  return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
}

function safeParse(body: string) {
  try {
    const result = promotionMessageSchema.safeParse(JSON.parse(body));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
