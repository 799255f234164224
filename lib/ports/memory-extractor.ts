import type { CustomMemoryType } from '../contracts/store-config.js';

/** One conversation turn as the extractor sees it (already filtered by sensitive-data exclusions). */
export interface ExtractionTurn {
  readonly eventId: string;
  readonly role: 'USER' | 'ASSISTANT' | 'SYSTEM';
  readonly actorId: string;
  readonly text: string;
  /** The event's own timestamp (ms): relative dates in it resolve against this. */
  readonly createdAt: number;
}

export type ExtractionStrategy = 'discrete' | 'summary' | 'preferences';

export interface ExtractionInput {
  /** The session's owner: extracted memories are about this person ("The user …"). */
  readonly ownerId: string;
  readonly strategies: readonly ExtractionStrategy[];
  /** Custom memory types whose extraction is enabled (≤ 3). */
  readonly customTypes: readonly CustomMemoryType[];
  /** Running summary of what came before, for context only. */
  readonly priorSummary: string | undefined;
  /** A few turns before the new ones, for context only: nothing is extracted from them. */
  readonly contextTurns: readonly ExtractionTurn[];
  /** The turns to extract from (after the session's watermark). */
  readonly newTurns: readonly ExtractionTurn[];
  /**
   * Set when the input is a section of a submitted document rather than a conversation (document
   * ingestion): `newTurns` then holds the section as one turn, and the memories are the document's
   * statements in the custom types' words, not facts about a user.
   */
  readonly document?: DocumentContext;
}

/** Where a document section sits: the document's title and the headings above the section. */
export interface DocumentContext {
  readonly title: string | undefined;
  readonly headings: readonly string[];
}

export interface ExtractedMemory {
  /** Grounded, standalone text: "The user is a vegetarian", absolute dates, no pronouns. */
  readonly text: string;
  /** `semantic` (facts, preferences), `episodic` (dated events), or a custom type's name. */
  readonly memoryType: string;
  readonly topics: readonly string[];
  readonly entities: readonly string[];
  /** Custom types only: values of the type's declared fields. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** Ids of the new turns this memory came from (at least one). */
  readonly sourceEventIds: readonly string[];
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * The tokens a failed extraction or summary had already spent (a reply that did not parse, a call
 * that failed after an unusable reply), when the error carries them as `usage`: failed runs are
 * billed too, so the ledger and the store's budget count them.
 */
export function spentUsage(error: unknown): TokenUsage | undefined {
  if (typeof error !== 'object' || error === null || !('usage' in error)) return undefined;
  const usage = (error as { usage: unknown }).usage;
  if (typeof usage !== 'object' || usage === null) return undefined;
  const { inputTokens, outputTokens } = usage as Record<string, unknown>;
  if (typeof inputTokens !== 'number' || typeof outputTokens !== 'number') return undefined;
  return { inputTokens, outputTokens };
}

export interface ExtractionResult {
  readonly memories: readonly ExtractedMemory[];
  readonly usage: TokenUsage;
}

/** Turns conversation turns into long-term memories. Bedrock in AWS; an offline extractor locally. */
export interface MemoryExtractor {
  /** Stable id recorded with the memories it makes, e.g. a model id or `offline-v1`. */
  readonly id: string;
  extract(input: ExtractionInput): Promise<ExtractionResult>;
}

export interface SummaryInput {
  readonly ownerId: string;
  readonly priorSummary: string | undefined;
  /** Turns to fold into the summary, oldest first. */
  readonly turns: readonly ExtractionTurn[];
}

/** Folds older turns into a session's running summary. */
export interface SessionSummarizer {
  readonly id: string;
  summarize(input: SummaryInput): Promise<{ text: string; usage: TokenUsage }>;
}
