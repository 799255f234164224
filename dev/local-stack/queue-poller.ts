import { randomBytes, randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSMessageAttributes,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';

/** Pause after a failed ReceiveMessage before polling again. */
const RECEIVE_ERROR_BACKOFF_MS = 1_000;
/** How often `drain` reads the queue's counters. */
const DRAIN_CHECK_MS = 100;
/** The timeout the fake Context reports (the consumer function's timeout in AWS). */
const FUNCTION_TIMEOUT_MS = 60_000;

export interface QueuePollerStats {
  /** Handler invocations. */
  batches: number;
  /** Messages received (a redelivery counts again). */
  received: number;
  /** Messages the handler reported as done (they were then deleted). */
  succeeded: number;
  /** Messages left on the queue: listed in `batchItemFailures`, or in a batch that failed as a whole. */
  failed: number;
}

export interface QueuePoller {
  /** Stops polling and waits for the batch in flight, if any. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Resolves when the queue has no visible or in-flight messages and no batch is running (twice in a
   * row, DRAIN_CHECK_MS apart); rejects after `timeoutMs` (default 30 s). Delayed messages are not
   * waited for unless `includeDelayed` is set.
   */
  drain(timeoutMs?: number, options?: { includeDelayed?: boolean }): Promise<void>;
  readonly stats: Readonly<QueuePollerStats>;
}

export interface QueuePollerOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: a Lambda SQS handler may return nothing (as aws-lambda's SQSHandler)
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
  /** Messages per ReceiveMessage and per invocation, 1–10. Default 10. */
  batchSize?: number;
  /** Long-poll wait, 0–20 s. Default 1. */
  waitTimeSeconds?: number;
  /** Name in the fake Lambda context. Default: `<queue name>-consumer`. */
  functionName?: string;
  /** Told about handler failures, malformed responses and SQS call failures. Default: console.error. */
  onError?: (error: unknown) => void;
}

/**
 * Feeds an SQS queue to a Lambda handler the way the SQS event source mapping does with
 * `ReportBatchItemFailures`: long-polls, invokes the handler with a real `SQSEvent`, deletes the
 * messages that succeeded, and leaves failures for SQS to redeliver after the visibility timeout (so
 * the queue's own `maxReceiveCount` moves them to the DLQ). A handler that throws or returns a response
 * Lambda would reject fails the whole batch. One batch at a time.
 */
export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  const { client, queueUrl, queueArn, region, handler } = options;
  const batchSize = Math.min(10, Math.max(1, Math.trunc(options.batchSize ?? 10)));
  const waitTimeSeconds = Math.min(20, Math.max(0, Math.trunc(options.waitTimeSeconds ?? 1)));
  const accountId = queueArn.split(':')[4] || '000000000000';
  const functionName = options.functionName ?? `${queueArn.split(':')[5] || 'queue'}-consumer`;
  const onError =
    options.onError ??
    ((error: unknown) => {
      console.error(`[queue-poller ${functionName}]`, error instanceof Error ? error.message : error);
    });
  const report = (error: unknown) => {
    try {
      onError(error);
    } catch {
      // A throwing onError must not kill the poll loop.
    }
  };

  const stats: QueuePollerStats = { batches: 0, received: 0, succeeded: 0, failed: 0 };
  const abort = new AbortController();
  let stopping = false;
  let batchRunning = false;

  async function pollLoop(): Promise<void> {
    while (!stopping) {
      let messages: Message[];
      try {
        const received = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: waitTimeSeconds,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (stopping) return;
        report(error);
        await sleep(RECEIVE_ERROR_BACKOFF_MS, abort.signal);
        continue;
      }
      if (messages.length === 0) continue;
      // Received messages are processed even when stop() came meanwhile: they are in flight already.
      batchRunning = true;
      try {
        await runBatch(messages);
      } catch (error) {
        report(error);
      } finally {
        batchRunning = false;
      }
    }
  }

  async function runBatch(messages: Message[]): Promise<void> {
    stats.batches += 1;
    stats.received += messages.length;
    const records = messages.map((message) => toRecord(message, queueArn, region));
    let failedIds: Set<string>;
    try {
      const response = await handler({ Records: records }, makeContext(functionName, region, accountId));
      failedIds = failedMessageIds(response, records);
    } catch (error) {
      report(error);
      failedIds = new Set(records.map((record) => record.messageId));
    }
    const done = records.filter((record) => !failedIds.has(record.messageId));
    stats.failed += records.length - done.length;
    stats.succeeded += done.length;
    await deleteAll(done);
  }

  async function deleteAll(records: SQSRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += 10) {
      const chunk = records.slice(start, start + 10);
      try {
        const result = await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((record, index) => ({
              Id: `m${start + index}`,
              ReceiptHandle: record.receiptHandle,
            })),
          }),
        );
        for (const failure of result.Failed ?? []) {
          report(
            new Error(
              `DeleteMessageBatch entry ${failure.Id} failed: ${failure.Code} ${failure.Message ?? ''}`,
            ),
          );
        }
      } catch (error) {
        // The messages come back after the visibility timeout: a duplicate delivery, as in AWS.
        report(error);
      }
    }
  }

  const loop = pollLoop().catch(report);
  let stopped: Promise<void> | undefined;

  return {
    stats,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        abort.abort();
        await loop;
      })();
      return stopped;
    },
    async drain(timeoutMs = 30_000, drainOptions = {}) {
      const names = [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        ...(drainOptions.includeDelayed ? ['ApproximateNumberOfMessagesDelayed' as const] : []),
      ] as const;
      const deadline = Date.now() + timeoutMs;
      let quietChecks = 0;
      let last = '';
      for (;;) {
        const described = await client.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...names] }),
        );
        const counts = names.map((name) => Number(described.Attributes?.[name] ?? 0));
        last = names.map((name, index) => `${name}=${counts[index]}`).join(' ');
        const quiet = !batchRunning && counts.every((count) => count === 0);
        quietChecks = quiet ? quietChecks + 1 : 0;
        if (quietChecks >= 2) return;
        if (Date.now() >= deadline) {
          throw new Error(
            `queue not drained within ${timeoutMs} ms (${last}, batch running: ${batchRunning})`,
          );
        }
        await sleep(DRAIN_CHECK_MS);
      }
    },
  };
}

