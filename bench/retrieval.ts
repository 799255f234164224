import { parseArgs } from 'node:util';
import { apiClient } from '../dev/api-client.js';
import { startLocalStack } from '../dev/local-stack/local-stack.js';
import type { SearchMode } from '../lib/contracts/long-term-memory.js';
import { formatTable } from '../scripts/format-table.js';
import {
  cachedUseLite,
  mapBounded,
  sanitizeId,
  secondsSince as seconds,
  selectConversations,
  writeResults,
} from './retrieval/harness.js';
import { CATEGORY_NAMES, type Conversation, loadLocomo, turnText } from './retrieval/locomo.js';
import { breakdown, KS, type QuestionOutcome, type RecallFigures } from './retrieval/metrics.js';
import { percentile, round } from './stats.js';

/**
 * `npm run bench:retrieval`: evidence recall on the LoCoMo development split through the real API.
 *
 * Each conversation is one owner of one store; every turn becomes one long-term memory (bulk
 * create), text "Speaker: words [shares <image caption>]", session `<owner>-D<n>`, the turn's dia_id
 * as its source ref and the session's date as `occurredAt`. Every question of categories 1–4 is
 * searched (owner filter, limit 10) in each search mode, and the source refs of the results are
 * scored against the question's evidence (see retrieval/metrics.ts). Prints a table and writes
 * bench/results/retrieval-latest.json (and appends to retrieval-history.jsonl).
 *
 * Options: `--conversations <n | id,id>` (first n, or those sample ids), `--modes hybrid,keyword`,
 * `--concurrency <n>` (searches in flight, default 4), `--no-write` (print only), `--label <text>`
 * (stored with the results). Embeddings of the Bedrock fake's base model are cached on disk in
 * `$AGENT_MEMORY_CACHE/embeddings` (default ~/.cache/agent-memory/embeddings), so reruns skip them.
 */
const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string' },
    modes: { type: 'string', default: 'keyword,semantic,hybrid' },
    concurrency: { type: 'string', default: '4' },
    'no-write': { type: 'boolean', default: false },
    label: { type: 'string' },
  },
});
const MODES = args.modes!.split(',').map((m) => m.trim()) as SearchMode[];
for (const mode of MODES) {
  if (!['keyword', 'semantic', 'hybrid'].includes(mode)) throw new Error(`unknown search mode ${mode}`);
}
const CONCURRENCY = Math.max(1, Number(args.concurrency));
const STORE_ID = 'locomo';
const TURN_SPACING_MS = 30_000;

process.env.LOG_LEVEL ??= 'warn';
const log = (line: string) => process.stderr.write(`[bench:retrieval] ${line}\n`);
const started = performance.now();

const all = await loadLocomo();
const conversations = selectConversations(all, args.conversations);

const baseEmbedder = cachedUseLite();

const stack = await startLocalStack({
  runConsumer: false,
  apiKeyCacheSeconds: 60,
  bedrockBaseEmbedder: baseEmbedder,
  onProgress: log,
});
const results: Record<string, Record<string, RecallFigures>> = {};
const timings: Record<string, number> = {};
/** Per search call through the local stack, at `--concurrency` calls in flight. */
const latencyMs: Record<string, { p50: number; p95: number }> = {};
try {
  await stack.createStore(STORE_ID);
  const api = apiClient(stack.apiUrl, await stack.mintApiKey({ [STORE_ID]: ['read', 'write'] }));
  const base = `/v1/stores/${STORE_ID}/long-term-memory`;

  let t0 = performance.now();
  let turns = 0;
  for (const conversation of conversations) {
    const records = conversationRecords(conversation);
    turns += records.length;
    for (let i = 0; i < records.length; i += 100) {
      const response = await api.post(base, { memories: records.slice(i, i + 100) });
      const errors = response.body?.errors ?? [];
      if (response.status >= 300 || errors.length > 0) {
        throw new Error(
          `bulk create failed (${response.status}): ${JSON.stringify(response.body).slice(0, 500)}`,
        );
      }
    }
  }
  timings.ingestSeconds = seconds(t0);
  log(`ingested ${turns} turns of ${conversations.length} conversations in ${timings.ingestSeconds} s`);

  const questions = conversations.flatMap((c) => c.questions.map((q) => ({ ...q, ownerId: ownerIdOf(c) })));
  for (const mode of MODES) {
    t0 = performance.now();
    const durations: number[] = [];
    const outcomes = await mapBounded(questions, CONCURRENCY, async (q): Promise<QuestionOutcome> => {
      const sent = performance.now();
      const response = await api.post(`${base}/search`, {
        text: q.question,
        filter: { ownerId: { eq: q.ownerId } },
        limit: 10,
        searchMode: mode,
      });
      if (response.status !== 200) {
        throw new Error(`search failed (${response.status}): ${JSON.stringify(response.body).slice(0, 500)}`);
      }
      durations.push(performance.now() - sent);
      const items = response.body.items as Array<{ sourceRefs?: string[] }>;
      return {
        category: q.category,
        evidence: q.evidence,
        retrieved: items.map((item) => item.sourceRefs ?? []),
      };
    });
    timings[`${mode}Seconds`] = seconds(t0);
    latencyMs[mode] = { p50: round(percentile(durations, 50), 1), p95: round(percentile(durations, 95), 1) };
    results[mode] = breakdown(outcomes);
    log(`${mode}: ${questions.length} questions in ${timings[`${mode}Seconds`]} s`);
  }
} finally {
  await stack.stop();
}
timings.totalSeconds = seconds(started);

