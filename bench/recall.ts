import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { apiClient } from '../dev/api-client.js';
import type { BedrockFakeStats } from '../dev/local-stack/bedrock/server.js';
import { startLocalStack } from '../dev/local-stack/local-stack.js';
import { formatTable } from '../scripts/format-table.js';
import { retryCount } from './recall/http.js';
import {
  appendConversation,
  type IngestedSession,
  promoteAndWait,
  storePlainRecords,
} from './recall/ingest.js';
import { SPLITS, TurnIds } from './recall/plan.js';
import {
  benchQuestions,
  figuresBySplit,
  recallRows,
  SEARCH_LIMIT,
  searchQuestions,
  VIEWS,
  type ViewName,
} from './recall/score.js';
import {
  cachedUseLite,
  gitCommit,
  secondsSince,
  selectConversations,
  writeResults,
} from './retrieval/harness.js';
import { LOCOMO_PATH, loadLocomo } from './retrieval/locomo.js';
import type { RecallFigures } from './retrieval/metrics.js';
import { round } from './stats.js';

/**
 * `npm run bench:recall`: turn evidence recall of LoCoMo on the product path (issue 12).
 *
 * Each conversation is stored the way an agent stores one user's chats, through the local stack's
 * real HTTP API: speaker A is the user (the owner), speaker B the assistant; one API session per
 * LoCoMo session, every turn one event (`POST …/session-memory/events`). The service takes a
 * session's owner from its first event's `actorId`, whatever that event's role, so every event
 * carries the user's id as `actorId` and the speaker sets only the role (A USER, B ASSISTANT): a
 * session that B opens is still the user's, and B's words are never the user's. The text is the
 * words plus ` [shares <blip_caption>]` for a shared image, without the speaker's name; `createdAt`
 * is the session's date + 30 s per turn (recall/plan.ts `planSessions`). Then promote-now per
 * session (`POST …/session-memory/{id}/promotion`) and its status polled until every watermark
 * reaches the session's last event. Each question of categories 1–4 is then searched (hybrid, the
 * default; owner filter; limit 10) in three views: extracted facts only (`memoryType ne
 * conversation`), conversation records only (`eq conversation`; none until promotion writes them),
 * both. A turn counts as found when a result's `sourceRefs` names its event (event id -> dia_id
 * kept from the append answers), scored by retrieval/metrics.ts.
 *
 * Baseline in a second store, the plain client: one bulk-created record per turn, text
 * "Speaker: words", `sessionId`, `sourceRefs: [dia_id]`, owner, nothing else; searched the same way.
 *
 * Figures per split (recall/plan.ts SPLITS: tune on conv-26 and conv-30, quote conv-41..43) and
 * for all. Also: extraction tokens and embedding requests (Bedrock fake counters, writes only) per
 * 100 turns, ingest and promotion seconds, search p50/p95. Prints progress on stderr, a table on
 * stdout; writes bench/results/recall-latest.json and appends to recall-history.jsonl.
 *
 * Options: `--conversations <n | id,id>`, `--concurrency <n>` (sessions appended and searches in
 * flight, default 4), `--max-questions <n>` (per conversation: a smoke run), `--data <path>` (same
 * layout as locomo-dev.json; default ../shared/data/locomo/locomo-dev.json), `--promotion-timeout
 * <s>` (default 600), `--no-write`, `--label <text>`. Embeddings are cached on disk as in
 * bench:retrieval, so reruns are fast.
 */
const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    'max-questions': { type: 'string' },
    data: { type: 'string' },
    'promotion-timeout': { type: 'string', default: '600' },
    'no-write': { type: 'boolean', default: false },
    label: { type: 'string' },
  },
});
const CONCURRENCY = positive(args.concurrency!, '--concurrency');
const MAX_QUESTIONS = args['max-questions'] ? positive(args['max-questions'], '--max-questions') : undefined;
const PROMOTION_TIMEOUT_MS = positive(args['promotion-timeout']!, '--promotion-timeout') * 1000;
const DATA_PATH = args.data ? resolve(process.cwd(), args.data) : LOCOMO_PATH;
const PRODUCT_STORE = 'recall';
const PLAIN_STORE = 'recall-plain';

