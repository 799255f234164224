import { apiClient } from '../dev/api-client.js';
import type { LocalStack } from '../dev/local-stack/local-stack.js';
import { createBedrockRuntimeClient } from '../lib/adapters/bedrock/bedrock-client.js';
import { BedrockTitanEmbedder } from '../lib/adapters/bedrock/bedrock-embedders.js';
import { type EndpointFigures, measureEndpoint } from './endpoints.js';
import { percentile } from './stats.js';

export interface LongTermFigures {
  readonly records: number;
  readonly ingestSeconds: number;
  readonly ingestRecordsPerSecond: number;
  /** Upstash REST requests per bulk call of 100 records. */
  readonly roundTripsPerBulkCreate: number;
  readonly endpoints: EndpointFigures[];
  /** Query embedding alone (Titan client -> Bedrock fake), part of every text search above. */
  readonly queryEmbeddingP50Ms: number;
  readonly queryEmbeddingP95Ms: number;
}

const SUBJECTS = ['The user', 'Their partner', 'Their manager', 'Their sister', 'The team', 'Their doctor'];
const VERBS = [
  'likes',
  'avoids',
  'is planning',
  'mentioned',
  'booked',
  'asked about',
  'recommended',
  'dislikes',
];
const OBJECTS = [
  'vegetarian restaurants in Kyoto',
  'a trip to Lisbon in spring',
  'early morning flights',
  'jazz concerts',
  'a new running routine',
  'Thai food with extra chili',
  'a quiet hotel near the station',
  'learning Japanese',
  'hiking in the Alps',
  'a budget under 2000 dollars',
  'window seats',
  'museum passes',
  'oat milk lattes',
  'a golden retriever named Max',
  'weekly piano lessons',
  'remote work on Fridays',
  'a dentist appointment',
  'gluten-free bakeries',
  'sailing lessons',
  'a birthday party in July',
];
export const QUERIES = [
  'dietary restrictions',
  'upcoming travel plans',
  'what music do they enjoy',
  'pets',
  'health appointments',
  'work schedule',
  'hobbies and sports',
  'budget for the trip',
  'coffee preferences',
  'language learning',
];

/** Deterministic, varied memory texts (so the indexes see a realistic vocabulary). */
export function memoryText(i: number): string {
  const s = SUBJECTS[i % SUBJECTS.length]!;
  const v = VERBS[Math.floor(i / SUBJECTS.length) % VERBS.length]!;
  const o = OBJECTS[Math.floor(i / (SUBJECTS.length * VERBS.length)) % OBJECTS.length]!;
  return `${s} ${v} ${o} (note ${i}).`;
}

/**
 * Long-term memory through the local stack: ingest `records` memories for one owner, then
 * latency and round trips of the long-term endpoints (and of the memory prompt, which reads a
 * 40-turn session of that owner besides) at that size. Search latency excludes the
 * query embedding (warm function cache); the embedding is measured apart with the same client
 * against the same fake.
 */