const rows: string[][] = [];
for (const mode of MODES) {
  for (const [key, f] of Object.entries(results[mode]!)) {
    rows.push([
      mode,
      key === 'all' ? 'all' : `${key} ${CATEGORY_NAMES[Number(key)]}`,
      String(f.questions),
      ...KS.flatMap((k) => [fmt(f.turnRecall[k]!), fmt(f.turnAnyHit[k]!)]),
      ...KS.flatMap((k) => [fmt(f.sessionRecall[k]!), fmt(f.sessionAnyHit[k]!)]),
    ]);
  }
}
console.log(
  `\nLoCoMo evidence recall (${conversations.map((c) => c.sampleId).join(', ')}; limit 10, owner filter)`,
);
console.log(
  formatTable(
    [
      'mode',
      'category',
      'questions',
      'turn R@5',
      'any@5',
      'turn R@10',
      'any@10',
      'sess R@5',
      'any@5',
      'sess R@10',
      'any@10',
    ],
    rows,
  ),
);
const cache = baseEmbedder.stats;
console.log(
  `\nembeddings: ${cache.misses} computed, ${cache.storeHits} from the disk cache, ${cache.memoryHits} from memory; ` +
    `time: ingest ${timings.ingestSeconds} s, ${MODES.map((m) => `${m} ${timings[`${m}Seconds`]} s`).join(', ')}, ` +
    `total ${timings.totalSeconds} s`,
);
console.log(
  `search latency at concurrency ${CONCURRENCY}: ${MODES.map((m) => `${m} p50 ${latencyMs[m]!.p50} ms, p95 ${latencyMs[m]!.p95} ms`).join('; ')}`,
);

if (!args['no-write']) {
  const result = {
    at: new Date().toISOString(),
    ...(args.label ? { label: args.label } : {}),
    node: process.version,
    machine: { cpus: (await import('node:os')).cpus().length },
    conversations: conversations.map((c) => c.sampleId),
    limit: 10,
    results,
    timings,
    latencyMs,
    concurrency: CONCURRENCY,
    embeddings: { ...cache },
  };
  console.log(`written to ${await writeResults('retrieval', result)}`);
}

// ---------------------------------------------------------------------------------------------

function ownerIdOf(conversation: Conversation): string {
  return sanitizeId(conversation.sampleId);
}

/**
 * One memory per turn. The data gives one time per session, so turn i is stamped
 * `session start + i × 30 s` (only the order matters to the ranking); the speaker is the topic.
 */
function conversationRecords(conversation: Conversation) {
  const ownerId = ownerIdOf(conversation);
  return conversation.sessions.flatMap((session) => {
    const start = session.date ? Date.parse(session.date) : undefined;
    return session.turns.map((turn, i) => ({
      id: sanitizeId(`${ownerId}-${turn.diaId}`),
      text: turnText(turn),
      ownerId,
      sessionId: sanitizeId(`${ownerId}-D${session.number}`),
      memoryType: 'episodic',
      topics: [turn.speaker],
      sourceRefs: [turn.diaId],
      ...(start !== undefined ? { occurredAt: new Date(start + i * TURN_SPACING_MS).toISOString() } : {}),
    }));
  });
}

function fmt(value: number): string {
  return value.toFixed(3);
}