process.env.LOG_LEVEL ??= 'warn';
const log = (line: string) => process.stderr.write(`[bench:recall] ${line}\n`);
const started = performance.now();

const conversations = selectConversations(await loadLocomo(DATA_PATH), args.conversations);
const questions = benchQuestions(conversations, MAX_QUESTIONS);
const baseEmbedder = cachedUseLite();
const stack = await startLocalStack({
  apiKeyCacheSeconds: 60,
  bedrockBaseEmbedder: baseEmbedder,
  onProgress: log,
});

type SplitFigures = Record<string, Record<string, RecallFigures>>;
const results: Record<string, SplitFigures> = {};
const latencyMs: Record<string, { p50: number; p95: number }> = {};
const returned: Record<string, number> = {};
const timings: Record<string, number> = {};
const turnIds = new TurnIds();
let turns = 0;
let sessionCount = 0;
let promotion = { inputTokens: 0, outputTokens: 0, memoriesWritten: 0 };
let embedding = { requests: 0, texts: 0 };
try {
  await stack.createStore(PRODUCT_STORE);
  await stack.createStore(PLAIN_STORE);
  const api = apiClient(
    stack.apiUrl,
    await stack.mintApiKey({ [PRODUCT_STORE]: ['read', 'write'], [PLAIN_STORE]: ['read', 'write'] }),
  );

  // The product path: events, then promotion. Bedrock counters cover only these writes.
  stack.bedrock.resetStats();
  let t0 = performance.now();
  const sessions: IngestedSession[] = [];
  for (const conversation of conversations) {
    const t1 = performance.now();
    const appended = await appendConversation(api, PRODUCT_STORE, conversation, turnIds, CONCURRENCY);
    sessions.push(...appended);
    const events = appended.reduce((sum, s) => sum + s.events, 0);
    turns += events;
    log(
      `ingested ${conversation.sampleId}: ${appended.length} sessions, ${events} events in ${secondsSince(t1)} s`,
    );
  }
  sessionCount = sessions.length;
  timings.ingestSeconds = secondsSince(t0);

  t0 = performance.now();
  promotion = await promoteAndWait(api, PRODUCT_STORE, sessions, {
    concurrency: CONCURRENCY,
    timeoutMs: PROMOTION_TIMEOUT_MS,
    log,
  });
  timings.promotionSeconds = secondsSince(t0);
  embedding = embeddingRequests(stack.bedrock.stats);
  log(
    `promoted ${sessions.length} sessions in ${timings.promotionSeconds} s: ${promotion.memoriesWritten} memories written`,
  );

  t0 = performance.now();
  for (const conversation of conversations) await storePlainRecords(api, PLAIN_STORE, conversation);
  timings.plainIngestSeconds = secondsSince(t0);
  log(`plain client: ${turns} records bulk-created in ${timings.plainIngestSeconds} s`);

  const runs: Array<[string, () => ReturnType<typeof searchQuestions>]> = [
    ...(Object.keys(VIEWS) as ViewName[]).map((view): [string, () => ReturnType<typeof searchQuestions>] => [
      view,
      () =>
        searchQuestions(api, PRODUCT_STORE, questions, {
          filter: VIEWS[view],
          turnsOf: (refs) => turnIds.turnsOf(refs),
          concurrency: CONCURRENCY,
        }),
    ]),
    [
      'plain',
      () =>
        searchQuestions(api, PLAIN_STORE, questions, {
          filter: {},
          turnsOf: (refs) => [...(refs ?? [])],
          concurrency: CONCURRENCY,
        }),
    ],
  ];
  for (const [name, run] of runs) {
    t0 = performance.now();
    const outcome = await run();
    results[name] = figuresBySplit(outcome.outcomes);
    latencyMs[name] = outcome.latencyMs;
    returned[name] = outcome.memoriesReturned;
    timings[`${name}SearchSeconds`] = secondsSince(t0);
    log(`${name}: ${questions.length} questions searched in ${timings[`${name}SearchSeconds`]} s`);
  }
} finally {
  await stack.stop();
}
timings.totalSeconds = secondsSince(started);