/**
 * Message ids the handler reported as failed, following Lambda's rules: no response, no or an empty
 * `batchItemFailures` means all succeeded; a response that is not an object, a `batchItemFailures` that
 * is not an array, or an entry without a non-empty `itemIdentifier` of a message in the batch fails
 * the whole batch.
 */
function failedMessageIds(response: unknown, records: SQSRecord[]): Set<string> {
  const all = new Set(records.map((record) => record.messageId));
  if (response === undefined || response === null) return new Set();
  if (typeof response !== 'object' || Array.isArray(response)) {
    throw new Error('handler returned a malformed batch response (not an object): the whole batch failed');
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) {
    throw new Error('handler returned a malformed batchItemFailures (not an array): the whole batch failed');
  }
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !all.has(id)) {
      throw new Error(
        'handler reported an itemIdentifier that is empty or not in the batch: the whole batch failed',
      );
    }
    failed.add(id);
  }
  return failed;
}

function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  if (!message.MessageId || !message.ReceiptHandle) {
    throw new Error('ReceiveMessage returned a message without MessageId or ReceiptHandle');
  }
  const system = message.Attributes ?? {};
  const now = String(Date.now());
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
    SentTimestamp: system.SentTimestamp ?? now,
    SenderId: system.SenderId ?? '000000000000',
    ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? now,
  };
  for (const key of [
    'AWSTraceHeader',
    'SequenceNumber',
    'MessageGroupId',
    'MessageDeduplicationId',
    'DeadLetterQueueSourceArn',
  ] as const) {
    const value = system[key];
    if (value !== undefined) attributes[key] = value;
  }
  const record: SQSRecord = {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    attributes,
    messageAttributes: toLambdaMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

/** SDK `MessageAttributes` to the camelCase shape Lambda delivers (binary values as base64). */
function toLambdaMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((item) => Buffer.from(item).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return result;
}

function makeContext(functionName: string, region: string, accountId: string): Context {
  const deadline = Date.now() + FUNCTION_TIMEOUT_MS;
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const unsupported = () => {
    throw new Error('the callback-style Context methods are not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** setTimeout as a promise; resolves early (without rejecting) when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
