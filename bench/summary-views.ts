/**
 * Summary-view refreshes through the local stack (decision record 0020): a write goes through the
 * API, marks the view's partition, the refresh job crosses the view-refresh queue (SQS emulator) to
 * its consumer, which reads the partition's memories from Redis and calls the model through the
 * Bedrock adapter (the fake's offline view summarizer). Reported: latency from the first write of a
 * burst to the partition's `ready` (polled every 20 ms, so figures carry up to 20 ms of polling), and
 * the model tokens each refresh cost, for incremental refreshes (a burst of new memories folded into
 * the result) and full ones (a manual refresh over every memory of the partition). Measures only.
 *
 *   tsx bench/summary-views.ts    # BENCH_VIEW_ROUNDS bursts [20], BENCH_VIEW_MEMORIES per full refresh [100]
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { apiClient } from '../dev/api-client.js';
import { type LocalStack, startLocalStack } from '../dev/local-stack/local-stack.js';
import { cachedUseLiteEmbedder } from '../dev/offline-models/cached-use-lite.js';
import { isMainModule } from '../scripts/main-module.js';
import { percentile, round } from './stats.js';

const BURST = 5;

export interface ViewRefreshFigures {
  readonly mode: 'incremental' | 'full';
  readonly refreshes: number;
  /** Memories each refresh gave the model (incremental: the burst; full: the whole partition). */
  readonly memoriesPerRefresh: number;
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
  readonly inputTokensPerRefresh: number;
  readonly outputTokensPerRefresh: number;
}

interface Partition {
  state: string;
  refreshes: number;
  memoryCount: number;
  usage?: { inputTokens: number; outputTokens: number };
}

