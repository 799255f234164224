import type { SQSClient } from '@aws-sdk/client-sqs';
import { documentJob, documentJobSchema } from '../../contracts/documents.js';
import { DependencyUnavailableError } from '../../domain/errors.js';
import type { DocumentQueue } from '../../ports/document-store.js';

/** `DocumentQueue` over the document SQS queue (its own, with its DLQ): one JSON pointer per job. */
export class SqsDocumentQueue implements DocumentQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async enqueue(storeId: string, documentId: string): Promise<void> {
    const message = documentJobSchema.parse(documentJob(storeId, documentId));
    try {
      // Loaded on first use, as in sqs-promotion-queue.ts (the SDK costs cold start where unused).
      const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
      await this.#client.send(
        new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: JSON.stringify(message) }),
      );
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'unknown error';
      throw new DependencyUnavailableError(
        `the document queue did not accept document ${documentId} (${reason}); submit it again`,
        undefined,
        { cause: error },
      );
    }
  }
}
