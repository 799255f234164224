import { SQSClient } from '@aws-sdk/client-sqs';

export interface SqsClientConfig {
  readonly region: string;
  /** A local stack's endpoint (fauxqs or LocalStack). Unset in AWS; the SDK also honours `AWS_ENDPOINT_URL_SQS`. */
  readonly endpoint?: string;
  /** Static credentials (the local stack's dummy ones). Unset: the default provider chain. */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * The SQS client of every function: a small retry budget (3 attempts in all) so a sick queue fails an
 * HTTP request quickly instead of holding it, and a bounded connect time.
 */
export function createSqsClient(config: SqsClientConfig): SQSClient {
  return new SQSClient({
    region: config.region,
    maxAttempts: 3,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    // Send every call to the resolved endpoint, not to the host inside the QueueUrl: in AWS the two are
    // the same, while local stacks hand out queue URLs (sqs.<region>.localhost:<port>, or LocalStack's
    // in-container port) that are not reachable from here.
    useQueueUrlAsEndpoint: false,
    requestHandler: { connectionTimeout: 2_000 },
  });
}
