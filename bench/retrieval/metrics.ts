import { sessionOf } from './locomo.js';

/** Cut-offs reported. */
export const KS = [5, 10] as const;

/** One question's outcome: its evidence and the source turns of each retrieved memory, best first. */
export interface QuestionOutcome {
  readonly category: number;
  readonly evidence: readonly string[];
  readonly retrieved: ReadonlyArray<readonly string[]>;
}

export interface RecallFigures {
  readonly questions: number;
  /** Keyed by k: mean share of evidence turns (sessions) found in the top k, and any-hit rate. */
  readonly turnRecall: Record<number, number>;
  readonly turnAnyHit: Record<number, number>;
  readonly sessionRecall: Record<number, number>;
  readonly sessionAnyHit: Record<number, number>;
}

/**
 * The data set's definitions: a retrieved memory counts for the turns it came from (its source
 * refs); turn recall@k is the share of a question's evidence turns among the sources of the top k,
 * averaged over questions; any-hit@k whether at least one was; session recall the same with turns
 * replaced by their sessions.
 */
export function recallFigures(outcomes: readonly QuestionOutcome[]): RecallFigures {
  const turnRecall: Record<number, number> = {};
  const turnAnyHit: Record<number, number> = {};
  const sessionRecall: Record<number, number> = {};
  const sessionAnyHit: Record<number, number> = {};
  for (const k of KS) {
    let tr = 0;
    let ta = 0;
    let sr = 0;
    let sa = 0;
    for (const o of outcomes) {
      const turns = new Set(o.retrieved.slice(0, k).flat());
      const sessions = new Set([...turns].map(sessionOf));
      const evidenceSessions = [...new Set(o.evidence.map(sessionOf))];
      const foundTurns = o.evidence.filter((e) => turns.has(e)).length;
      const foundSessions = evidenceSessions.filter((s) => sessions.has(s)).length;
      tr += foundTurns / o.evidence.length;
      ta += foundTurns > 0 ? 1 : 0;
      sr += foundSessions / evidenceSessions.length;
      sa += foundSessions > 0 ? 1 : 0;
    }
    const n = Math.max(1, outcomes.length);
    turnRecall[k] = round(tr / n);
    turnAnyHit[k] = round(ta / n);
    sessionRecall[k] = round(sr / n);
    sessionAnyHit[k] = round(sa / n);
  }
  return { questions: outcomes.length, turnRecall, turnAnyHit, sessionRecall, sessionAnyHit };
}

/** Overall and per category (1–4). */
export function breakdown(outcomes: readonly QuestionOutcome[]): Record<string, RecallFigures> {
  const out: Record<string, RecallFigures> = { all: recallFigures(outcomes) };
  for (const category of [1, 2, 3, 4]) {
    const subset = outcomes.filter((o) => o.category === category);
    if (subset.length > 0) out[String(category)] = recallFigures(subset);
  }
  return out;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
