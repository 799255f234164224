import type { ExtractedMemory, ExtractionTurn } from '../../../lib/ports/memory-extractor.js';
import { formatDay } from './dates.js';
import { extractStatements, type Statement } from './statements.js';

/** Summaries stay within this many characters (prior summary included). */
export const MAX_SUMMARY_CHARS = 800;

export function isOwnerStatementTurn(turn: ExtractionTurn, ownerId: string): boolean {
  return turn.role === 'USER' && turn.actorId === ownerId;
}

// =============================================================================================
// Summaries

function firstSentence(text: string): string {
  const sentences = text
    .replace(/\s+/g, ' ')
    .trim()
    .split(/(?<=[.!?…])\s+/);
  const chosen = sentences.find((s) => s.split(' ').length >= 3) ?? sentences[0] ?? '';
  return chosen.length > 200 ? `${chosen.slice(0, 199).replace(/\s+\S*$/, '')}…` : chosen;
}

interface SummaryLine {
  readonly text: string;
  /** 0: the user's own statements (kept first); 1: everything else. */
  readonly rank: 0 | 1;
}

function summaryLines(ownerId: string, turns: readonly ExtractionTurn[]): SummaryLine[] {
  const lines: SummaryLine[] = [];
  for (const turn of turns) {
    if (turn.role === 'SYSTEM' || !turn.text.trim()) continue;
    if (isOwnerStatementTurn(turn, ownerId)) {
      const statements = extractStatements(turn);
      if (statements.length) {
        for (const s of statements) lines.push({ text: `${s.text}.`, rank: 0 });
        continue;
      }
    }
    const sentence = firstSentence(turn.text);
    if (!sentence) continue;
    const verb = /\?$/.test(sentence) ? 'asked' : 'said';
    const who =
      turn.role === 'ASSISTANT' ? 'The assistant' : turn.actorId === ownerId ? 'The user' : turn.actorId;
    lines.push({ text: `${who} ${verb}: ${sentence}`, rank: 1 });
  }
  return lines;
}

/**
 * The running summary: the prior summary (its beginning, the earliest and often most defining
 * statements, as much as fits), then a line per new statement of the user and per other turn. New
 * lines take precedence over the prior summary; when they alone exceed {@link MAX_SUMMARY_CHARS}, the
 * lines of other speakers go first, then the user's oldest.
 */
export function summarizeTurns(
  ownerId: string,
  priorSummary: string | undefined,
  turns: readonly ExtractionTurn[],
): string {
  const prior = (priorSummary ?? '').trim();
  const priorLines = new Set(prior.split('\n').map((l) => l.trim()));
  let lines = summaryLines(ownerId, turns).filter((l) => !priorLines.has(l.text));
  const size = (ls: readonly SummaryLine[]) => ls.reduce((sum, l) => sum + l.text.length + 1, 0);
  for (const rank of [1, 0] as const) {
    while (size(lines) > MAX_SUMMARY_CHARS && lines.some((l) => l.rank === rank)) {
      const index = lines.findIndex((l) => l.rank === rank);
      lines = lines.filter((_, i) => i !== index);
    }
  }
  let fresh = lines.map((l) => l.text).join('\n');
  if (fresh.length > MAX_SUMMARY_CHARS)
    fresh = `${fresh.slice(0, MAX_SUMMARY_CHARS - 1).replace(/\s+\S*$/, '')}…`;
  const budget = MAX_SUMMARY_CHARS - fresh.length - (fresh ? 1 : 0);
  let kept = '';
  if (prior && budget >= 40) {
    if (prior.length <= budget) kept = prior;
    else {
      for (const line of prior.split('\n')) {
        if (kept.length + line.length + 1 > budget) break;
        kept = kept ? `${kept}\n${line}` : line;
      }
      if (!kept) kept = `${prior.slice(0, budget - 1).replace(/\s+\S*$/, '')}…`;
    }
  }
  return [kept, fresh].filter(Boolean).join('\n');
}

export function summaryMemory(
  ownerId: string,
  turns: readonly ExtractionTurn[],
  statements: readonly Statement[],
): ExtractedMemory | undefined {
  const text = summarizeTurns(ownerId, undefined, turns);
  const first = turns[0];
  if (!text || !first) return undefined;
  return {
    text: `Conversation on ${formatDay(first.createdAt)}: ${text.replace(/\n/g, ' ')}`,
    memoryType: 'episodic',
    topics: [...new Set(statements.flatMap((s) => s.topics))].slice(0, 6),
    entities: [...new Set(statements.flatMap((s) => s.entities))],
    sourceEventIds: turns.filter((t) => t.role !== 'SYSTEM').map((t) => t.eventId),
  };
}
