import { generateText, isStepCount, streamText, type ToolSet } from 'ai';
import { convertArrayToReadableStream, MockLanguageModelV4 } from 'ai/test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AgentMemoryConfigError,
  type AutoMemoryFailure,
  createAgentMemory,
  MEMORY_TAG,
} from '../../ai-sdk/src/index.js';
import { AgentMemory } from '../../sdk/src/index.js';
import { uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

/**
 * @agent-memory/ai-sdk against the local stack (API Gateway adapter, handlers, Upstash, Redis), with
 * the AI SDK's mock language model standing in for the provider: what the model receives, what
 * lands in the session, and what happens when the memory service is down or slow.
 */

const stack = useLocalStack();
afterEach(() => {
  stack().upstash.clearFaults();
  vi.unstubAllEnvs();
});

const OWNER = 'traveller-1';
/** Retries of the recordings, short so the outage tests end quickly. */
const FAST_RETRY = { initialDelayMs: 10, maxDelayMs: 50 };

async function newStore() {
  const storeId = uniqueStoreId('aisdk');
  await stack().createStore(storeId);
  const apiKey = await stack().mintApiKey({ [storeId]: ['read', 'write'] });
  const client = new AgentMemory({ serverURL: stack().apiUrl, apiKey, storeId });
  const memory = createAgentMemory({
    serverURL: stack().apiUrl,
    storeId,
    apiKey,
    client: { retry: FAST_RETRY },
  });
  return { storeId, apiKey, client, memory };
}

const USAGE = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};
const STOP = { unified: 'stop' as const, raw: 'stop' };

/** A mock model that answers `text` (generate and stream) and keeps every prompt it received. */
function mockModel(text: string) {
  return new MockLanguageModelV4({
    doGenerate: async () => ({
      content: [{ type: 'text', text }],
      finishReason: STOP,
      usage: USAGE,
      warnings: [],
    }),
    doStream: async () => ({
      stream: convertArrayToReadableStream([
        { type: 'stream-start', warnings: [] },
        { type: 'text-start', id: 't1' },
        ...text.split(/(?<= )/).map((delta) => ({ type: 'text-delta' as const, id: 't1', delta })),
        { type: 'text-end', id: 't1' },
        { type: 'finish', finishReason: STOP, usage: USAGE },
      ]),
    }),
  });
}

/** The text of every part of a received prompt's messages, by role. */
function received(model: MockLanguageModelV4, call = 0, kind: 'generate' | 'stream' = 'generate') {
  const calls = kind === 'generate' ? model.doGenerateCalls : model.doStreamCalls;
  const prompt = calls[call]!.prompt;
  const textOf = (message: (typeof prompt)[number]) =>
    typeof message.content === 'string'
      ? message.content
      : message.content.map((part) => ('text' in part ? part.text : '')).join('\n');
  return {
    system: prompt.filter((m) => m.role === 'system').map(textOf),
    user: prompt.filter((m) => m.role === 'user').map(textOf),
    last: textOf(prompt.at(-1)!),
    roles: prompt.map((m) => m.role),
  };
}

async function seedMemory(client: AgentMemory, id: string, text: string, ownerId = OWNER) {
  const { created } = await client.bulkCreateLongTermMemories({ memories: [{ id, ownerId, text }] });
  expect(created).toEqual([id]);
}

async function eventsOf(client: AgentMemory, sessionId: string) {
  const session = await client.getSessionMemory(sessionId);
  return session.events.map((e) => ({ role: e.role, actorId: e.actorId, text: e.content[0]?.text }));
}

