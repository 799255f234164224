import type { MemoryFilter } from '../../lib/contracts/long-term-memory.js';
import { mapBounded } from '../retrieval/harness.js';
import { CATEGORY_NAMES, type Conversation } from '../retrieval/locomo.js';
import { breakdown, type QuestionOutcome, type RecallFigures } from '../retrieval/metrics.js';
import { percentile, round } from '../stats.js';
import { type Api, send } from './http.js';
import { ownerIdOf, splitsOf } from './plan.js';

/** The read side of bench:recall: the questions, the searches per view, and figures per split. */

/** Results per search: the reference's default page, and bench:retrieval's. */
export const SEARCH_LIMIT = 10;

/**
 * What the product path's store is searched for, on top of the owner filter. Conversation records
 * (promotion writes every USER/ASSISTANT turn as `memoryType: "conversation"`) sit beside the
 * extracted facts; each view shows what one kind, or both, find.
 */
export const VIEWS = {
  facts: { memoryType: { ne: 'conversation' } },
  conversation: { memoryType: { eq: 'conversation' } },
  both: {},
} as const satisfies Record<string, MemoryFilter>;
export type ViewName = keyof typeof VIEWS;

export interface BenchQuestion {
  readonly sampleId: string;
  readonly ownerId: string;
  readonly question: string;
  readonly category: number;
  readonly evidence: readonly string[];
}

/** Categories 1–4 of each conversation (the loader drops 5), the first `maxPerConversation` if set. */
export function benchQuestions(
  conversations: readonly Conversation[],
  maxPerConversation = Number.POSITIVE_INFINITY,
): BenchQuestion[] {
  return conversations.flatMap((c) =>
    c.questions
      .slice(0, maxPerConversation)
      .map((q) => ({ ...q, sampleId: c.sampleId, ownerId: ownerIdOf(c) })),
  );
}

export interface ScoredQuestion extends QuestionOutcome {
  readonly sampleId: string;
}

export interface SearchRun {
  readonly outcomes: readonly ScoredQuestion[];
  /** Per search call through the local stack, at the given concurrency. */
  readonly latencyMs: { readonly p50: number; readonly p95: number };
  readonly memoriesReturned: number;
}

/**
 * Searches every question (hybrid, the default mode; owner filter plus `filter`; limit 10) and
 * turns each result's `sourceRefs` into turn ids with `turnsOf`.
 */
export async function searchQuestions(
  api: Api,
  storeId: string,
  questions: readonly BenchQuestion[],
  options: {
    readonly filter: MemoryFilter;
    readonly turnsOf: (sourceRefs: readonly string[] | undefined) => string[];
    readonly concurrency: number;
  },
): Promise<SearchRun> {
  const durations: number[] = [];
  let memoriesReturned = 0;
  const outcomes = await mapBounded(questions, options.concurrency, async (q): Promise<ScoredQuestion> => {
    const sent = performance.now();
    const response = await send(
      () =>
        api.post(`/v1/stores/${storeId}/long-term-memory/search`, {
          text: q.question,
          filter: { ownerId: { eq: q.ownerId }, ...options.filter },
          limit: SEARCH_LIMIT,
        }),
      200,
      `search in ${storeId}`,
    );
    durations.push(performance.now() - sent);
    const items = response.body.items as Array<{ sourceRefs?: string[] }>;
    memoriesReturned += items.length;
    return {
      sampleId: q.sampleId,
      category: q.category,
      evidence: q.evidence,
      retrieved: items.map((item) => options.turnsOf(item.sourceRefs)),
    };
  });
  return {
    outcomes,
    latencyMs: { p50: round(percentile(durations, 50), 1), p95: round(percentile(durations, 95), 1) },
    memoriesReturned,
  };
}

/** Figures (overall and per category) for each split that has questions: tune, held-out, all. */
export function figuresBySplit(
  outcomes: readonly ScoredQuestion[],
): Record<string, Record<string, RecallFigures>> {
  const bySplit = new Map<string, ScoredQuestion[]>();
  for (const outcome of outcomes) {
    for (const split of splitsOf(outcome.sampleId)) {
      const list = bySplit.get(split) ?? [];
      list.push(outcome);
      bySplit.set(split, list);
    }
  }
  const out: Record<string, Record<string, RecallFigures>> = {};
  for (const split of ['tune', 'held-out', 'all']) {
    const list = bySplit.get(split);
    if (list) out[split] = breakdown(list);
  }
  return out;
}

/** Table rows: one per view and split; turn recall @5/@10 overall, then per category. */
export function recallRows(
  results: Readonly<Record<string, Record<string, Record<string, RecallFigures>>>>,
): { header: string[]; rows: string[][] } {
  const categories = [1, 2, 3, 4];
  const header = [
    'view',
    'split',
    'questions',
    'turn R@5',
    'turn R@10',
    ...categories.map((c) => `${c} ${CATEGORY_NAMES[c]} @5/@10`),
  ];
  const rows: string[][] = [];
  for (const [view, splits] of Object.entries(results)) {
    for (const [split, figures] of Object.entries(splits)) {
      const all = figures.all!;
      rows.push([
        view,
        split,
        String(all.questions),
        fmt(all.turnRecall[5]!),
        fmt(all.turnRecall[10]!),
        ...categories.map((c) => {
          const f = figures[String(c)];
          return f ? `${fmt(f.turnRecall[5]!)}/${fmt(f.turnRecall[10]!)}` : '-';
        }),
      ]);
    }
  }
  return { header, rows };
}

function fmt(value: number): string {
  return value.toFixed(3);
}