export async function measureLongTerm(
  stack: LocalStack,
  records: number,
  calls: number,
): Promise<LongTermFigures> {
  const storeId = 'bench-ltm';
  await stack.createStore(storeId);
  const api = apiClient(stack.apiUrl, await stack.mintApiKey({ [storeId]: ['read', 'write'] }));
  const base = `/v1/stores/${storeId}/long-term-memory`;

  const ingestStarted = performance.now();
  let bulkCalls = 0;
  stack.upstash.resetStats();
  for (let start = 0; start < records; start += 100) {
    const memories = Array.from({ length: Math.min(100, records - start) }, (_, j) => ({
      id: `m-${start + j}`,
      ownerId: 'owner-1',
      namespace: 'personal',
      text: memoryText(start + j),
      topics: [OBJECTS[(start + j) % OBJECTS.length]!.split(' ')[0]!],
    }));
    const response = await api.post(base, { memories });
    if (response.status !== 201 || response.body.errors.length > 0) {
      throw new Error(`bulk create answered ${response.status}`);
    }
    bulkCalls += 1;
  }
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  const roundTripsPerBulkCreate = stack.upstash.stats.httpRequests / bulkCalls;

  // The memory prompt reads a session of the same owner: 40 turns of ~200 characters.
  const sessionId = 'prompt-session';
  for (let i = 0; i < 40; i++) {
    const appended = await api.post(`/v1/stores/${storeId}/session-memory/events`, {
      sessionId,
      actorId: i % 2 === 0 ? 'owner-1' : 'agent-1',
      namespace: 'personal',
      role: i % 2 === 0 ? 'USER' : 'ASSISTANT',
      content: [
        { text: `Turn ${i}: ${'Could you find a quiet hotel near the station for our trip? '.repeat(3)}` },
      ],
      createdAt: new Date(Date.UTC(2026, 5, 25, 18, 0, i)).toISOString(),
    });
    if (appended.status !== 201) throw new Error(`append answered ${appended.status}`);
  }
  const promptPath = `/v1/stores/${storeId}/memory-prompt`;

  let q = 0;
  const nextQuery = () => QUERIES[q++ % QUERIES.length]!;
  const scoped = { filter: { ownerId: { eq: 'owner-1' }, namespace: { eq: 'personal' } }, limit: 10 };
  const endpoints: Array<[string, () => Promise<{ status: number }>, number]> = [
    [
      'POST /long-term-memory/search semantic',
      () => api.post(`${base}/search`, { ...scoped, text: nextQuery(), searchMode: 'semantic' }),
      200,
    ],
    [
      'POST /long-term-memory/search keyword',
      () => api.post(`${base}/search`, { ...scoped, text: nextQuery(), searchMode: 'keyword' }),
      200,
    ],
    [
      'POST /long-term-memory/search hybrid',
      () => api.post(`${base}/search`, { ...scoped, text: nextQuery(), searchMode: 'hybrid' }),
      200,
    ],
    // The memory prompt: hybrid search (the default) plus the session read, packed into 4,000 tokens.
    [
      'POST /memory-prompt, owner given (40 events)',
      () =>
        api.post(promptPath, { sessionId, ownerId: 'owner-1', namespace: 'personal', query: nextQuery() }),
      200,
    ],
    [
      'POST /memory-prompt, owner from the session',
      () => api.post(promptPath, { sessionId, namespace: 'personal', query: nextQuery() }),
      200,
    ],
    [
      'POST /memory-prompt, no session',
      () => api.post(promptPath, { ownerId: 'owner-1', namespace: 'personal', query: nextQuery() }),
      200,
    ],
    [
      'POST /long-term-memory/search filter-only',
      () => api.post(`${base}/search`, { ...scoped, filter: { ...scoped.filter, topics: { eq: 'jazz' } } }),
      200,
    ],
    [
      'POST /long-term-memory/search all owners',
      () => api.post(`${base}/search`, { text: nextQuery(), limit: 10 }),
      200,
    ],
    ['GET /long-term-memory/{memoryId}', () => api.get(`${base}/m-${q++ % records}`), 200],
    [
      'PATCH /long-term-memory/{memoryId} topics',
      () => api.patch(`${base}/m-${q++ % records}`, { topics: ['edited'] }),
      200,
    ],
    [
      'PATCH /long-term-memory/{memoryId} text',
      () => api.patch(`${base}/m-${q++ % records}`, { text: memoryText(q + records) }),
      200,
    ],
    [
      'POST /long-term-memory (1 record)',
      () =>
        api.post(base, {
          memories: [{ id: `new-${q++}`, ownerId: 'owner-1', namespace: 'personal', text: memoryText(q) }],
        }),
      201,
    ],
    [
      'DELETE /long-term-memory (1 id)',
      () => api.delete(base, { memoryIds: [`new-${q++ - calls - 5}`] }),
      200,
    ],
  ];
  const figures: EndpointFigures[] = [];
  for (const [endpoint, call, expected] of endpoints) {
    // Every query once first, so the measured calls find their query vector in the function's
    // cache: search latency below excludes query embedding, which is measured on its own at the end.
    figures.push(await measureEndpoint(stack, endpoint, call, { calls, warmups: QUERIES.length, expected }));
  }

  // Query embedding alone: a fresh Titan client (no in-process cache) against the same fake.
  const client = await createBedrockRuntimeClient({
    region: stack.bedrock.region,
    endpoint: stack.bedrock.url,
    credentials: stack.bedrock.credentials,
  });
  const titan = new BedrockTitanEmbedder({ client });
  const embedLatencies: number[] = [];
  // Salted per run: the fake's base embedder may be file-cached, and a cached text measures nothing.
  const salt = Date.now().toString(36);
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await titan.embedQuery(`${nextQuery()} ${salt} ${i}`);
    embedLatencies.push(performance.now() - started);
  }
  client.destroy();

  return {
    records,
    ingestSeconds: Number(ingestSeconds.toFixed(2)),
    ingestRecordsPerSecond: Number((records / ingestSeconds).toFixed(1)),
    roundTripsPerBulkCreate: Number(roundTripsPerBulkCreate.toFixed(2)),
    endpoints: figures,
    queryEmbeddingP50Ms: Number(percentile(embedLatencies, 50).toFixed(2)),
    queryEmbeddingP95Ms: Number(percentile(embedLatencies, 95).toFixed(2)),
  };
}