describe('createAgentMemory', () => {
  it('reads the three settings from the environment', async () => {
    const { storeId, apiKey } = await newStore();
    vi.stubEnv('AGENT_MEMORY_URL', stack().apiUrl);
    vi.stubEnv('AGENT_MEMORY_STORE_ID', storeId);
    vi.stubEnv('AGENT_MEMORY_API_KEY', apiKey);
    const memory = createAgentMemory();
    expect(memory.storeId).toBe(storeId);
    expect(await memory.client.storeHealth()).toMatchObject({ status: 'healthy' });
  });

  it('names every missing setting and its environment variable', () => {
    vi.stubEnv('AGENT_MEMORY_URL', '');
    vi.stubEnv('AGENT_MEMORY_STORE_ID', '');
    vi.stubEnv('AGENT_MEMORY_API_KEY', '');
    const error = (() => {
      try {
        createAgentMemory({ storeId: 'given' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AgentMemoryConfigError);
    expect((error as AgentMemoryConfigError).missing).toEqual(['AGENT_MEMORY_URL', 'AGENT_MEMORY_API_KEY']);
    expect((error as Error).message).toMatch(
      /serverURL is missing .*AGENT_MEMORY_URL.*apiKey is missing .*AGENT_MEMORY_API_KEY/,
    );
  });
});

describe('automatic memory (wrapLanguageModel middleware)', () => {
  it('generateText: the model receives the recalled memory and history as delimited data in the user turn; both messages land in the session', async () => {
    const { client, memory } = await newStore();
    await seedMemory(client, 'veg', 'The user is a vegetarian');
    await seedMemory(client, 'other-owner', 'The user is allergic to peanuts', 'someone-else');
    for (const [role, text] of [
      ['USER', "I'm going to Tokyo and Kyoto next month."],
      ['ASSISTANT', 'Lovely, I will plan for both cities.'],
    ] as const) {
      await client.addSessionEvent({
        sessionId: 'trip',
        actorId: role === 'USER' ? OWNER : 'assistant',
        role,
        content: [{ text }],
        createdAt: new Date(),
      });
    }
    const failures: AutoMemoryFailure[] = [];
    const model = mockModel('Try Shigetsu in Arashiyama: fully vegetarian.');
    const result = await generateText({
      model: memory.wrap(model, { ownerId: OWNER, sessionId: 'trip', onError: (f) => failures.push(f) }),
      system: 'You are a travel agent.',
      prompt: 'Where should we eat in Kyoto? I am a vegetarian, remember?',
    });
    expect(result.text).toBe('Try Shigetsu in Arashiyama: fully vegetarian.');

    const prompt = received(model);
    // The application's system prompt is untouched: memory never becomes instructions.
    expect(prompt.system).toEqual(['You are a travel agent.']);
    expect(prompt.roles).toEqual(['system', 'user']);
    expect(prompt.last.startsWith(MEMORY_TAG.open)).toBe(true);
    const block = prompt.last.slice(0, prompt.last.indexOf(MEMORY_TAG.close));
    expect(block).toContain('"The user is a vegetarian"');
    expect(block).toContain(`USER: "I'm going to Tokyo and Kyoto next month."`);
    expect(block).toContain('ASSISTANT: "Lovely, I will plan for both cities."');
    // Another owner's memory is not recalled.
    expect(block).not.toContain('peanuts');
    // The user's own message follows the block, unchanged.
    expect(prompt.last.endsWith('Where should we eat in Kyoto? I am a vegetarian, remember?')).toBe(true);

    await memory.flush();
    expect(failures).toEqual([]);
    expect(await eventsOf(client, 'trip')).toEqual([
      { role: 'USER', actorId: OWNER, text: "I'm going to Tokyo and Kyoto next month." },
      { role: 'ASSISTANT', actorId: 'assistant', text: 'Lovely, I will plan for both cities.' },
      { role: 'USER', actorId: OWNER, text: 'Where should we eat in Kyoto? I am a vegetarian, remember?' },
      { role: 'ASSISTANT', actorId: 'assistant', text: 'Try Shigetsu in Arashiyama: fully vegetarian.' },
    ]);
  });

  it("a conversation's first turn (no session yet) recalls the owner's memories, records the turn, and the next turn restores it", async () => {
    const { client, memory } = await newStore();
    await seedMemory(client, 'veg', 'The user is a vegetarian');
    const failures: AutoMemoryFailure[] = [];
    const options = {
      ownerId: OWNER,
      sessionId: 'fresh',
      onError: (f: AutoMemoryFailure) => failures.push(f),
    };

    const first = mockModel('Noted: Osaka in May.');
    await generateText({ model: memory.wrap(first, options), prompt: 'I am going to Osaka in May.' });
    expect(received(first).last).toContain('"The user is a vegetarian"');

    // No flush in between: the next turn's recall waits for the previous turn's recording.
    const second = mockModel('Kuromon market has vegetarian stalls.');
    await generateText({ model: memory.wrap(second, options), prompt: 'Any food tips?' });
    const block = received(second).last;
    expect(block).toContain('USER: "I am going to Osaka in May."');
    expect(block).toContain('ASSISTANT: "Noted: Osaka in May."');

    await memory.flush();
    expect(failures).toEqual([]);
    expect((await eventsOf(client, 'fresh')).map((e) => e.text)).toEqual([
      'I am going to Osaka in May.',
      'Noted: Osaka in May.',
      'Any food tips?',
      'Kuromon market has vegetarian stalls.',
    ]);
    expect((await client.getSessionMemory('fresh')).ownerId).toBe(OWNER);
  });

  it('streamText: the streamed answer is recorded after the stream finishes', async () => {
    const { client, memory } = await newStore();
    await seedMemory(client, 'veg', 'The user is a vegetarian');
    const failures: AutoMemoryFailure[] = [];
    const model = mockModel('Here are three vegetarian places in Kyoto.');
    const result = streamText({
      model: memory.wrap(model, { ownerId: OWNER, sessionId: 'streamed', onError: (f) => failures.push(f) }),
      prompt: 'Where can I eat in Kyoto?',
    });
    let streamed = '';
    for await (const delta of result.textStream) streamed += delta;
    expect(streamed).toBe('Here are three vegetarian places in Kyoto.');
    expect(received(model, 0, 'stream').last).toContain('"The user is a vegetarian"');

    await memory.flush();
    expect(failures).toEqual([]);
    expect(await eventsOf(client, 'streamed')).toEqual([
      { role: 'USER', actorId: OWNER, text: 'Where can I eat in Kyoto?' },
      { role: 'ASSISTANT', actorId: 'assistant', text: 'Here are three vegetarian places in Kyoto.' },
    ]);
  });

  it('a caller that sends the conversation itself gets only long-term memories; only the new exchange is recorded', async () => {
    const { client, memory } = await newStore();
    await seedMemory(client, 'veg', 'The user is a vegetarian');
    await client.addSessionEvent({
      sessionId: 'chat',
      actorId: OWNER,
      role: 'USER',
      content: [{ text: 'Earlier message already in the caller history' }],
      createdAt: new Date(),
    });
    const model = mockModel('Sure.');
    await generateText({
      model: memory.wrap(model, { ownerId: OWNER, sessionId: 'chat' }),
      messages: [
        { role: 'user', content: 'Earlier message already in the caller history' },
        { role: 'assistant', content: 'An earlier answer' },
        { role: 'user', content: 'And now?' },
      ],
    });
    const prompt = received(model);
    expect(prompt.last).toContain('"The user is a vegetarian"');
    expect(prompt.last).not.toContain('<recent-conversation>');
    // The earlier user message reaches the model once, as the caller sent it.
    expect(prompt.user[0]).toBe('Earlier message already in the caller history');
    await memory.flush();
    expect((await eventsOf(client, 'chat')).map((e) => e.text)).toEqual([
      'Earlier message already in the caller history',
      'And now?',
      'Sure.',
    ]);
  });

  it('a tool loop (generateText with memory tools): every step sees the memory, the turn is recorded once', async () => {
    const { client, memory } = await newStore();
    await seedMemory(client, 'veg', 'The user is a vegetarian');
    let step = 0;
    const model = new MockLanguageModelV4({
      doGenerate: async () =>
        step++ === 0
          ? {
              content: [
                {
                  type: 'tool-call',
                  toolCallId: 'c1',
                  toolName: 'saveMemory',
                  input: JSON.stringify({ text: 'The user is visiting Kyoto' }),
                },
              ],
              finishReason: { unified: 'tool-calls' as const, raw: 'tool_use' },
              usage: USAGE,
              warnings: [],
            }
          : {
              content: [{ type: 'text', text: 'Saved your trip.' }],
              finishReason: STOP,
              usage: USAGE,
              warnings: [],
            },
    });
    const scope = { ownerId: OWNER, sessionId: 'loop' };
    const failures: AutoMemoryFailure[] = [];
    const result = await generateText({
      model: memory.wrap(model, { ...scope, onError: (f) => failures.push(f) }),
      tools: memory.tools(scope),
      prompt: 'I am visiting Kyoto.',
      stopWhen: isStepCount(3),
    });
    expect(result.text).toBe('Saved your trip.');
    expect(model.doGenerateCalls).toHaveLength(2);
    // The second step's prompt is rebuilt by the AI SDK from the original messages: memory is added again.
    for (const call of [0, 1]) {
      const user = received(model, call).user.at(-1)!;
      expect(user).toContain('"The user is a vegetarian"');
      expect(user.endsWith('I am visiting Kyoto.')).toBe(true);
    }
    await memory.flush();
    expect(failures).toEqual([]);
    expect((await eventsOf(client, 'loop')).map((e) => [e.role, e.text])).toEqual([
      ['USER', 'I am visiting Kyoto.'],
      ['ASSISTANT', 'Saved your trip.'],
    ]);
    const saved = await client.searchLongTermMemory({ filter: { ownerId: { eq: OWNER } } });
    expect(saved.items.map((m) => m.text).sort()).toEqual([
      'The user is a vegetarian',
      'The user is visiting Kyoto',
    ]);
  });

  it('a recording the database refuses at first is retried with its idempotency key: stored once, nothing reported', async () => {
    const { client, apiKey, storeId } = await newStore();
    const statuses: number[] = [];
    const memory = createAgentMemory({
      serverURL: stack().apiUrl,
      storeId,
      apiKey,
      client: {
        retry: FAST_RETRY,
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (init.method === 'POST' && input.endsWith('/session-memory/events'))
            statuses.push(response.status);
          return response;
        },
      },
    });
    const appendCommand = new RegExp(`^EVAL(SHA)? \\S+ \\d+ am:\\{${storeId}\\}:config `);
    // The user message's append runs but every answer to the service is lost (its Redis client tries
    // three times), so the service answers 424 though it stored the event (as in the SDK's tests).
    stack().upstash.failNext(
      { kind: 'drop', stage: 'before-response' },
      { command: appendCommand, count: 3 },
    );
    const failures: AutoMemoryFailure[] = [];
    await generateText({
      model: memory.wrap(mockModel('Answer.'), {
        ownerId: OWNER,
        sessionId: 'flaky',
        onError: (f) => failures.push(f),
      }),
      prompt: 'Question?',
    });
    await memory.flush();
    expect(failures).toEqual([]);
    expect((await eventsOf(client, 'flaky')).map((e) => e.text)).toEqual(['Question?', 'Answer.']);
    expect(statuses).toEqual([424, 201, 201]);
  });
});

/** Drives one tool call through the AI SDK (a mock model calls the tool, then answers) and returns
 * what the tool produced and what the model was sent back. */
async function callTool(tools: ToolSet, toolName: string, input: unknown) {
  let step = 0;
  const model = new MockLanguageModelV4({
    doGenerate: async () =>
      step++ === 0
        ? {
            content: [{ type: 'tool-call', toolCallId: 'call-1', toolName, input: JSON.stringify(input) }],
            finishReason: { unified: 'tool-calls' as const, raw: 'tool_use' },
            usage: USAGE,
            warnings: [],
          }
        : { content: [{ type: 'text', text: 'ok' }], finishReason: STOP, usage: USAGE, warnings: [] },
  });
  const result = await generateText({ model, tools, prompt: 'go', stopWhen: isStepCount(2) });
  const toolMessage = model.doGenerateCalls[1]?.prompt.find((m) => m.role === 'tool');
  const part = toolMessage?.content[0];
  return {
    // biome-ignore lint/suspicious/noExplicitAny: each test asserts the fields it reads.
    output: result.steps[0]!.toolResults[0]?.output as any,
    toolError: result.steps[0]!.content.find((p) => p.type === 'tool-error'),
    sentToModel: part && part.type === 'tool-result' ? part.output : undefined,
  };
}

describe('memory tools (an AI SDK ToolSet bound to an owner)', () => {
  it('save, search, update and delete go through the AI SDK to the service', async () => {
    const { client, memory } = await newStore();
    const tools = memory.tools({ ownerId: OWNER, sessionId: 'tools-chat' });
    expect(Object.keys(tools).sort()).toEqual([
      'deleteMemory',
      'getSessionHistory',
      'saveMemory',
      'searchMemories',
      'updateMemory',
    ]);

    const saved = await callTool(tools, 'saveMemory', { text: 'The user loves ramen', topics: ['food'] });
    expect(saved.sentToModel).toMatchObject({
      type: 'json',
      value: { saved: { text: 'The user loves ramen' } },
    });
    const id: string = saved.output.saved.id;
    expect(await client.getLongTermMemory(id)).toMatchObject({
      ownerId: OWNER,
      text: 'The user loves ramen',
      topics: ['food'],
      sessionId: 'tools-chat',
    });
    // Saving the same sentence again writes no second memory.
    expect((await callTool(tools, 'saveMemory', { text: 'The user loves ramen' })).output).toEqual({
      saved: { id, text: 'The user loves ramen', alreadySaved: true },
    });
    const all = await client.searchLongTermMemory({ filter: { ownerId: { eq: OWNER } } });
    expect(all.items.map((m) => m.id)).toEqual([id]);

    const found = await callTool(tools, 'searchMemories', { query: 'ramen' });
    expect(found.output.memories.map((m: { id: string; text: string }) => [m.id, m.text])).toEqual([
      [id, 'The user loves ramen'],
    ]);

    const updated = await callTool(tools, 'updateMemory', {
      memoryId: id,
      text: 'The user loves tonkotsu ramen',
    });
    expect(updated.output).toMatchObject({ updated: { id, text: 'The user loves tonkotsu ramen' } });
    expect((await client.getLongTermMemory(id)).text).toBe('The user loves tonkotsu ramen');

    const deleted = await callTool(tools, 'deleteMemory', { memoryId: id });
    expect(deleted.output).toEqual({ deleted: id });
    await expect(client.getLongTermMemory(id)).rejects.toMatchObject({ status: 404 });
  });

  it("another owner's memory is not found and stays as it was; a bad input is a tool error, not an exception", async () => {
    const { client, memory } = await newStore();
    await seedMemory(client, 'theirs', 'Another user fact', 'someone-else');
    const tools = memory.tools({ ownerId: OWNER });
    expect(Object.keys(tools)).not.toContain('getSessionHistory');

    for (const [name, input] of [
      ['updateMemory', { memoryId: 'theirs', text: 'Overwritten' }],
      ['deleteMemory', { memoryId: 'theirs' }],
    ] as const) {
      const { sentToModel } = await callTool(tools, name, input);
      expect(sentToModel).toMatchObject({ type: 'error-json', value: { status: 404, retryable: false } });
    }
    expect((await client.getLongTermMemory('theirs')).text).toBe('Another user fact');
    const found = await callTool(tools, 'searchMemories', { query: 'Another user fact' });
    expect(found.output).toEqual({ memories: [] });

    const bad = await callTool(tools, 'deleteMemory', { memoryId: 'not an id!' });
    expect(bad.toolError).toBeDefined();
  });

  it('getSessionHistory reads the bound session (empty before its first event)', async () => {
    const { client, memory } = await newStore();
    const tools = memory.tools({ ownerId: OWNER, sessionId: 'history' });
    expect((await callTool(tools, 'getSessionHistory', {})).output).toEqual({ events: [], omitted: 0 });
    for (const text of ['one', 'two', 'three']) {
      await client.addSessionEvent({
        sessionId: 'history',
        actorId: OWNER,
        role: 'USER',
        content: [{ text }],
        createdAt: new Date(),
      });
    }
    const { output } = await callTool(tools, 'getSessionHistory', { limit: 2 });
    expect(output.events.map((e: { role: string; text: string }) => [e.role, e.text])).toEqual([
      ['USER', 'two'],
      ['USER', 'three'],
    ]);
    expect(output.omitted).toBe(1);
  });

  it('a memory service that is down is a retryable tool error the model reads', async () => {
    const memory = createAgentMemory({
      serverURL: 'http://127.0.0.1:9',
      storeId: 'down',
      apiKey: 'amk-unused',
      client: { retry: false },
    });
    const { sentToModel } = await callTool(memory.tools({ ownerId: OWNER }), 'searchMemories', {
      query: 'x',
    });
    expect(sentToModel).toMatchObject({ type: 'error-json', value: { retryable: true } });
  });
});

describe('automatic memory when the memory service is down or slow', () => {
  it('an unreachable service: generateText and streamText still answer; the skipped recall and the unrecorded messages are reported', async () => {
    const failures: AutoMemoryFailure[] = [];
    const memory = createAgentMemory({
      serverURL: 'http://127.0.0.1:9',
      storeId: 'down',
      apiKey: 'amk-unused',
      client: { retry: FAST_RETRY },
    });
    const options = {
      ownerId: OWNER,
      sessionId: 'offline',
      recordAttempts: 2,
      onError: (f: AutoMemoryFailure) => failures.push(f),
    };

    const model = mockModel('Still here.');
    const result = await generateText({ model: memory.wrap(model, options), prompt: 'Hello?' });
    expect(result.text).toBe('Still here.');
    expect(received(model).last).toBe('Hello?');

    const streamed = streamText({ model: memory.wrap(model, options), prompt: 'Hello again?' });
    expect(await streamed.text).toBe('Still here.');

    await memory.flush();
    // The second turn's recall waited for the first turn's recording to fail: the order is by turn.
    expect(failures.map((f) => f.phase)).toEqual(['recall', 'record', 'recall', 'record']);
    const records = failures.filter((f) => f.phase === 'record');
    expect(records.map((f) => f.events.map((e) => [e.event.role, e.event.content[0]?.text]))).toEqual([
      [
        ['USER', 'Hello?'],
        ['ASSISTANT', 'Still here.'],
      ],
      [
        ['USER', 'Hello again?'],
        ['ASSISTANT', 'Still here.'],
      ],
    ]);
    // Each unrecorded message carries its idempotency key, so replaying it later cannot duplicate it.
    expect(records.flatMap((f) => f.events.map((e) => e.idempotencyKey))).toHaveLength(4);
    expect(records[0]!.error).toMatchObject({ name: 'NetworkError' });
  });

  it('a service that stopped answering mid-conversation: the answer arrives; replaying the reported messages later stores them', async () => {
    const { client, apiKey, storeId } = await newStore();
    let outage = false;
    // A fetch that hangs while the outage lasts (as a black-holed endpoint does), until aborted.
    const fetchImpl = (input: string, init: RequestInit) =>
      outage
        ? new Promise<Response>((_, reject) => {
            init.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
          })
        : fetch(input, init);
    const memory = createAgentMemory({
      serverURL: stack().apiUrl,
      storeId,
      apiKey,
      client: { retry: FAST_RETRY, fetch: fetchImpl },
    });
    const failures: AutoMemoryFailure[] = [];
    const options = {
      ownerId: OWNER,
      sessionId: 'hung',
      recallTimeoutMs: 300,
      recordTimeoutMs: 200,
      recordAttempts: 2,
      onError: (f: AutoMemoryFailure) => failures.push(f),
    };
    outage = true;
    const result = await generateText({
      model: memory.wrap(mockModel('Answered anyway.'), options),
      prompt: 'Slow?',
    });
    expect(result.text).toBe('Answered anyway.');
    await memory.flush();
    expect(failures.map((f) => f.phase)).toEqual(['recall', 'record']);

    // The service is back: the reported messages are sent again with their keys, once each.
    outage = false;
    const record = failures[1]!;
    if (record.phase !== 'record') throw new Error('expected a record failure');
    for (const { event, idempotencyKey } of [...record.events, ...record.events]) {
      await client.addSessionEvent(event, { idempotencyKey });
    }
    expect((await eventsOf(client, 'hung')).map((e) => e.text)).toEqual(['Slow?', 'Answered anyway.']);
  });

  it('the local stack stopped: the call still answers and the failure is reported', async () => {
    // Last test of the file: it stops the stack (afterAll's stop is then a no-op).
    const { storeId, apiKey } = await newStore();
    const failures: AutoMemoryFailure[] = [];
    const memory = createAgentMemory({
      serverURL: stack().apiUrl,
      storeId,
      apiKey,
      client: { retry: FAST_RETRY },
    });
    await stack().stop();
    const result = await generateText({
      model: memory.wrap(mockModel('Offline answer.'), {
        ownerId: OWNER,
        sessionId: 'stopped',
        recordAttempts: 2,
        onError: (f) => failures.push(f),
      }),
      prompt: 'Anyone there?',
    });
    expect(result.text).toBe('Offline answer.');
    await memory.flush();
    expect(failures.map((f) => f.phase)).toEqual(['recall', 'record']);
  });
});
