/**
 * `npm run bench:extraction`: the promotion figures.
 * 1. Model tokens per 100 conversation turns on the LoCoMo dev conversations, extracting the way
 *    the consumer does (one run per session of the conversation: its turns as new turns, the 6
 *    before as context, the running summary), through the production Converse extractor against
 *    the Bedrock fake playing the model offline (tokens counted as characters / 4). Linear growth
 *    shows as a flat tokens-per-turn figure from the first third of a conversation to the last.
 * 2. Consumer throughput (promotion jobs/s) through the local stack: Bedrock Converse via the fake
 *    (the offline extractor playing the model) at 0 ms and 800 ms per model call. Each configuration
 *    runs in a fresh process (a function's configuration is read once per cold start). Until issue 14
 *    the local stack could also call the offline extractor directly ("offline" in older results).
 * Measures only. Writes bench/results/extraction-latest.json and appends to extraction-history.jsonl.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startBedrockFake } from '../dev/local-stack/bedrock/server.js';
import { offlineConverseResponder } from '../dev/local-stack/offline-converse-responder.js';
import { createBedrockRuntimeClient } from '../lib/adapters/bedrock/bedrock-client.js';
import {
  BedrockConverseExtractor,
  BedrockConverseSummarizer,
} from '../lib/adapters/bedrock/bedrock-extractor.js';
import { CONTEXT_TURNS } from '../lib/domain/promotion/window.js';
import type { Embedder } from '../lib/ports/embedder.js';
import type { ExtractionTurn } from '../lib/ports/memory-extractor.js';
import { loadLocomo, turnText } from './retrieval/locomo.js';
import { round } from './stats.js';

const unit = () => {
  const v = new Float32Array(512);
  v[0] = 1;
  return v;
};
/** The fake's embeddings are not used here; a stand-in keeps USE-Lite out of this benchmark. */
const noEmbeddings: Embedder = {
  model: { id: 'stand-in', dimensions: 512 },
  embedDocuments: async (texts) => texts.map(unit),
  embedQuery: async () => unit(),
};

async function tokensPerHundredTurns() {
  const conversations = await loadLocomo();
  const fake = await startBedrockFake({
    baseEmbedder: noEmbeddings,
    defaultConverseResponder: offlineConverseResponder(),
  });
  const client = await createBedrockRuntimeClient({
    region: fake.region,
    endpoint: fake.url,
    credentials: fake.credentials,
  });
  const modelId = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
  const extractor = new BedrockConverseExtractor({ client, modelId });
  const summarizer = new BedrockConverseSummarizer({ client, modelId });
  const perConversation = [];
  const thirds = [
    { turns: 0, tokens: 0 },
    { turns: 0, tokens: 0 },
    { turns: 0, tokens: 0 },
  ];
  let totalTurns = 0;
  let totalIn = 0;
  let totalOut = 0;
  let memories = 0;
  try {
    for (const conversation of conversations) {
      const owner = conversation.speakers[0];
      const all: ExtractionTurn[] = [];
      let summary: string | undefined;
      let inTokens = 0;
      let outTokens = 0;
      const turnCount = conversation.sessions.reduce((n, s) => n + s.turns.length, 0);
      for (const session of conversation.sessions) {
        const start = session.date ? Date.parse(session.date) : Date.UTC(2023, 0, session.number);
        const newTurns: ExtractionTurn[] = session.turns.map((turn, i) => ({
          eventId: turn.diaId.replace(/[^A-Za-z0-9]/g, ''),
          role: turn.speaker === owner ? 'USER' : 'ASSISTANT',
          actorId: turn.speaker.replace(/[^A-Za-z0-9-]/g, '-'),
          text: turnText(turn),
          createdAt: start + i * 30_000,
        }));
        const position = all.length;
        const result = await extractor.extract({
          ownerId: owner.replace(/[^A-Za-z0-9-]/g, '-'),
          strategies: ['discrete'],
          customTypes: [],
          priorSummary: summary,
          contextTurns: all.slice(-CONTEXT_TURNS),
          newTurns,
        });
        const folded = await summarizer.summarize({ ownerId: owner, priorSummary: summary, turns: newTurns });
        summary = folded.text;
        const used =
          result.usage.inputTokens +
          result.usage.outputTokens +
          folded.usage.inputTokens +
          folded.usage.outputTokens;
        inTokens += result.usage.inputTokens + folded.usage.inputTokens;
        outTokens += result.usage.outputTokens + folded.usage.outputTokens;
        memories += result.memories.length;
        const third = thirds[Math.min(2, Math.floor((3 * position) / turnCount))]!;
        third.turns += newTurns.length;
        third.tokens += used;
        all.push(...newTurns);
      }
      totalTurns += all.length;
      totalIn += inTokens;
      totalOut += outTokens;
      perConversation.push({
        conversation: conversation.sampleId,
        turns: all.length,
        inputTokens: inTokens,
        outputTokens: outTokens,
        tokensPer100Turns: round(((inTokens + outTokens) / all.length) * 100, 0),
      });
    }
  } finally {
    client.destroy();
    await fake.stop();
  }
  return {
    turns: totalTurns,
    memories,
    inputTokensPer100Turns: round((totalIn / totalTurns) * 100, 0),
    outputTokensPer100Turns: round((totalOut / totalTurns) * 100, 0),
    tokensPer100TurnsByThird: thirds.map((t) => round((t.tokens / t.turns) * 100, 0)),
    perConversation,
  };
}

function throughputRun(latencyMs: number) {
  return new Promise<{
    provider: string;
    modelLatencyMs: number;
    jobs: number;
    seconds: number;
    jobsPerSecond: number;
  }>((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(import.meta.dirname, 'consumer-throughput.ts'), String(latencyMs)],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'error' } },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) => {
      if (code !== 0) fail(new Error(`consumer-throughput exited with ${code}`));
      else done(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

const tokens = await tokensPerHundredTurns();
console.log(
  `\nExtraction tokens on LoCoMo (${tokens.turns} turns, ${tokens.memories} memories): ` +
    `${tokens.inputTokensPer100Turns} input + ${tokens.outputTokensPer100Turns} output tokens per 100 turns`,
);
console.log(
  `Per 100 turns by position in the conversation (first, middle, last third): ${tokens.tokensPer100TurnsByThird.join(', ')}`,
);
const throughput = [];
for (const latency of [0, 800]) {
  const run = await throughputRun(latency);
  throughput.push(run);
  console.log(
    `Consumer, Bedrock Converse via the fake, ${latency} ms per model call: ${run.jobs} jobs in ${run.seconds} s = ${run.jobsPerSecond} jobs/s`,
  );
}

const result = { at: new Date().toISOString(), node: process.version, tokens, throughput };
const dir = resolve(import.meta.dirname, 'results');
await mkdir(dir, { recursive: true });
await writeFile(resolve(dir, 'extraction-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
await appendFile(resolve(dir, 'extraction-history.jsonl'), `${JSON.stringify(result)}\n`);
console.log('\nwritten to bench/results/extraction-latest.json');
