import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config.js';

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * What outlives a redeploy of the functions: the promotion queue and its dead-letter queue. Redis is
 * Upstash (outside AWS), so the queues are all the state this account holds for now.
 */
export class StatefulStack extends Stack {
  readonly promotionQueue: Queue;
  readonly promotionDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { queue: settings } = props.config;
    const removalPolicy =
      props.config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.promotionDeadLetterQueue = new Queue(this, 'PromotionDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(settings.deadLetterRetentionDays),
      removalPolicy,
    });

    this.promotionQueue = new Queue(this, 'PromotionQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // ≥ 6 × the consumer timeout (+ batching window), validated in the stage config: a message is not
      // redelivered while a slow, throttled or retried batch still holds it.
      visibilityTimeout: Duration.seconds(settings.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(settings.retentionDays),
      deadLetterQueue: { queue: this.promotionDeadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
      removalPolicy,
    });

    new CfnOutput(this, 'PromotionQueueUrl', { value: this.promotionQueue.queueUrl });
    new CfnOutput(this, 'PromotionDeadLetterQueueUrl', { value: this.promotionDeadLetterQueue.queueUrl });
  }
}