export async function measureSummaryViews(
  stack: LocalStack,
  rounds: number,
  fullMemories: number,
): Promise<ViewRefreshFigures[]> {
  const storeId = 'bench-views';
  await stack.createStore(storeId, { extractionBudget: { tokensPerDay: 1_000_000_000 } });
  const api = apiClient(stack.apiUrl, await stack.mintApiKey({ [storeId]: ['read', 'write'] }));
  const base = `/v1/stores/${storeId}`;
  const create = async (body: unknown): Promise<string> => {
    const created = await api.post(`${base}/summary-views`, body);
    if (created.status !== 201) throw new Error(`creating a view answered ${created.status}`);
    return created.body.id as string;
  };
  const read = async (viewId: string, ownerId: string): Promise<Partition | undefined> => {
    const answer = await api.get(`${base}/summary-views/${viewId}/partition?ownerId=${ownerId}`);
    return answer.status === 200 ? (answer.body as Partition) : undefined;
  };
  const waitReady = async (viewId: string, ownerId: string, refreshes: number): Promise<Partition> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const p = await read(viewId, ownerId);
      if (p && p.state === 'ready' && p.refreshes >= refreshes) return p;
      if (Date.now() > deadline) throw new Error(`view ${viewId} not ready: ${JSON.stringify(p)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const memory = (owner: string, i: number) => ({
    id: `${owner}-m${i}`,
    ownerId: owner,
    namespace: 'bench',
    text: `${owner} mentioned fact number ${i}: ${['likes hiking', 'is vegetarian', 'owns a cat', 'lives in Porto', 'reads sci-fi'][i % 5]}.`,
  });

  // Continuous, no debounce: the figure is the pipeline itself (a debounce adds its own seconds).
  const continuous = await create({
    name: 'bench profile',
    groupBy: ['ownerId'],
    filters: { namespace: 'bench' },
    refresh: { mode: 'continuous', debounceSeconds: 0 },
  });
  const incremental: number[] = [];
  const incUsage: Array<{ inputTokens: number; outputTokens: number }> = [];
  const owner = 'bench-user';
  let written = 0;
  for (let round = 0; round <= rounds; round++) {
    const started = performance.now();
    const burst = Array.from({ length: BURST }, () => memory(owner, written++));
    await Promise.all(burst.map((m) => api.post(`${base}/long-term-memory`, { memories: [m] })));
    const p = await waitReady(continuous, owner, round + 1);
    // Round 0 is the first, full computation; later bursts fold in incrementally. Writes of one
    // burst may land in two refreshes when the first refresh starts mid-burst: counted as they come.
    while ((await read(continuous, owner))!.memoryCount < written)
      await new Promise((r) => setTimeout(r, 20));
    const done = (await read(continuous, owner))!;
    if (round > 0) {
      incremental.push(performance.now() - started);
      incUsage.push(done.usage ?? p.usage ?? { inputTokens: 0, outputTokens: 0 });
    }
  }
  const refreshesIncremental = (await read(continuous, owner))!.refreshes - 1;

  // Full refreshes of a manual view over `fullMemories` memories of one owner.
  const manual = await create({
    name: 'bench full',
    groupBy: ['ownerId'],
    filters: { namespace: 'bench-full' },
  });
  const fullOwner = 'bench-full-user';
  for (let i = 0; i < fullMemories; i += 100) {
    const batch = Array.from({ length: Math.min(100, fullMemories - i) }, (_, j) => ({
      ...memory(fullOwner, i + j),
      namespace: 'bench-full',
    }));
    await api.post(`${base}/long-term-memory`, { memories: batch });
  }
  const full: number[] = [];
  const fullUsage: Array<{ inputTokens: number; outputTokens: number }> = [];
  const fullRounds = Math.max(3, Math.ceil(rounds / 4));
  for (let round = 0; round < fullRounds; round++) {
    // A changed definition makes the next refresh a full one (a new revision).
    if (round > 0) await api.patch(`${base}/summary-views/${manual}`, { instructions: `Variant ${round}.` });
    const started = performance.now();
    await api.post(`${base}/summary-views/${manual}/refresh`, { group: { ownerId: fullOwner } });
    const p = await waitReady(manual, fullOwner, round + 1);
    full.push(performance.now() - started);
    fullUsage.push(p.usage ?? { inputTokens: 0, outputTokens: 0 });
  }

  const figures = (
    mode: ViewRefreshFigures['mode'],
    latencies: number[],
    usage: Array<{ inputTokens: number; outputTokens: number }>,
    memoriesPerRefresh: number,
    refreshes: number,
  ): ViewRefreshFigures => ({
    mode,
    refreshes,
    memoriesPerRefresh,
    latencyP50Ms: round(percentile(latencies, 50), 1),
    latencyP95Ms: round(percentile(latencies, 95), 1),
    inputTokensPerRefresh: round(usage.reduce((s, u) => s + u.inputTokens, 0) / Math.max(1, usage.length), 1),
    outputTokensPerRefresh: round(
      usage.reduce((s, u) => s + u.outputTokens, 0) / Math.max(1, usage.length),
      1,
    ),
  });
  return [
    figures('incremental', incremental, incUsage, BURST, refreshesIncremental),
    figures('full', full, fullUsage, Math.min(fullMemories, 200), fullRounds),
  ];
}

export function formatViewTable(rows: readonly ViewRefreshFigures[]): string {
  const header =
    'mode         refreshes  memories/refresh  write→ready p50 ms  p95 ms  input tok/refresh  output tok/refresh';
  const lines = rows.map(
    (r) =>
      `${r.mode.padEnd(12)} ${String(r.refreshes).padStart(9)}  ${String(r.memoriesPerRefresh).padStart(16)}  ${String(r.latencyP50Ms).padStart(18)}  ${String(r.latencyP95Ms).padStart(6)}  ${String(r.inputTokensPerRefresh).padStart(17)}  ${String(r.outputTokensPerRefresh).padStart(18)}`,
  );
  return [header, ...lines].join('\n');
}

if (isMainModule(import.meta.url)) {
  const rounds = Number(process.env.BENCH_VIEW_ROUNDS ?? 20);
  const fullMemories = Number(process.env.BENCH_VIEW_MEMORIES ?? 100);
  process.env.LOG_LEVEL ??= 'warn';
  const stack = await startLocalStack({
    apiKeyCacheSeconds: 60,
    bedrockBaseEmbedder: cachedUseLiteEmbedder(),
  });
  let rows: ViewRefreshFigures[];
  try {
    rows = await measureSummaryViews(stack, rounds, fullMemories);
  } finally {
    await stack.stop();
  }
  console.log('\nSummary-view refreshes (offline view summarizer behind the Bedrock fake)');
  console.log(formatViewTable(rows));
  const result = { at: new Date().toISOString(), node: process.version, rounds, fullMemories, views: rows };
  const dir = resolve(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(resolve(dir, 'views-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  await appendFile(resolve(dir, 'views-history.jsonl'), `${JSON.stringify(result)}\n`);
  console.log('written to bench/results/views-latest.json');
}
