import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../lib/config/env-names.js';
import type { MemoryFunction } from './memory-function.js';

export interface PromotionPipelineProps {
  /** The promotion queue (the stateful stack's, with its DLQ). */
  readonly queue: IQueue;
  /**
   * The variable that hands senders the queue's URL (the view-refresh and document queues pass their own).
   * @default ENV.promotionQueueUrl
   */
  readonly queueUrlVariable?: string;
  /** Messages per consumer invocation (SQS allows 1-10 for a standard queue without a window). */
  readonly batchSize: number;
  /**
   * Seconds SQS may wait to fill a batch.
   * @default 0 - no batching window
   */
  readonly maxBatchingWindowSeconds?: number;
  /** Upper bound on concurrent consumer invocations (the event source's `ScalingConfig`). */
  readonly maxConcurrency: number;
}

/**
 * The promotion queue's two sides, per function: senders get the queue URL and `sqs:SendMessage`
 * together (`queue:send`), the consumer gets an event source with partial batch failures
 * (`queue:consume`; the event source grants receive and delete). A function never knows a queue it
 * may not use. Holds no resources of its own: the queue and DLQ live in the stateful stack. The
 * summary-view refresh and document queues have a pipeline of their own too (`queueUrlVariable`;
 * the `view-queue:*` and `documents:*` needs map onto them).
 */
export class PromotionPipeline extends Construct {
  readonly queue: IQueue;
  private readonly props: PromotionPipelineProps;

  constructor(scope: Construct, id: string, props: PromotionPipelineProps) {
    super(scope, id);
    this.queue = props.queue;
    this.props = props;
  }

  /** The `queue:send` need: `PROMOTION_QUEUE_URL` and `sqs:SendMessage` on this queue. */
  grantSend(fn: MemoryFunction): void {
    fn.lambda.addEnvironment(this.props.queueUrlVariable ?? ENV.promotionQueueUrl, this.queue.queueUrl);
    this.queue.grantSendMessages(fn.lambda);
  }

  /**
   * The `queue:consume` need: feeds the queue to `fn`. `reportBatchItemFailures` is on, because the
   * consumer returns partial failures; without the flag SQS would delete failed messages.
   */
  attachConsumer(fn: MemoryFunction): void {
    const window = this.props.maxBatchingWindowSeconds ?? 0;
    fn.lambda.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: this.props.batchSize,
        ...(window > 0 ? { maxBatchingWindow: Duration.seconds(window) } : {}),
        reportBatchItemFailures: true,
        maxConcurrency: this.props.maxConcurrency,
      }),
    );
  }
}
