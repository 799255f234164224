import type { PromptMessage } from '../contracts/memory-prompt.js';
import { ValidationError } from './errors.js';

/**
 * Pure rules of the memory prompt: how many tokens a text is estimated to cost, how the context is
 * rendered as chat messages, and what is kept when it does not all fit a budget.
 */

/** The chat roles of the answer's messages (the wire type's, from the contract). */
type PromptRole = PromptMessage['role'];

/**
 * A heuristic, not a tokenizer: the service serves many models whose tokenizers differ, and
 * shipping one (with its vocabulary) would cost cold start. It errs on the side of more tokens:
 * - ASCII: 4 characters a token, OpenAI's rule of thumb for English
 *   (https://help.openai.com/en/articles/4936856-what-are-tokens-and-how-to-count-them);
 * - any other UTF-16 unit: a token each (CJK is about one token a character; accented Latin
 *   letters are usually less, so the estimate is high there);
 * - each message: 4 tokens of framing (role, separators), and 3 for the whole prompt (the reply's
 *   priming), as OpenAI's cookbook counts chat messages
 *   (https://cookbook.openai.com/examples/how_to_count_tokens_with_tiktoken).
 */
export const TOKEN_ESTIMATE = {
  asciiCharsPerToken: 4,
  messageOverhead: 4,
  promptOverhead: 3,
} as const;

/** The estimate's fractional weight of a text; additive over concatenation (multiples of 1/4, exact in floating point). */
function weightOf(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 0x80) ascii++;
    else other++;
  }
  return ascii / TOKEN_ESTIMATE.asciiCharsPerToken + other;
}

/** Estimated tokens of a text on its own. */
export function estimateTextTokens(text: string): number {
  return Math.ceil(weightOf(text));
}

/** Estimated tokens of a list of chat messages sent as one prompt (0 for none). */
export function estimatePromptTokens(messages: readonly PromptMessage[]): number {
  if (messages.length === 0) return 0;
  return messages.reduce<number>(
    (sum, message) => sum + TOKEN_ESTIMATE.messageOverhead + estimateTextTokens(message.content),
    TOKEN_ESTIMATE.promptOverhead,
  );
}

// ---- rendering ----

export const PROMPT_HEADINGS = {
  summary: '## Summary of the conversation so far',
  memories: "## Long-term memories relevant to the user's query",
} as const;

const SECTION_SEPARATOR = '\n\n';
const LINE_SEPARATOR = '\n';

export interface PromptMemory {
  readonly id: string;
  readonly text: string;
  /** RFC 3339; shown as its date, so the model can reason about when things happened. */
  readonly occurredAt?: string;
}

export interface PromptEvent {
  readonly role: 'USER' | 'ASSISTANT' | 'SYSTEM';
  /** The event's text parts, joined by a newline. */
  readonly text: string;
}

/** One memory as a list item: `- [2026-06-25] text`, continuation lines indented. */
export function renderMemoryLine(memory: PromptMemory): string {
  const date = memory.occurredAt ? `[${memory.occurredAt.slice(0, 10)}] ` : '';
  return `- ${date}${memory.text.replace(/\r?\n/g, '\n  ')}`;
}

const ROLES: Record<PromptEvent['role'], PromptRole> = {
  USER: 'user',
  ASSISTANT: 'assistant',
  SYSTEM: 'system',
};

/** The system message for a summary and memory lines, or undefined when there is neither. */
export function renderSystemMessage(
  summary: string | undefined,
  memoryLines: readonly string[],
): string | undefined {
  const sections: string[] = [];
  if (summary !== undefined) sections.push(`${PROMPT_HEADINGS.summary}${LINE_SEPARATOR}${summary}`);
  if (memoryLines.length > 0) {
    sections.push([PROMPT_HEADINGS.memories, ...memoryLines].join(LINE_SEPARATOR));
  }
  return sections.length > 0 ? sections.join(SECTION_SEPARATOR) : undefined;
}

// ---- packing ----

export interface PromptSources {
  readonly query: string;
  /** The session summary's text, if the session has one. */
  readonly summary?: string;
  /** The session's events after its summary, oldest first. */
  readonly events: readonly PromptEvent[];
  /** Long-term memories, most relevant first. */
  readonly memories: readonly PromptMemory[];
}

