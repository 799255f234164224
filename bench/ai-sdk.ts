/**
 * `npm run bench:ai-sdk`: what automatic memory (@agent-memory/ai-sdk) adds to a model call, through
 * the local API: the time before the model is called (recall: one memory-prompt request) and the
 * time to record the exchange afterwards (two appends, off the answer's path), plus HTTP requests per
 * turn. The model is the AI SDK's mock, answering at once, so the figures are the middleware's own.
 * One owner with `BENCH_MEMORIES` memories (default 1000) and a session that grows by a turn per
 * iteration (`BENCH_TURNS`, default 40). Writes bench/results/ai-sdk-latest.json and appends to
 * ai-sdk-history.jsonl.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { generateText } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { createAgentMemory } from '../ai-sdk/src/index.js';
import { startLocalStack } from '../dev/local-stack/local-stack.js';
import { newApiKeyToken } from '../lib/domain/api-key.js';
import { AgentMemory } from '../sdk/src/index.js';
import { percentile, round } from './stats.js';

const MEMORIES = Number(process.env.BENCH_MEMORIES ?? 1000);
const TURNS = Number(process.env.BENCH_TURNS ?? 40);
const OWNER = 'bench-owner';

process.env.LOG_LEVEL ??= 'error';
const storeId = 'ai-sdk-bench';
const apiKey = newApiKeyToken().token;
const stack = await startLocalStack({ seed: { storeId, apiKey } });
try {
  const client = new AgentMemory({ serverURL: stack.apiUrl, storeId, apiKey });
  const topics = ['food', 'travel', 'work', 'family', 'music'];
  for (let start = 0; start < MEMORIES; start += 100) {
    await client.bulkCreateLongTermMemories({
      memories: Array.from({ length: Math.min(100, MEMORIES - start) }, (_, k) => {
        const i = start + k;
        return {
          id: `m-${i}`,
          ownerId: OWNER,
          text: `Fact ${i}: the user likes ${topics[i % 5]} number ${i}`,
        };
      }),
    });
  }

  let requests = 0;
  const memory = createAgentMemory({
    serverURL: stack.apiUrl,
    storeId,
    apiKey,
    client: {
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    },
  });
  const model = new MockLanguageModelV4({
    doGenerate: async () => ({
      content: [{ type: 'text', text: 'A short answer from the model.' }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: {
        inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: 1, text: 1, reasoning: 0 },
      },
      warnings: [],
    }),
  });

  const bare: number[] = [];
  const wrapped: number[] = [];
  const recording: number[] = [];
  const perTurn: number[] = [];
  const failures: string[] = [];
  const wrappedModel = memory.wrap(model, {
    ownerId: OWNER,
    sessionId: 'bench-session',
    onError: (f) => failures.push(f.phase),
  });
  for (let i = 0; i < TURNS; i++) {
    const prompt = `Turn ${i}: what do I like about ${topics[i % 5]}?`;
    let started = performance.now();
    await generateText({ model, prompt });
    bare.push(performance.now() - started);

    const before = requests;
    started = performance.now();
    await generateText({ model: wrappedModel, prompt });
    wrapped.push(performance.now() - started);
    started = performance.now();
    await memory.flush();
    recording.push(performance.now() - started);
    perTurn.push(requests - before);
  }

  const summary = (values: number[]) => ({
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
  });
  const addedByRecall = bare.map((b, i) => wrapped[i]! - b);
  const result = {
    at: new Date().toISOString(),
    ...(process.env.BENCH_LABEL ? { label: process.env.BENCH_LABEL } : {}),
    node: process.version,
    memories: MEMORIES,
    turns: TURNS,
    msBareCall: summary(bare),
    msWrappedCall: summary(wrapped),
    msAddedBeforeAnswer: summary(addedByRecall),
    msRecordingAfterAnswer: summary(recording),
    requestsPerTurn: { min: Math.min(...perTurn), max: Math.max(...perTurn) },
    failures: failures.length,
  };
  console.log(JSON.stringify(result, null, 2));
  const dir = resolve(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(resolve(dir, 'ai-sdk-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  await appendFile(resolve(dir, 'ai-sdk-history.jsonl'), `${JSON.stringify(result)}\n`);
  console.log('\nwritten to bench/results/ai-sdk-latest.json');
} finally {
  await stack.stop();
}
