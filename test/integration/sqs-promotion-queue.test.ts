import { randomUUID } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../dev/local-stack/free-port.js';
import { type LocalSqs, startLocalSqs } from '../../dev/local-stack/sqs.js';
import { createSqsClient } from '../../lib/adapters/sqs/sqs-client.js';
import { SqsPromotionQueue } from '../../lib/adapters/sqs/sqs-promotion-queue.js';
import {
  type PromotionMessage,
  promotionJob,
  promotionMessageSchema,
} from '../../lib/contracts/promotion-message.js';
import { DependencyUnavailableError } from '../../lib/domain/errors.js';

let sqs: LocalSqs;
let client: SQSClient;

beforeAll(async () => {
  sqs = await startLocalSqs();
  client = createSqsClient({ region: sqs.region, endpoint: sqs.endpoint, credentials: sqs.credentials });
}, 180_000);

afterAll(async () => {
  client?.destroy();
  await sqs?.stop();
});

function sampleMessage(overrides: Partial<PromotionMessage> = {}): PromotionMessage {
  const now = Date.now();
  return {
    ...promotionJob({
      storeId: 'store-1',
      sessionId: `session-${randomUUID().slice(0, 8)}`,
      windowStartedAt: now,
      dueAt: now + 60_000,
    }),
    ...overrides,
  };
}

async function freshQueue(): Promise<string> {
  const pair = await sqs.createQueuePair(`promo-${randomUUID().slice(0, 8)}`);
  return pair.queueUrl;
}

async function receiveOne(queueUrl: string, waitTimeSeconds: number): Promise<Message | undefined> {
  const out = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 1,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return out.Messages?.[0];
}

async function counts(queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(out.Attributes?.ApproximateNumberOfMessagesDelayed),
  };
}

/** Spies on `client.send` (calls still go through) and returns the SendMessage inputs. */
function spyOnSends(target: SQSClient) {
  const spy = vi.spyOn(target, 'send');
  return {
    spy,
    sendInputs: () =>
      spy.mock.calls
        .map(([command]): unknown => command)
        .filter((command) => command instanceof SendMessageCommand)
        .map((command) => (command as SendMessageCommand).input),
  };
}

describe('SqsPromotionQueue', { timeout: 30_000 }, () => {
  it('sends the job as a JSON body that parses back with the schema', async () => {
    const queueUrl = await freshQueue();
    const queue = new SqsPromotionQueue({ client, queueUrl });
    const message = sampleMessage();

    await queue.enqueue(message, 0);

    const received = await receiveOne(queueUrl, 5);
    expect(received).toBeDefined();
    expect(JSON.parse(received?.Body ?? 'null')).toEqual(message);
    expect(promotionMessageSchema.parse(JSON.parse(received?.Body ?? 'null'))).toEqual(message);
    expect(received?.Attributes?.ApproximateReceiveCount).toBe('1');
  });

  it('honours DelaySeconds: the job stays invisible until the delay has passed', async () => {
    const queueUrl = await freshQueue();
    const queue = new SqsPromotionQueue({ client, queueUrl });
    const message = sampleMessage();

    await queue.enqueue(message, 2);

    expect(await receiveOne(queueUrl, 0)).toBeUndefined();
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 1 });

    let received: Message | undefined;
    for (let attempt = 0; attempt < 5 && !received; attempt++) received = await receiveOne(queueUrl, 2);
    expect(received).toBeDefined();
    expect(JSON.parse(received?.Body ?? 'null')).toEqual(message);
    const sentAt = Number(received?.Attributes?.SentTimestamp);
    const firstReceivedAt = Number(received?.Attributes?.ApproximateFirstReceiveTimestamp);
    expect(firstReceivedAt - sentAt).toBeGreaterThanOrEqual(2_000 - 50);
  });

  it('clamps the delay to whole seconds in 0–900, rounding up', async () => {
    const queueUrl = await freshQueue();
    const sendClient = createSqsClient({
      region: sqs.region,
      endpoint: sqs.endpoint,
      credentials: sqs.credentials,
    });
    try {
      const { sendInputs } = spyOnSends(sendClient);
      const queue = new SqsPromotionQueue({ client: sendClient, queueUrl });

      for (const delay of [-5, 0, 1.2, 900, 3_600, Number.NaN]) await queue.enqueue(sampleMessage(), delay);

      expect(sendInputs().map((input) => input.DelaySeconds)).toEqual([0, 0, 2, 900, 900, 0]);
      // The three undelayed jobs are deliverable now; the other three are held back by SQS.
      expect(await counts(queueUrl)).toMatchObject({ visible: 3, delayed: 3 });
    } finally {
      sendClient.destroy();
    }
  });

  it('rejects an invalid message before sending anything, naming fields but not values', async () => {
    const queueUrl = await freshQueue();
    const sendClient = createSqsClient({
      region: sqs.region,
      endpoint: sqs.endpoint,
      credentials: sqs.credentials,
    });
    try {
      const { spy } = spyOnSends(sendClient);
      const queue = new SqsPromotionQueue({ client: sendClient, queueUrl });
      const invalid = { ...sampleMessage(), storeId: 'not a valid id!', dueAt: -1 } as PromotionMessage;

      const error = await queue.enqueue(invalid, 0).then(
        () => undefined,
        (caught: unknown) => caught,
      );

      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(DependencyUnavailableError);
      expect((error as Error).message).toMatch(/invalid message on the promotion queue \(storeId, dueAt\)/);
      expect((error as Error).message).not.toContain('not a valid id!');
      expect(spy).not.toHaveBeenCalled();
      expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    } finally {
      sendClient.destroy();
    }
  });

  it('maps an unreachable SQS to DependencyUnavailableError without the body', async () => {
    const closedPort = await freePort();
    const deadClient = createSqsClient({
      region: sqs.region,
      endpoint: `http://127.0.0.1:${closedPort}`,
      credentials: sqs.credentials,
    });
    try {
      const queue = new SqsPromotionQueue({
        client: deadClient,
        queueUrl: `http://127.0.0.1:${closedPort}/000000000000/nowhere`,
      });
      const message = sampleMessage();

      const error = await queue.enqueue(message, 0).then(
        () => undefined,
        (caught: unknown) => caught,
      );

      expect(error).toBeInstanceOf(DependencyUnavailableError);
      const unavailable = error as DependencyUnavailableError;
      expect(unavailable.code).toBe('resource-unavailable');
      expect(unavailable.retryable).toBe(true);
      expect(unavailable.cause).toBeDefined();
      expect(unavailable.message).not.toContain(JSON.stringify(message));
      expect(unavailable.message).not.toContain('session-promotion');
    } finally {
      deadClient.destroy();
    }
  });

  it('maps an SQS error response (missing queue) to DependencyUnavailableError', async () => {
    const { queueUrl } = await sqs.createQueuePair(`promo-${randomUUID().slice(0, 8)}`);
    const queue = new SqsPromotionQueue({
      client,
      queueUrl: queueUrl.replace(/promo-[^/]+$/, 'does-not-exist'),
    });

    await expect(queue.enqueue(sampleMessage(), 0)).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
