import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type PromotionApp, promotionApp } from '../../lib/composition/promotion-app.js';
import { documentJobSchema } from '../../lib/contracts/documents.js';
import {
  remainingInvocationMs,
  withInvocationDeadline,
} from '../../lib/observability/invocation-deadline.js';
import { describeError, powertoolsLogger } from '../../lib/observability/logger.js';
import { flushMetrics } from '../../lib/observability/metrics.js';
import { ingestDocument } from '../../lib/use-cases/documents/ingest.js';

/** Module scope, as Powertools recommends: it keeps one batch's state at a time. */
const processor = new BatchProcessor(EventType.SQS);

/**
 * SQS consumer of the document queue (docs/decisions/0021-document-ingestion.md). Each record points
 * at one document; failed records are reported in `batchItemFailures` and redelivered (the chunks
 * already done are skipped), and one that keeps failing reaches the DLQ after maxReceiveCount.
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

class NotADocumentJobError extends Error {
  constructor() {
    super('not a document job');
    this.name = 'NotADocumentJobError';
  }
}

async function processRecord(app: PromotionApp, record: SQSRecord): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  const job = documentJobSchema.safeParse(body);
  if (!job.success) {
    app.logger.warn('document message is not a document job', { messageId: record.messageId });
    throw new NotADocumentJobError();
  }
  const { storeId, documentId } = job.data;
  try {
    const outcome = await ingestDocument(
      {
        ...app.forRequest({ storeId, mayWrite: true }),
        ledger: app.ledger,
        remainingMs: remainingInvocationMs,
      },
      storeId,
      documentId,
    );
    // Counts and ids only: never document text.
    app.logger.info('document job done', {
      storeId,
      documentId,
      status: outcome.status,
      chunks: outcome.chunks,
      created: outcome.created,
      inputTokens: outcome.usage.inputTokens,
      outputTokens: outcome.usage.outputTokens,
    });
  } catch (error) {
    app.logger.warn('document job failed', {
      storeId,
      documentId,
      receiveCount: record.attributes.ApproximateReceiveCount,
      ...describeError(error),
    });
    throw error;
  }
}
