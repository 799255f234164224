import type { SQSClientConfig } from '@aws-sdk/client-sqs';

export interface SqsClientConfig {
  readonly region: string;
  /** A local stack's endpoint (fauxqs or LocalStack). Unset in AWS; the SDK also honours `AWS_ENDPOINT_URL_SQS`. */
  readonly endpoint?: string;
  /** Static credentials (the local stack's dummy ones). Unset: the default provider chain. */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Per-request limit. Default 2 s: functions only send, and a send must fail fast. A client that
   * long-polls (receive with WaitTimeSeconds) needs more than its wait.
   */
  readonly requestTimeoutMs?: number;
}

/** The options behind `createSqsClient`, for callers that load the SDK themselves (lazily). */
export function sqsClientOptions(config: SqsClientConfig): SQSClientConfig {
  return {
    region: config.region,
    maxAttempts: 3,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    // Send every call to the resolved endpoint, not to the host inside the QueueUrl: in AWS the two are
    // the same, while local stacks hand out queue URLs (sqs.<region>.localhost:<port>, or LocalStack's
    // in-container port) that are not reachable from here.
    useQueueUrlAsEndpoint: false,
    // A slow SQS must not hold an append past its budget: the event is already stored, and a send
    // that gives up leaves its window to the sweeper. 3 attempts × 2 s stays inside a 10 s function.
    // Without throwOnRequestTimeout the handler only logs a warning when the limit passes.
    requestHandler: {
      connectionTimeout: 2_000,
      requestTimeout: config.requestTimeoutMs ?? 2_000,
      throwOnRequestTimeout: true,
    },
  };
}
