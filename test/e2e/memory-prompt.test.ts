import { beforeAll, describe, expect, it } from 'vitest';
import { memoryPromptResponseSchema } from '../../lib/contracts/memory-prompt.js';
import { PROMPT_PREAMBLE, PROMPT_SECTIONS } from '../../lib/domain/memory-prompt.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

const stack = useLocalStack({ visibilityTimeoutSeconds: 2 });

const OWNER = 'traveller-7';

/** Early turns: folded into the summary by the first promotion run. */
const EARLY = [
  'Hello, I need help planning a holiday.',
  'Happy to help. Where would you like to go?',
  'Somewhere in Japan, probably in the autumn.',
  'Autumn in Japan is lovely. Any cities in mind?',
  'Tokyo for sure, maybe Kyoto as well.',
  'Great choices. How long will you stay?',
  'About two weeks in total.',
];
/** Later turns, each long enough that a tight budget has to drop some. */
const LATE = [
  `We land in Tokyo on the third of October. ${'We would like quiet hotels near a station. '.repeat(6)}`,
  `I will look for quiet hotels near Tokyo station. ${'Shall I also check ryokans in Kyoto? '.repeat(6)}`,
  `Yes please, ryokans in Kyoto would be nice. ${'A garden view would be a bonus for us. '.repeat(6)}`,
  `Noted: ryokans with a garden view. ${'I will send a short list with prices tomorrow. '.repeat(6)}`,
];

let storeId = '';
let api: ReturnType<typeof apiClient>;
let prompt: string;
let lateEventTexts: string[] = [];

async function append(text: string, i: number) {
  const response = await api.post(`/v1/stores/${storeId}/session-memory/events`, {
    sessionId: 'trip',
    actorId: i % 2 === 0 ? OWNER : 'travel-agent',
    role: i % 2 === 0 ? 'USER' : 'ASSISTANT',
    content: [{ text }],
    createdAt: new Date(Date.UTC(2026, 8, 1, 9, i)).toISOString(),
  });
  expect(response.status).toBe(201);
}

beforeAll(async () => {
  storeId = uniqueStoreId('prompt');
  await stack().createStore(storeId, {
    // The longest window, so the appends after the first run never trigger a second one mid-test.
    extractionCadence: { activeIntervalSeconds: 600 },
    summarization: {
      enabled: true,
      triggerStrategy: 'event_count',
      eventCount: { threshold: 6, retainCount: 2 },
    },
  });
  api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read'] }));
  const writer = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  prompt = `/v1/stores/${storeId}/memory-prompt`;

  const reader = api;
  api = writer;
  for (const [i, text] of EARLY.entries()) await append(text, i);
  // The first run folds all but the newest two events into the summary.
  await stack().sendPromotionJob(storeId, 'trip');
  await stack().consumer!.drain(30_000);
  for (const [i, text] of LATE.entries()) await append(text, EARLY.length + 1 + i);
  lateEventTexts = [...EARLY.slice(-2), ...LATE];

  const created = await writer.post(`/v1/stores/${storeId}/long-term-memory`, {
    memories: [
      { id: 'veg', ownerId: OWNER, text: 'The user is a vegetarian and loves tofu.' },
      { id: 'onsen', ownerId: OWNER, text: 'The user wants a ryokan with a hot spring in Kyoto.' },
      { id: 'other-ryokan', ownerId: 'someone-else', text: 'The user hates ryokans in Kyoto.' },
    ],
  });
  expect(created.body.errors).toEqual([]);
  api = reader;
});

