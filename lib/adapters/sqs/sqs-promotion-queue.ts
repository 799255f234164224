import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  type PromotionMessage,
  promotionJobId,
  promotionMessageSchema,
} from '../../contracts/promotion-message.js';
import type { PromotionQueue } from '../../ports/promotion-queue.js';
import { SqsJsonQueue } from './sqs-json-queue.js';

/** `PromotionQueue` over an SQS standard queue: one JSON message per job. */
export class SqsPromotionQueue implements PromotionQueue {
  readonly #queue: SqsJsonQueue<typeof promotionMessageSchema>;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#queue = new SqsJsonQueue(options, promotionMessageSchema, 'the promotion queue');
  }

  enqueue(message: PromotionMessage, delaySeconds: number): Promise<void> {
    return this.#queue.send(message, delaySeconds, (job) => `job ${promotionJobId(job)}`);
  }
}