export interface PackedPrompt {
  readonly messages: PromptMessage[];
  /** Ids of the memories in the system message, most relevant first. */
  readonly memoryIds: string[];
  readonly memoriesOmitted: number;
  readonly summary: 'included' | 'omitted' | 'none';
  readonly eventsIncluded: number;
  /** Oldest events left out (events without text are never rendered and not counted). */
  readonly eventsOmitted: number;
  readonly estimatedTokens: number;
  readonly truncated: boolean;
}

/**
 * The estimated tokens of a prompt holding only the query; a 400 naming `tokenBudget` when even
 * that exceeds the budget (checked before any read, and again by {@link packPrompt}).
 */
export function assertQueryFits(query: string, tokenBudget: number): number {
  const needed = estimatePromptTokens([{ role: 'user', content: query }]);
  if (needed > tokenBudget) {
    throw new ValidationError(`The query alone needs about ${needed} tokens, more than tokenBudget`, [
      { field: 'tokenBudget', rule: 'tooSmall', message: `must be at least ${needed} for this query` },
    ]);
  }
  return needed;
}

/**
 * Fits the sources into `tokenBudget` estimated tokens, by priority:
 * 1. the query (must fit, else a 400 naming `tokenBudget`);
 * 2. the session summary, whole or not at all (a cut summary could drop what matters most);
 * 3. the long-term memories in relevance order; one that does not fit is skipped and the next,
 *    shorter one may still fit;
 * 4. the events, newest first, stopping at the first that does not fit, so what is kept is the
 *    most recent, unbroken stretch of the conversation (the oldest are dropped first).
 * Messages come out as: system (summary, then memories), the kept events oldest first, the query.
 * The estimate of the result ({@link estimatePromptTokens}) is never above the budget.
 */
export function packPrompt(sources: PromptSources, tokenBudget: number): PackedPrompt {
  const messageCost = (text: string) => TOKEN_ESTIMATE.messageOverhead + estimateTextTokens(text);
  let used = assertQueryFits(sources.query, tokenBudget);

  // The system message grows section by section; its weight is tracked so that each candidate
  // costs O(its length), not a re-render.
  let systemWeight = 0;
  let systemCost = 0;
  let sections = 0;
  const costWith = (weight: number) => TOKEN_ESTIMATE.messageOverhead + Math.ceil(weight);
  const tryAddToSystem = (weight: number): boolean => {
    const cost = costWith(systemWeight + weight);
    if (used - systemCost + cost > tokenBudget) return false;
    used += cost - systemCost;
    systemWeight += weight;
    systemCost = cost;
    return true;
  };

  let summary: PackedPrompt['summary'] = 'none';
  if (sources.summary !== undefined) {
    const weight = weightOf(PROMPT_HEADINGS.summary) + weightOf(LINE_SEPARATOR) + weightOf(sources.summary);
    summary = tryAddToSystem(weight) ? 'included' : 'omitted';
    if (summary === 'included') sections++;
  }

  const memoryLines: string[] = [];
  const memoryIds: string[] = [];
  let memoriesOmitted = 0;
  for (const memory of sources.memories) {
    const line = renderMemoryLine(memory);
    let weight = weightOf(LINE_SEPARATOR) + weightOf(line);
    if (memoryLines.length === 0) {
      // The first memory also brings the section's heading (and its separator from the summary).
      weight += weightOf(PROMPT_HEADINGS.memories) + (sections > 0 ? weightOf(SECTION_SEPARATOR) : 0);
    }
    if (tryAddToSystem(weight)) {
      memoryLines.push(line);
      memoryIds.push(memory.id);
    } else {
      memoriesOmitted++;
    }
  }

  const rendered = sources.events.filter((event) => event.text.length > 0);
  let firstKept = rendered.length;
  while (firstKept > 0) {
    const cost = messageCost(rendered[firstKept - 1]!.text);
    if (used + cost > tokenBudget) break;
    used += cost;
    firstKept--;
  }

  const system = renderSystemMessage(summary === 'included' ? sources.summary : undefined, memoryLines);
  const messages: PromptMessage[] = [
    ...(system === undefined ? [] : [{ role: 'system' as const, content: system }]),
    ...rendered.slice(firstKept).map((event) => ({ role: ROLES[event.role], content: event.text })),
    { role: 'user', content: sources.query },
  ];
  return {
    messages,
    memoryIds,
    memoriesOmitted,
    summary,
    eventsIncluded: rendered.length - firstKept,
    eventsOmitted: firstKept,
    estimatedTokens: used,
    truncated: summary === 'omitted' || memoriesOmitted > 0 || firstKept > 0,
  };
}