describe('memory prompt over HTTP', () => {
  it('returns the summary and memories, then the recent events in order, then the query', async () => {
    const response = await api.post(prompt, { sessionId: 'trip', query: 'Which ryokan in Kyoto suits me?' });
    expect(response.status).toBe(200);
    const body = memoryPromptResponseSchema.parse(response.body);

    const [system, ...rest] = body.messages;
    expect(system!.role).toBe('system');
    expect(system!.content.indexOf(PROMPT_PREAMBLE)).toBe(0);
    expect(system!.content).toContain(PROMPT_SECTIONS.summary.open);
    expect(system!.content).toContain(PROMPT_SECTIONS.memories.open);
    expect(system!.content).toContain('- "The user wants a ryokan with a hot spring in Kyoto."');
    // Another owner's memory is not searched: the session's owner is the default.
    expect(system!.content).not.toContain('hates ryokans');
    expect(body.memoryIds).toContain('onsen');
    expect(body.memoryIds).not.toContain('other-ryokan');
    expect(body.ownerId).toBe(OWNER);

    expect(rest.map((m) => m.content)).toEqual([...lateEventTexts, 'Which ryokan in Kyoto suits me?']);
    expect(rest.map((m) => m.role)).toEqual([
      ...['assistant', 'user'], // the two events the summary does not cover
      ...['user', 'assistant', 'user', 'assistant'],
      'user',
    ]);
    expect(body.session).toEqual({
      sessionId: 'trip',
      ownerId: OWNER,
      summary: 'included',
      eventsIncluded: lateEventTexts.length,
      eventsOmitted: 0,
    });
    expect(body.truncated).toBe(false);
    expect(body.usage.tokenBudget).toBe(4000);
    expect(body.usage.estimatedTokens).toBeLessThanOrEqual(4000);
  });

  it('drops the oldest events first to stay within a small budget', async () => {
    const query = 'Which ryokan in Kyoto suits me?';
    const full = (await api.post(prompt, { sessionId: 'trip', query })).body;
    const tokenBudget = full.usage.estimatedTokens - 150;

    const response = await api.post(prompt, { sessionId: 'trip', query, tokenBudget });
    expect(response.status).toBe(200);
    const body = memoryPromptResponseSchema.parse(response.body);
    expect(body.usage).toEqual({ estimatedTokens: expect.any(Number), tokenBudget });
    expect(body.usage.estimatedTokens).toBeLessThanOrEqual(tokenBudget);
    expect(body.truncated).toBe(true);
    expect(body.session!.summary).toBe('included');
    expect(body.memoryIds).toEqual(full.memoryIds);
    expect(body.session!.eventsOmitted).toBeGreaterThan(0);
    expect(body.session!.eventsIncluded + body.session!.eventsOmitted).toBe(lateEventTexts.length);
    const kept = body.messages.slice(1, -1).map((m) => m.content);
    expect(kept).toEqual(lateEventTexts.slice(body.session!.eventsOmitted));
  });

  it("searches the owner the request names instead of the session's", async () => {
    const response = await api.post(prompt, {
      sessionId: 'trip',
      ownerId: 'someone-else',
      query: 'ryokans in Kyoto',
      searchMode: 'keyword',
    });
    expect(response.status).toBe(200);
    expect(response.body.memoryIds).toEqual(['other-ryokan']);
    expect(response.body.ownerId).toBe('someone-else');
    expect(response.body.session.ownerId).toBe(OWNER);

    // An owner without memories: the search reads no records, the session is still read.
    const nobody = await api.post(prompt, { sessionId: 'trip', ownerId: 'nobody', query: 'ryokans' });
    expect(nobody.status).toBe(200);
    expect(nobody.body.memoryIds).toEqual([]);
    expect(nobody.body.session.eventsIncluded).toBe(lateEventTexts.length);
    expect(nobody.body.messages[0].content).toContain(PROMPT_SECTIONS.summary.open);
  });

  it('works without a session: memories and the query only', async () => {
    const response = await api.post(prompt, {
      query: 'What vegetarian food do I like?',
      ownerId: OWNER,
      longTermLimit: 1,
      searchMode: 'keyword',
    });
    expect(response.status).toBe(200);
    const body = memoryPromptResponseSchema.parse(response.body);
    expect(body.session).toBeUndefined();
    expect(body.memoryIds).toEqual(['veg']);
    expect(body.messages).toHaveLength(2);
    expect(body.messages[1]).toEqual({ role: 'user', content: 'What vegetarian food do I like?' });
  });

  it('answers 404 for a session that does not exist', async () => {
    for (const body of [
      { sessionId: 'no-such-session', query: 'hello' },
      { sessionId: 'no-such-session', ownerId: OWNER, query: 'hello' },
    ]) {
      const response = await api.post(prompt, body);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ type: '/errors/resource-not-found', status: 404 });
    }
  });

  it('answers 400 with the bad field for bad input', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'query'],
      [{ query: '   ' }, 'query'],
      [{ query: 'q', tokenBudget: 10 }, 'tokenBudget'],
      [{ query: 'q'.repeat(4000), tokenBudget: 256 }, 'tokenBudget'],
      [{ query: 'q', longTermLimit: 0 }, 'longTermLimit'],
      [{ query: 'q', sessionId: '../trip' }, 'sessionId'],
      [{ query: 'q', limit: 5 }, 'body'],
      [{ query: 'q', ownerId: 'a', filter: { ownerId: { eq: 'b' } } }, 'ownerId'],
    ];
    for (const [body, field] of cases) {
      const response = await api.post(prompt, body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.body.type).toBe('/errors/invalid-data');
      expect(response.body.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
  });

  it("answers 403 to a key for another store, with nothing of the store's", async () => {
    const otherStore = uniqueStoreId('prompt-other');
    await stack().createStore(otherStore);
    const stranger = apiClient(stack().apiUrl, await stack().mintApiKey({ [otherStore]: ['read', 'write'] }));
    const response = await stranger.post(prompt, { sessionId: 'trip', query: 'ryokan' });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ type: '/errors/insufficient-permissions' });
    expect(JSON.stringify(response.body)).not.toContain('ryokan');
  });
});
