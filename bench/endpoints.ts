import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { apiClient } from '../dev/api-client.js';
import type { LocalStack } from '../dev/local-stack/local-stack.js';
import { createSqsClient } from '../lib/adapters/sqs/sqs-client.js';
import { promotionJob } from '../lib/contracts/promotion-message.js';
import { percentile, round } from './stats.js';

export interface EndpointFigures {
  readonly endpoint: string;
  readonly calls: number;
  /** Upstash REST requests per call once scripts are cached (warm Lambda). */
  readonly redisRoundTrips: number;
  /** Same, on the first call of a fresh client (EVALSHA misses once, then EVAL). */
  readonly redisRoundTripsFirstCall: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

type Api = ReturnType<typeof apiClient>;

/**
 * Latency and Redis round trips per endpoint through the local stack (HTTP -> local API Gateway ->
 * authorizer -> handler -> Upstash REST emulator -> Redis 8). Calls run one at a time so latency
 * is per request, not queueing. The authorizer runs on every call, as deployed; its key lookup
 * is a round trip only when its in-memory cache (API_KEY_CACHE_SECONDS) misses.
 */
export async function measureEndpoints(stack: LocalStack, calls: number): Promise<EndpointFigures[]> {
  const storeId = 'bench-store';
  await stack.createStore(storeId);
  const api = apiClient(stack.apiUrl, await stack.mintApiKey({ [storeId]: ['read', 'write'] }));
  const base = `/v1/stores/${storeId}`;

  // A realistic session to read: 40 turns of ~200 characters.
  const turn = (i: number, sessionId: string) => ({
    sessionId,
    actorId: i % 2 === 0 ? 'user-1' : 'agent-1',
    role: i % 2 === 0 ? 'USER' : 'ASSISTANT',
    content: [
      { text: `Turn ${i}: ${'I would like a vegetarian restaurant near Kyoto station. '.repeat(3)}` },
    ],
    createdAt: new Date(Date.UTC(2026, 5, 25, 18, 0, i)).toISOString(),
  });
  const readMeEvents: string[] = [];
  for (let i = 0; i < 40; i++) {
    readMeEvents.push(
      (await api.post(`${base}/session-memory/events`, turn(i, 'read-me'))).body.event.eventId,
    );
  }
  // A memory traced to those 40 events (as a promoted memory lists its source events), and a
  // keyed create to replay.
  const traced = {
    id: 'traced',
    text: 'The user wants a vegetarian restaurant near Kyoto station',
    ownerId: 'user-1',
    sessionId: 'read-me',
    sourceRefs: readMeEvents,
  };
  await api.post(`${base}/long-term-memory`, { memories: [traced] });
  const keyed = { headers: { 'Idempotency-Key': 'bench-create-1' } };
  await api.post(`${base}/long-term-memory`, { memories: [{ ...traced, id: 'keyed' }] }, keyed);
  for (let i = 0; i < 50; i++) await api.post(`${base}/session-memory/events`, turn(0, `listed-${i}`));
  const probe = await api.post(`${base}/session-memory/events`, turn(0, 'probe'));
  // A session already promoted, so promote-now finds nothing pending.
  await api.post(`${base}/session-memory/events`, turn(0, 'promoted'));
  await api.post(`${base}/session-memory/promoted/promotion`);
  await stack.consumer?.drain(30_000);
  const probeEventId: string = probe.body.event.eventId;

  // Namespaces (decision record 0014): a personal tree three deep with 50 siblings at the leaf
  // level, and 10 memories that the move endpoint shuttles between two namespaces.
  const leaf = await api.post(`${base}/namespaces`, {
    path: 'home/kitchen/spices',
    scope: 'PERSONAL',
    ownerId: 'user-1',
  });
  const leafId: string = leaf.body.namespace.namespaceId;
  const kitchenId: string = leaf.body.namespace.parentId;
  for (let i = 0; i < 50; i++) {
    await api.post(`${base}/namespaces`, { name: `shelf-${i}`, parentId: kitchenId });
    await api.post(`${base}/namespaces`, { name: `room-${i}`, scope: 'PERSONAL', ownerId: 'user-1' });
  }
  const moveTargets = [leafId, kitchenId];
  const moveIds = Array.from({ length: 10 }, (_, i) => `moved-${i}`);
  await api.post(`${base}/long-term-memory`, {
    memories: moveIds.map((id, i) => ({
      id,
      text: `The user keeps jar ${i} of saffron on the top shelf`,
      ownerId: 'user-1',
      namespaceRef: { namespaceId: leafId },
    })),
  });
  let moves = 0;

  // Fresh keys, minted before counting starts, so each call misses the authorizer cache.
  const freshKeys: Api[] = [];
  for (let i = 0; i < calls + 6; i++) {
    freshKeys.push(apiClient(stack.apiUrl, await stack.mintApiKey({ [storeId]: ['read'] })));
  }
  let counter = 0;
  const endpoints: Array<[string, (api: Api) => Promise<{ status: number }>, number]> = [
    ['GET /health', (a) => a.get('/health'), 200],
    ['GET /v1/stores/{storeId}/health', (a) => a.get(`${base}/health`), 200],
    [
      'GET /v1/stores/{storeId}/health, authorizer cache miss',
      () => freshKeys.pop()!.get(`${base}/health`),
      200,
    ],
    [
      'POST /session-memory/events',
      (a) => a.post(`${base}/session-memory/events`, turn(counter++, `append-${counter % 20}`)),
      201,
    ],
    ['GET /session-memory/{sessionId} (40 events)', (a) => a.get(`${base}/session-memory/read-me`), 200],
    [
      'GET /session-memory?includeAll=true',
      (a) => a.get(`${base}/session-memory?includeAll=true&limit=50`),
      200,
    ],
    ['GET /sessions?includeAll=true', (a) => a.get(`${base}/sessions?includeAll=true&limit=50`), 200],
    [
      'GET /session-memory/{sessionId}/events/{eventId}',
      (a) => a.get(`${base}/session-memory/probe/events/${probeEventId}`),
      200,
    ],
    [
      'DELETE /session-memory/{sessionId}/events/{eventId}',
      (a) => a.delete(`${base}/session-memory/probe/events/${'a'.repeat(32)}`),
      404,
    ],
    ['DELETE /session-memory/{sessionId}', (a) => a.delete(`${base}/session-memory/missing-session`), 404],
    [
      'GET /session-memory/{sessionId}/promotion (40 events)',
      (a) => a.get(`${base}/session-memory/read-me/promotion`),
      200,
    ],
    [
      'GET /long-term-memory/{memoryId}/sources (25 of 40 live events, with evidence)',
      (a) => a.get(`${base}/long-term-memory/traced/sources`),
      200,
    ],
    [
      'POST /long-term-memory with a replayed Idempotency-Key',
      () => api.post(`${base}/long-term-memory`, { memories: [{ ...traced, id: 'keyed' }] }, keyed),
      201,
    ],
    // Promote now with nothing pending: the status read alone. With events pending it adds one SQS
    // send, whose jobs the local consumer then works on concurrently, muddying both columns here.
    [
      'POST /session-memory/{sessionId}/promotion (nothing pending)',
      (a) => a.post(`${base}/session-memory/promoted/promotion`),
      202,
    ],
    ['GET /namespaces/{namespaceId} (3 deep)', (a) => a.get(`${base}/namespaces/${leafId}`), 200],
    [
      'GET /namespaces?scope=PERSONAL&ownerId (50 of 51)',
      (a) => a.get(`${base}/namespaces?scope=PERSONAL&ownerId=user-1&limit=50`),
      200,
    ],
    [
      'GET /namespaces?parentId (50 of 51, 2 deep)',
      (a) => a.get(`${base}/namespaces?parentId=${kitchenId}&limit=50`),
      200,
    ],
    [
      'POST /long-term-memory/move (10 memories)',
      (a) =>
        a.post(`${base}/long-term-memory/move`, {
          memoryIds: moveIds,
          namespaceRef: { namespaceId: moveTargets[++moves % 2] },
        }),
      200,
    ],
  ];

  const figures: EndpointFigures[] = [];
  for (const [endpoint, call, expected] of endpoints) {
    figures.push(await measureEndpoint(stack, endpoint, () => call(api), { calls, warmups: 5, expected }));
  }
  return figures;
}

/**
 * One endpoint's figures: the Redis requests of its first call (a fresh client's script cache
 * misses), then `warmups` calls unmeasured, then `calls` timed one at a time. A call that answers
 * another status than `expected` (when given) stops the benchmark: a figure of failing calls
 * would measure the wrong thing.
 */
export async function measureEndpoint(
  stack: LocalStack,
  endpoint: string,
  call: () => Promise<unknown>,
  options: { readonly calls: number; readonly warmups: number; readonly expected?: number },
): Promise<EndpointFigures> {
  const checked = async () => {
    const response = await call();
    const status = (response as { status?: unknown } | undefined)?.status;
    if (options.expected !== undefined && status !== options.expected) {
      throw new Error(`${endpoint} answered ${String(status)}, expected ${options.expected}`);
    }
  };
  stack.upstash.resetStats();
  await checked();
  const firstCallTrips = stack.upstash.stats.httpRequests;
  for (let i = 0; i < options.warmups; i++) await checked();
  stack.upstash.resetStats();
  const latencies: number[] = [];
  for (let i = 0; i < options.calls; i++) {
    const started = performance.now();
    await checked();
    latencies.push(performance.now() - started);
  }
  return {
    endpoint,
    calls: options.calls,
    redisRoundTrips: round(stack.upstash.stats.httpRequests / options.calls, 2),
    redisRoundTripsFirstCall: firstCallTrips,
    p50Ms: round(percentile(latencies, 50), 2),
    p95Ms: round(percentile(latencies, 95), 2),
  };
}

export interface ConsumerFigures {
  readonly messages: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
}

/** Promotion jobs through SQS and the consumer handler (which, for now, records each job). */
export async function measureConsumer(stack: LocalStack, messages: number): Promise<ConsumerFigures> {
  const consumer = stack.consumer;
  if (!consumer) throw new Error('the local stack runs no consumer');
  const sqs = createSqsClient({
    region: stack.sqs.region,
    endpoint: stack.sqs.endpoint,
    credentials: stack.sqs.credentials,
  });
  await consumer.drain(60_000);
  const started = performance.now();
  for (let i = 0; i < messages; i += 10) {
    const entries = Array.from({ length: Math.min(10, messages - i) }, (_, j) => ({
      Id: String(j),
      MessageBody: JSON.stringify(
        promotionJob({
          storeId: 'bench-store',
          sessionId: `listed-${(i + j) % 50}`,
          windowStartedAt: Date.now(),
          dueAt: Date.now(),
        }),
      ),
    }));
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: stack.promotionQueue.queueUrl, Entries: entries }),
    );
  }
  await consumer.drain(120_000);
  const seconds = (performance.now() - started) / 1000;
  sqs.destroy();
  return { messages, seconds: round(seconds, 2), messagesPerSecond: round(messages / seconds, 1) };
}

/** The per-endpoint table `npm run bench` prints. */
export function formatEndpointTable(
  figures: readonly EndpointFigures[],
  format: (header: string[], rows: string[][]) => string,
): string {
  return format(
    ['endpoint', 'redis round trips', 'first call', 'p50 ms', 'p95 ms'],
    figures.map((e) => [
      e.endpoint,
      String(e.redisRoundTrips),
      String(e.redisRoundTripsFirstCall),
      String(e.p50Ms),
      String(e.p95Ms),
    ]),
  );
}
