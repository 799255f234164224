import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type QueuePoller,
  type QueuePollerOptions,
  startQueuePoller,
} from '../../dev/local-stack/queue-poller.js';
import { type LocalSqs, startLocalSqs } from '../../dev/local-stack/sqs.js';
import { createSqsClient } from '../../lib/adapters/sqs/sqs-client.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

let sqs: LocalSqs;
let client: SQSClient;
const pollers: QueuePoller[] = [];

beforeAll(async () => {
  sqs = await startLocalSqs();
  client = createSqsClient({ region: sqs.region, endpoint: sqs.endpoint, credentials: sqs.credentials });
}, 180_000);

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
});

afterAll(async () => {
  client?.destroy();
  await sqs?.stop();
});

type Handler = QueuePollerOptions['handler'];

interface Harness {
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  poller: QueuePoller;
  /** Every record the handler saw, in order. */
  deliveries: SQSRecord[];
  events: SQSEvent[];
  contexts: Context[];
  errors: unknown[];
}

async function harness(
  handler: Handler,
  options: { maxReceiveCount?: number; visibilityTimeoutSeconds?: number; send?: string[] } = {},
): Promise<Harness> {
  const pair = await sqs.createQueuePair(`poll-${randomUUID().slice(0, 8)}`, {
    maxReceiveCount: options.maxReceiveCount ?? 3,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 1,
  });
  // Messages sent before the poller starts arrive together in its first batch.
  if (options.send?.length) await sendBatch(pair.queueUrl, options.send);
  const deliveries: SQSRecord[] = [];
  const events: SQSEvent[] = [];
  const contexts: Context[] = [];
  const errors: unknown[] = [];
  const poller = startQueuePoller({
    client,
    queueUrl: pair.queueUrl,
    queueArn: pair.queueArn,
    region: sqs.region,
    functionName: 'promotion-consumer',
    handler: async (event, context) => {
      events.push(event);
      contexts.push(context);
      deliveries.push(...event.Records);
      return handler(event, context);
    },
    onError: (error) => errors.push(error),
  });
  pollers.push(poller);
  return { ...pair, poller, deliveries, events, contexts, errors };
}

async function sendBatch(queueUrl: string, bodies: string[]): Promise<void> {
  await client.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((body, index) => ({ Id: `e${index}`, MessageBody: body })),
    }),
  );
}

async function queueCounts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

async function receiveAll(queueUrl: string): Promise<{ id: string; body: string }[]> {
  const out = await client.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return (out.Messages ?? []).map((message) => ({ id: message.MessageId ?? '', body: message.Body ?? '' }));
}

function deliveriesOf(h: Harness, body: string): SQSRecord[] {
  return h.deliveries.filter((record) => record.body === body);
}

describe('startLocalSqs', { timeout: 30_000 }, () => {
  it('creates a queue redriving to its DLQ with the requested visibility timeout', async () => {
    const pair = await sqs.createQueuePair(`pair-${randomUUID().slice(0, 8)}`, {
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 7,
    });
    const out = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: pair.queueUrl, AttributeNames: ['All'] }),
    );

    expect(out.Attributes?.QueueArn).toBe(pair.queueArn);
    expect(out.Attributes?.VisibilityTimeout).toBe('7');
    const redrive = JSON.parse(out.Attributes?.RedrivePolicy ?? '{}');
    expect(redrive.deadLetterTargetArn).toBe(pair.dlqArn);
    expect(Number(redrive.maxReceiveCount)).toBe(5);
    expect(pair.dlqArn).toMatch(/-dlq$/);
  });

  it('stop() closes the emulator it started, and is idempotent', async () => {
    const own = await startLocalSqs();
    const { port } = new URL(own.endpoint);
    await own.createQueuePair(`own-${randomUUID().slice(0, 8)}`);

    await Promise.all([own.stop(), own.stop()]);

    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port) });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    await expect(own.createQueuePair('after-stop')).rejects.toThrow(/stopped/);
  });

  it('rejects an unknown AGENT_MEMORY_SQS value', async () => {
    const previous = process.env.AGENT_MEMORY_SQS;
    process.env.AGENT_MEMORY_SQS = 'kinesis';
    try {
      await expect(startLocalSqs()).rejects.toThrow(/AGENT_MEMORY_SQS/);
    } finally {
      if (previous === undefined) delete process.env.AGENT_MEMORY_SQS;
      else process.env.AGENT_MEMORY_SQS = previous;
    }
  });
});

