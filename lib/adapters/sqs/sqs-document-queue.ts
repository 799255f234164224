import type { SQSClient } from '@aws-sdk/client-sqs';
import { documentJob, documentJobSchema } from '../../contracts/documents.js';
import type { DocumentQueue } from '../../ports/document-store.js';
import { SqsJsonQueue } from './sqs-json-queue.js';

/** `DocumentQueue` over the document SQS queue (its own, with its DLQ): one JSON pointer per job. */
export class SqsDocumentQueue implements DocumentQueue {
  readonly #queue: SqsJsonQueue<typeof documentJobSchema>;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#queue = new SqsJsonQueue(options, documentJobSchema, 'the document queue');
  }

  enqueue(storeId: string, documentId: string): Promise<void> {
    return this.#queue.send(
      documentJob(storeId, documentId),
      0,
      (job) => `document ${job.documentId}; submit it again`,
    );
  }
}
