import type { SQSClient } from '@aws-sdk/client-sqs';
import { type ViewRefreshMessage, viewRefreshMessageSchema } from '../../contracts/summary-views.js';
import type { ViewRefreshQueue } from '../../ports/summary-views.js';
import { SqsJsonQueue } from './sqs-json-queue.js';

/** `ViewRefreshQueue` over an SQS standard queue: one JSON message per refresh. */
export class SqsViewRefreshQueue implements ViewRefreshQueue {
  readonly #queue: SqsJsonQueue<typeof viewRefreshMessageSchema>;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#queue = new SqsJsonQueue(options, viewRefreshMessageSchema, 'the view refresh queue');
  }

  enqueue(message: ViewRefreshMessage, delaySeconds: number): Promise<void> {
    return this.#queue.send(message, delaySeconds, () => 'a refresh job');
  }
}