describe('startQueuePoller', { timeout: 30_000 }, () => {
  it('invokes the handler with a Lambda-shaped SQSEvent and Context, then deletes the batch', async () => {
    const h = await harness(async () => undefined);
    await client.send(
      new SendMessageCommand({
        QueueUrl: h.queueUrl,
        MessageBody: '{"hello":"world"}',
        MessageAttributes: {
          traceparent: { DataType: 'String', StringValue: '00-abc-def-01' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );

    await h.poller.drain(10_000);

    expect(h.deliveries).toHaveLength(1);
    const record = h.deliveries[0]!;
    expect(record).toMatchObject({
      body: '{"hello":"world"}',
      md5OfBody: createHash('md5').update('{"hello":"world"}').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: h.queueArn,
      awsRegion: sqs.region,
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {
        traceparent: {
          stringValue: '00-abc-def-01',
          stringListValues: [],
          binaryListValues: [],
          dataType: 'String',
        },
        blob: { binaryValue: Buffer.from([1, 2, 3]).toString('base64'), dataType: 'Binary' },
      },
    });
    expect(record.messageId).toMatch(/\S/);
    expect(record.receiptHandle).toMatch(/\S/);
    expect(record.attributes.SentTimestamp).toMatch(/^\d{13}$/);
    expect(record.attributes.ApproximateFirstReceiveTimestamp).toMatch(/^\d{13}$/);
    expect(record.attributes.SenderId).toMatch(/\S/);

    const context = h.contexts[0]!;
    expect(context.functionName).toBe('promotion-consumer');
    expect(context.invokedFunctionArn).toBe(
      `arn:aws:lambda:${sqs.region}:${h.queueArn.split(':')[4]}:function:promotion-consumer`,
    );
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);

    expect(await queueCounts(h.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(h.poller.stats).toEqual({ batches: 1, received: 1, succeeded: 1, failed: 0 });
    expect(h.errors).toEqual([]);
  });

  it('deletes the successes of a batch and redelivers only the reported failures', async () => {
    const attempts = new Map<string, number>();
    const h = await harness(
      async (event) => {
        const failures = event.Records.filter((record) => {
          const seen = (attempts.get(record.body) ?? 0) + 1;
          attempts.set(record.body, seen);
          return record.body.startsWith('fail') && seen === 1;
        });
        return { batchItemFailures: failures.map((record) => ({ itemIdentifier: record.messageId })) };
      },
      { send: ['ok-1', 'fail-1', 'ok-2', 'fail-2'] },
    );

    await h.poller.drain(15_000);

    expect(deliveriesOf(h, 'ok-1')).toHaveLength(1);
    expect(deliveriesOf(h, 'ok-2')).toHaveLength(1);
    for (const body of ['fail-1', 'fail-2']) {
      const seen = deliveriesOf(h, body);
      expect(seen.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
      expect(seen[1]!.messageId).toBe(seen[0]!.messageId);
      expect(seen[1]!.receiptHandle).not.toBe(seen[0]!.receiptHandle);
    }
    expect(h.poller.stats).toMatchObject({ received: 6, succeeded: 4, failed: 2 });
    expect(await queueCounts(h.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(await receiveAll(h.dlqUrl)).toEqual([]);
  });

  it('redelivers the whole batch when the handler throws', async () => {
    let invocation = 0;
    const boom = new Error('boom');
    const h = await harness(
      async () => {
        invocation += 1;
        if (invocation === 1) throw boom;
      },
      { send: ['a', 'b', 'c'] },
    );

    await h.poller.drain(15_000);

    const firstBatch = h.events[0]!.Records;
    expect(firstBatch.length).toBeGreaterThan(0);
    for (const record of firstBatch) {
      const seen = h.deliveries.filter((delivery) => delivery.messageId === record.messageId);
      expect(seen.map((delivery) => delivery.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    }
    expect(new Set(h.deliveries.map((record) => record.body))).toEqual(new Set(['a', 'b', 'c']));
    expect(h.errors).toContain(boom);
    expect(h.poller.stats.failed).toBe(firstBatch.length);
    expect(h.poller.stats.succeeded).toBe(3);
    expect(await queueCounts(h.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it.each([
    ['an itemIdentifier not in the batch', { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a batchItemFailures that is not an array', { batchItemFailures: 'all of them' }],
    ['a response that is not an object', 'done'],
  ])('fails the whole batch when the handler returns %s', async (_label, malformed) => {
    let invocation = 0;
    const h = await harness(
      async () => {
        invocation += 1;
        return (invocation === 1 ? malformed : { batchItemFailures: [] }) as SQSBatchResponse;
      },
      { send: ['x', 'y'] },
    );

    await h.poller.drain(15_000);

    for (const record of h.events[0]!.Records) {
      const seen = h.deliveries.filter((delivery) => delivery.messageId === record.messageId);
      expect(seen).toHaveLength(2);
    }
    expect(h.poller.stats.failed).toBe(h.events[0]!.Records.length);
    expect(h.errors.some((error) => /whole batch failed/.test(String(error)))).toBe(true);
  });

  it('lets SQS move a message that always fails to the DLQ after maxReceiveCount', async () => {
    const h = await harness(
      async (event) => ({
        batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })),
      }),
      { maxReceiveCount: 2, visibilityTimeoutSeconds: 1, send: ['poison'] },
    );

    await h.poller.drain(20_000);

    const seen = deliveriesOf(h, 'poison');
    expect(seen.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(h.poller.stats).toMatchObject({ received: 2, succeeded: 0, failed: 2 });
    expect(await receiveAll(h.dlqUrl)).toEqual([{ id: seen[0]!.messageId, body: 'poison' }]);
  });

  it('drain() rejects when the queue does not empty in time', async () => {
    const h = await harness(
      async (event) => ({
        batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })),
      }),
      { maxReceiveCount: 100, send: ['stuck'] },
    );

    await expect(h.poller.drain(1_500)).rejects.toThrow(/not drained within 1500 ms/);
  });

  it('stop() waits for the batch in flight, then polls no more', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const h = await harness(
      async () => {
        entered();
        await released;
      },
      { send: ['slow'] },
    );
    await handlerEntered;

    let stopped = false;
    const stopping = h.poller.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stopped).toBe(false);

    release();
    await stopping;
    expect(h.poller.stats).toEqual({ batches: 1, received: 1, succeeded: 1, failed: 0 });

    await sendBatch(h.queueUrl, ['after-stop']);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(h.deliveries.map((record) => record.body)).toEqual(['slow']);
    expect(await queueCounts(h.queueUrl)).toEqual({ visible: 1, inFlight: 0 });
  });

  it('leaves nothing running after stop(): a process using it exits by itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'queue-poller-exit-'));
    const moduleUrl = (path: string) => pathToFileURL(join(REPO_ROOT, path)).href;
    const script = `
      import { startLocalSqs } from '${moduleUrl('dev/local-stack/sqs.ts')}';
      import { startQueuePoller } from '${moduleUrl('dev/local-stack/queue-poller.ts')}';
      import { createSqsClient } from '${moduleUrl('lib/adapters/sqs/sqs-client.ts')}';
      import { SqsPromotionQueue } from '${moduleUrl('lib/adapters/sqs/sqs-promotion-queue.ts')}';
      const sqs = await startLocalSqs();
      const pair = await sqs.createQueuePair('exit-check');
      const client = createSqsClient({ region: sqs.region, endpoint: sqs.endpoint, credentials: sqs.credentials });
      let handled = 0;
      // A 20 s long poll: if stop() did not abort it, the process would stay up that long.
      const poller = startQueuePoller({ ...pair, client, region: sqs.region, waitTimeSeconds: 20,
        handler: async () => { handled += 1; } });
      await new SqsPromotionQueue({ client, queueUrl: pair.queueUrl }).enqueue({ version: 1, kind: 'session-promotion',
        storeId: 's', sessionId: 'x', windowStartedAt: 1, dueAt: 2 }, 0);
      await poller.drain(10_000);
      await poller.stop();
      client.destroy();
      await sqs.stop();
      console.log('handled=' + handled);
      setTimeout(() => { console.log('still alive: ' + process.getActiveResourcesInfo().join(',')); process.exit(3); }, 5_000).unref();
    `;
    const file = join(dir, 'exit-check.mjs');
    await writeFile(file, script);
    try {
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', file], {
          cwd: REPO_ROOT,
          env: { ...process.env, AGENT_MEMORY_SQS: 'fauxqs' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
        });
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        // Well under the 20 s long poll: a stop() that waited for it instead of aborting fails here.
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.on('exit', (code) => {
          clearTimeout(killer);
          resolve({ code, stdout, stderr });
        });
      });
      expect(result.stdout).toContain('handled=1');
      expect(result.stdout).not.toContain('still alive');
      expect(result.code, result.stderr).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