const per100 = (value: number) => round((value * 100) / Math.max(1, turns), 1);
const costs = {
  turns,
  sessions: sessionCount,
  memoriesWritten: promotion.memoriesWritten,
  extractionTokens: { input: promotion.inputTokens, output: promotion.outputTokens },
  extractionTokensPer100Turns: per100(promotion.inputTokens + promotion.outputTokens),
  embeddingRequests: embedding.requests,
  embeddedTexts: embedding.texts,
  embeddingRequestsPer100Turns: per100(embedding.requests),
};

const { header, rows } = recallRows(results);
console.log(
  `\nLoCoMo turn evidence recall, product path (${conversations.map((c) => c.sampleId).join(', ')}; ` +
    `hybrid, limit ${SEARCH_LIMIT}, owner filter; splits: tune ${SPLITS.tune.join(', ')}, held-out ${SPLITS['held-out'].join(', ')})`,
);
console.log(formatTable(header, rows));
console.log(
  `\nviews: facts = memoryType ne conversation, conversation = eq conversation, both = no type filter (one store); ` +
    `plain = one record per turn in a second store. Memories returned: ${Object.entries(returned)
      .map(([v, n]) => `${v} ${n}`)
      .join(
        ', ',
      )}; source refs naming no event: ${turnIds.unknownRefs}; requests retried after 424/429/5xx: ${retryCount.value}`,
);
console.log(
  `writes: ${turns} turns in ${sessionCount} sessions; ${promotion.memoriesWritten} memories; extraction tokens ` +
    `${promotion.inputTokens} in + ${promotion.outputTokens} out = ${costs.extractionTokensPer100Turns} per 100 turns; ` +
    `embedding requests ${embedding.requests} (${embedding.texts} texts) = ${costs.embeddingRequestsPer100Turns} per 100 turns`,
);
console.log(
  `time: ingest ${timings.ingestSeconds} s, promotion ${timings.promotionSeconds} s, plain ingest ${timings.plainIngestSeconds} s, ` +
    `total ${timings.totalSeconds} s; search at concurrency ${CONCURRENCY}: ${Object.entries(latencyMs)
      .map(([v, l]) => `${v} p50 ${l.p50} ms, p95 ${l.p95} ms`)
      .join('; ')}`,
);
const cache = baseEmbedder.stats;
console.log(
  `embeddings: ${cache.misses} computed, ${cache.storeHits} from the disk cache, ${cache.memoryHits} from memory`,
);

if (!args['no-write']) {
  const commit = gitCommit();
  const result = {
    at: new Date().toISOString(),
    ...(commit ? { commit } : {}),
    ...(args.label ? { label: args.label } : {}),
    node: process.version,
    machine: { cpus: cpus().length },
    data: args.data ? DATA_PATH : 'locomo-dev',
    conversations: conversations.map((c) => c.sampleId),
    splits: SPLITS,
    questions: questions.length,
    ...(MAX_QUESTIONS ? { maxQuestionsPerConversation: MAX_QUESTIONS } : {}),
    limit: SEARCH_LIMIT,
    searchMode: 'hybrid',
    results,
    costs,
    timings,
    latencyMs,
    concurrency: CONCURRENCY,
    retriedRequests: retryCount.value,
    embeddingCache: { ...cache },
  };
  console.log(`written to ${await writeResults('recall', result)}`);
}

// ---------------------------------------------------------------------------------------------

/** Embedding requests the Bedrock fake answered (every InvokeModel model; Converse is counted apart). */
function embeddingRequests(stats: BedrockFakeStats): { requests: number; texts: number } {
  let requests = 0;
  let texts = 0;
  for (const model of Object.values(stats.models)) {
    requests += model.requests;
    texts += model.texts;
  }
  return { requests, texts };
}

function positive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return n;
}
