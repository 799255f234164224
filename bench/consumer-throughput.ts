/**
 * One consumer-throughput measurement, run by bench/extraction.ts in its own process:
 * `tsx bench/consumer-throughput.ts <model latency ms>`. Appends 10 turns to each of 40 sessions
 * through the API, sends one promotion job per session, and times the consumer (queue poller ->
 * handler -> Bedrock Converse extraction against the fake, whose offline responder plays the model ->
 * writes) until the queue is drained. Prints one JSON line.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { apiClient } from '../dev/api-client.js';
import { startLocalStack } from '../dev/local-stack/local-stack.js';
import { createSqsClient } from '../lib/adapters/sqs/sqs-client.js';
import { promotionJob } from '../lib/contracts/promotion-message.js';
import { round } from './stats.js';

const [latency = '0'] = process.argv.slice(2);
const SESSIONS = 40;
const TURNS = [
  "I'm a vegetarian.",
  'Nice to know.',
  'I love jazz concerts.',
  'Great!',
  "I'm planning a trip to Lisbon next month.",
];

const stack = await startLocalStack({ bedrockConverseLatencyMs: Number(latency) });
try {
  await stack.createStore('throughput');
  const api = apiClient(stack.apiUrl, await stack.mintApiKey({ throughput: ['read', 'write'] }));
  for (let s = 0; s < SESSIONS; s++) {
    for (let t = 0; t < 10; t++) {
      await api.post('/v1/stores/throughput/session-memory/events', {
        sessionId: `s${s}`,
        actorId: t % 2 === 0 ? `owner-${s}` : 'agent',
        role: t % 2 === 0 ? 'USER' : 'ASSISTANT',
        content: [{ text: TURNS[t % TURNS.length] }],
        createdAt: new Date(Date.UTC(2026, 5, 1, 9, t)).toISOString(),
      });
    }
  }
  await stack.consumer!.drain(60_000);
  const sqs = createSqsClient({
    region: stack.sqs.region,
    endpoint: stack.sqs.endpoint,
    credentials: stack.sqs.credentials,
  });
  const started = performance.now();
  for (let s = 0; s < SESSIONS; s += 10) {
    const now = Date.now();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: stack.promotionQueue.queueUrl,
        Entries: Array.from({ length: 10 }, (_, j) => ({
          Id: String(j),
          MessageBody: JSON.stringify(
            promotionJob({
              storeId: 'throughput',
              sessionId: `s${s + j}`,
              windowStartedAt: now,
              dueAt: now + 3_600_000,
            }),
          ),
        })),
      }),
    );
  }
  await stack.consumer!.drain(300_000);
  const seconds = (performance.now() - started) / 1000;
  sqs.destroy();
  console.log(
    JSON.stringify({
      provider: 'bedrock',
      modelLatencyMs: Number(latency),
      jobs: SESSIONS,
      seconds: round(seconds),
      jobsPerSecond: round(SESSIONS / seconds, 1),
    }),
  );
} finally {
  await stack.stop();
}
