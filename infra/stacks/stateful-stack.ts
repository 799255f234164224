import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config.js';

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * What outlives a redeploy of the functions: the promotion and view-refresh queues and their dead-letter queues, the
 * reference to the Upstash credentials, and the topic alarms notify. Redis itself is Upstash
 * (outside AWS).
 */
export class StatefulStack extends Stack {
  readonly promotionQueue: Queue;
  readonly promotionDeadLetterQueue: Queue;
  /** Summary-view refresh jobs (decision record 0020), with the same settings as the promotion queue. */
  readonly viewRefreshQueue: Queue;
  readonly viewRefreshDeadLetterQueue: Queue;
  /** Document ingestion jobs (docs/decisions/0021-document-ingestion.md), with their own DLQ. */
  readonly documentQueue: Queue;
  readonly documentDeadLetterQueue: Queue;
  /** `{"url": "https://…", "token": "…"}` for the Upstash REST API; every function may read it. */
  readonly upstashSecret: ISecret;
  /** Every alarm of the service notifies this topic (alarm and OK). */
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { queue: settings } = config;
    const removalPolicy = config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.promotionDeadLetterQueue = new Queue(this, 'PromotionDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(settings.deadLetterRetentionDays),
      removalPolicy,
    });
    Validations.of(this.promotionDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This is the dead-letter queue of the promotion queue; a DLQ of its own would only move the problem.',
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

    this.viewRefreshDeadLetterQueue = new Queue(this, 'ViewRefreshDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(settings.deadLetterRetentionDays),
      removalPolicy,
    });
    Validations.of(this.viewRefreshDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This is the dead-letter queue of the view refresh queue; a DLQ of its own would only move the problem.',
    });
    // The consumer has the promotion consumer's profile (timeout), so the same visibility timeout holds.
    this.viewRefreshQueue = new Queue(this, 'ViewRefreshQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(settings.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(settings.retentionDays),
      deadLetterQueue: { queue: this.viewRefreshDeadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
      removalPolicy,
    });

    // The document queue: the same settings as the promotion queue (its consumer has the same
    // profile, so the same visibility rule holds), its own DLQ so a poisoned document never mixes
    // with session jobs.
    this.documentDeadLetterQueue = new Queue(this, 'DocumentDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(settings.deadLetterRetentionDays),
      removalPolicy,
    });
    Validations.of(this.documentDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This is the dead-letter queue of the document queue; a DLQ of its own would only move the problem.',
    });
    this.documentQueue = new Queue(this, 'DocumentQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(settings.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(settings.retentionDays),
      deadLetterQueue: { queue: this.documentDeadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
      removalPolicy,
    });

    this.upstashSecret = config.upstash.existingSecretName
      ? Secret.fromSecretNameV2(this, 'UpstashSecret', config.upstash.existingSecretName)
      : this.createUpstashSecret(config.stage);

    // No KMS key: CloudWatch alarms can only publish to an encrypted topic through a customer-managed
    // key whose policy admits cloudwatch.amazonaws.com, and the notifications carry alarm names and
    // metric values only (no memory content). Publishers must use TLS (AwsSolutions-SNS3).
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `Agent Memory (${config.stage}) alarms`,
      enforceSSL: true,
    });
    for (const email of config.alarms.notifyEmails) {
      this.alarmTopic.addSubscription(new EmailSubscription(email));
    }

    new CfnOutput(this, 'PromotionQueueUrl', { value: this.promotionQueue.queueUrl });
    new CfnOutput(this, 'PromotionDeadLetterQueueUrl', { value: this.promotionDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'ViewRefreshQueueUrl', { value: this.viewRefreshQueue.queueUrl });
    new CfnOutput(this, 'ViewRefreshDeadLetterQueueUrl', { value: this.viewRefreshDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'DocumentQueueUrl', { value: this.documentQueue.queueUrl });
    new CfnOutput(this, 'DocumentDeadLetterQueueUrl', { value: this.documentDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'UpstashSecretArn', {
      value: this.upstashSecret.secretArn,
      description: 'Put {"url": "https://…", "token": "…"} here (aws secretsmanager put-secret-value)',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Subscribe on-call endpoints to this topic',
    });
  }

  /**
   * `agent-memory/<stage>/upstash` with an empty placeholder: the template never holds the token.
   * Operators store the real credentials once, outside CloudFormation:
   *
   *   aws secretsmanager put-secret-value --secret-id agent-memory/<stage>/upstash \
   *     --secret-string '{"url":"https://….upstash.io","token":"…"}'
   *
   * Until then the functions stop at cold start with a message saying exactly that. Retained when the
   * stack is deleted, so a redeploy of a destroyed stage fails on the existing name: set
   * `upstash.existingSecretName` (or `-c upstashSecretName=…`) to adopt it instead.
   */
  private createUpstashSecret(stage: string): Secret {
    const secret = new Secret(this, 'UpstashSecret', {
      secretName: `agent-memory/${stage}/upstash`,
      description: `Upstash REST URL and token of Agent Memory (${stage}): {"url": "https://…", "token": "…"}`,
      // Empty values, not generated ones: a random token would look real and fail only at Upstash.
      // CloudFormation writes SecretString only when it changes in the template, so later deploys
      // leave the operator's value alone; changing this placeholder would overwrite it.
      secretObjectValue: {
        url: SecretValue.unsafePlainText(''),
        token: SecretValue.unsafePlainText(''),
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The Upstash REST token is issued by Upstash, not by AWS: no rotation Lambda can mint one. Rotate it ' +
        'in the Upstash console and put the new value; functions pick it up at their next cold start.',
    });
    return secret;
  }
}
