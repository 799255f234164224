import { SQSClient } from '@aws-sdk/client-sqs';
import { type SqsClientConfig, sqsClientOptions } from './sqs-client-options.js';

export type { SqsClientConfig } from './sqs-client-options.js';

/**
 * The SQS client of every function: a small retry budget (3 attempts in all) so a sick queue fails an
 * HTTP request quickly instead of holding it, and a bounded connect time.
 */
export function createSqsClient(config: SqsClientConfig): SQSClient {
  return new SQSClient(sqsClientOptions(config));
}
