import { SQSClient } from '@aws-sdk/client-sqs';
import { type SqsClientConfig, sqsClientOptions } from './sqs-client-options.js';

export type { SqsClientConfig } from './sqs-client-options.js';

/**
 * An SQS client with the functions' retry budget (3 attempts) and connect limit, for code that
 * also receives (the local queue poller, tests, benchmarks): its request limit (25 s unless given)
 * covers the longest long poll (20 s). Functions build theirs from `sqsClientOptions` (2 s sends).
 */
export function createSqsClient(config: SqsClientConfig): SQSClient {
  return new SQSClient(sqsClientOptions({ requestTimeoutMs: 25_000, ...config }));
}
