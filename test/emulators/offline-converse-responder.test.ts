import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BedrockFake, startBedrockFake } from '../../dev/local-stack/bedrock/server.js';
import { offlineConverseResponder } from '../../dev/local-stack/offline-converse-responder.js';
import { OfflineExtractor } from '../../dev/offline-models/offline-extractor.js';
import { createBedrockRuntimeClient } from '../../lib/adapters/bedrock/bedrock-client.js';
import {
  BedrockConverseExtractor,
  BedrockConverseSummarizer,
} from '../../lib/adapters/bedrock/bedrock-extractor.js';
import type { CustomMemoryType } from '../../lib/contracts/store-config.js';
import type { Embedder } from '../../lib/ports/embedder.js';
import type { ExtractionInput, ExtractionTurn } from '../../lib/ports/memory-extractor.js';

// Converse only: the fake's embedding model is not under test, so a 512-d stand-in keeps this fast.
const unit = () => {
  const v = new Float32Array(512);
  v[0] = 1;
  return v;
};
const noEmbeddings: Embedder = {
  model: { id: 'stand-in', dimensions: 512 },
  embedDocuments: async (texts) => texts.map(unit),
  embedQuery: async () => unit(),
};

let fake: BedrockFake;
beforeAll(async () => {
  fake = await startBedrockFake({
    baseEmbedder: noEmbeddings,
    defaultConverseResponder: offlineConverseResponder(),
  });
});
afterAll(() => fake?.stop());

const at = (minute: number) => Date.UTC(2026, 5, 25, 18, minute);
const turns: ExtractionTurn[] = [
  {
    eventId: 'e1',
    role: 'USER',
    actorId: 'traveller-1',
    createdAt: at(0),
    text: "I'm planning a trip to Japan next month and need help finding some restaurants for the trip.",
  },
  {
    eventId: 'e2',
    role: 'ASSISTANT',
    actorId: 'travel-agent',
    createdAt: at(1),
    text: 'Nice! What cities are you visiting?',
  },
  {
    eventId: 'e3',
    role: 'USER',
    actorId: 'traveller-1',
    createdAt: at(2),
    text: "I'm going to Tokyo and Kyoto. Also, I'm a vegetarian.",
  },
];

describe('the production Bedrock extractor against the fake playing the model offline', () => {
  it('extracts grounded memories with their source turns and reports usage', async () => {
    const client = await createBedrockRuntimeClient({
      region: fake.region,
      endpoint: fake.url,
      credentials: fake.credentials,
    });
    const extractor = new BedrockConverseExtractor({
      client,
      modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
    });
    const result = await extractor.extract({
      ownerId: 'traveller-1',
      strategies: ['discrete'],
      customTypes: [],
      priorSummary: undefined,
      contextTurns: [],
      newTurns: turns,
    });
    const byText = new Map(result.memories.map((m) => [m.text, m]));
    const vegetarian = [...byText.values()].find((m) => /vegetarian/i.test(m.text));
    expect(vegetarian?.sourceEventIds).toEqual(['e3']);
    const trip = [...byText.values()].find((m) => /Japan/.test(m.text));
    expect(trip).toMatchObject({ memoryType: 'episodic', sourceEventIds: ['e1'] });
    expect(trip!.text).toMatch(/July 2026/);
    expect(result.usage.inputTokens).toBeGreaterThan(100);
    expect(result.usage.outputTokens).toBeGreaterThan(0);

    const summarizer = new BedrockConverseSummarizer({
      client,
      modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
    });
    const summary = await summarizer.summarize({ ownerId: 'traveller-1', priorSummary: undefined, turns });
    expect(summary.text).toMatch(/vegetarian/i);
    client.destroy();
  });
});

describe('the offline responder reads the extraction input back from the request', () => {
  const TRIP: CustomMemoryType = {
    name: 'trip_preference',
    description: 'Travel preferences,\nincluding plans',
    fields: [
      { name: 'destinations', description: 'Places (cities, countries)', type: 'list[str]' },
      { name: 'travel_period', description: 'When', type: 'str' },
      { name: 'is_vegetarian', description: 'Whether the traveller eats no meat', type: 'bool' },
    ],
    extractionStrategy: { prompt: 'Keep every city the user names.', enabled: true },
  };
  const base: ExtractionInput = {
    ownerId: 'traveller-1',
    strategies: [],
    customTypes: [],
    priorSummary: undefined,
    contextTurns: [],
    newTurns: turns,
  };

  // What the adapter would have got from the offline extractor called directly (the local stack
  // did that until issue 14): strategies, summary and custom types must all survive the round trip.
  it.each([
    { strategies: ['discrete', 'summary'], customTypes: [TRIP] },
    { strategies: ['discrete', 'preferences'], customTypes: [] },
    { strategies: [], customTypes: [TRIP] },
  ] as const)('$strategies with $customTypes.length custom type(s)', async (variant) => {
    const client = await createBedrockRuntimeClient({
      region: fake.region,
      endpoint: fake.url,
      credentials: fake.credentials,
    });
    const input = { ...base, strategies: [...variant.strategies], customTypes: [...variant.customTypes] };
    const viaFake = await new BedrockConverseExtractor({ client, modelId: 'model' }).extract(input);
    const direct = await new OfflineExtractor().extract(input);
    expect(viaFake.memories).toEqual(direct.memories);
    expect(viaFake.memories.length).toBeGreaterThan(0);
    client.destroy();
  });

  it('gives a dated memory the type the prompt asks for when episodic is not allowed', async () => {
    const client = await createBedrockRuntimeClient({
      region: fake.region,
      endpoint: fake.url,
      credentials: fake.credentials,
    });
    const input = { ...base, strategies: ['summary' as const] };
    const viaFake = await new BedrockConverseExtractor({ client, modelId: 'model' }).extract(input);
    const direct = await new OfflineExtractor().extract(input);
    expect(direct.memories.map((m) => m.memoryType)).toEqual(['episodic']);
    expect(viaFake.memories).toEqual(direct.memories.map((m) => ({ ...m, memoryType: 'semantic' })));
    client.destroy();
  });
});
