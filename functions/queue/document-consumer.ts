import { promotionApp } from '../../lib/composition/promotion-app.js';
import { documentJobSchema } from '../../lib/contracts/documents.js';
import { remainingInvocationMs } from '../../lib/observability/invocation-deadline.js';
import { describeError } from '../../lib/observability/logger.js';
import { ingestDocument } from '../../lib/use-cases/documents/ingest.js';
import { jsonQueueConsumer } from './json-queue-consumer.js';

/**
 * SQS consumer of the document queue (docs/decisions/0021-document-ingestion.md). Each record points
 * at one document; failed records are reported in `batchItemFailures` and redelivered (the chunks
 * already done are skipped), and one that keeps failing reaches the DLQ after maxReceiveCount.
 */
export const handler = jsonQueueConsumer(
  promotionApp,
  documentJobSchema,
  'document job',
  async (app, { storeId, documentId }, record) => {
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
  },
);
