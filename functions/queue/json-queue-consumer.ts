import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import type { PromotionApp } from '../../lib/composition/promotion-app.js';
import { withInvocationDeadline } from '../../lib/observability/invocation-deadline.js';
import { powertoolsLogger } from '../../lib/observability/logger.js';
import { flushMetrics } from '../../lib/observability/metrics.js';

/** A record whose body is not a job of the queue: it fails, and after maxReceiveCount reaches the DLQ. */
export class NotAJobError extends Error {
  constructor(what: string) {
    super(`not a ${what}`);
    this.name = 'NotAJobError';
  }
}

/**
 * The handler of an SQS consumer whose records are JSON jobs of one schema (the document and
 * view-refresh queues): Powertools' batch processor reports failed records in `batchItemFailures`
 * (the event source sets ReportBatchItemFailures) so only they are redelivered, the invocation's
 * deadline bounds Redis and model calls, and metrics are flushed at the end. A record whose body is
 * not a job is logged by message id only (never its body) and fails.
 */
export function jsonQueueConsumer<Schema extends z.ZodType>(
  /** The composition the consumer builds (once per cold start). */
  appOf: () => Promise<PromotionApp>,
  schema: Schema,
  what: string,
  run: (app: PromotionApp, job: z.output<Schema>, record: SQSRecord) => Promise<void>,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  // Module scope of the consumer, as Powertools recommends: it keeps one batch's state at a time.
  const processor = new BatchProcessor(EventType.SQS);
  const processRecord = async (app: PromotionApp, record: SQSRecord): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const job = schema.safeParse(body);
    if (!job.success) {
      app.logger.warn(`message is not a ${what}`, { messageId: record.messageId });
      throw new NotAJobError(what);
    }
    await run(app, job.data, record);
  };
  return async (event, context) => {
    powertoolsLogger.addContext(context);
    try {
      return await withInvocationDeadline(context.getRemainingTimeInMillis(), async () => {
        const app = await appOf();
        return processPartialResponse(event, (record: SQSRecord) => processRecord(app, record), processor, {
          context,
          throwOnFullBatchFailure: false,
        });
      });
    } finally {
      flushMetrics();
    }
  };
}
