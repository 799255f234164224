import { DomainError } from '../../domain/errors.js';
import { utcDay } from '../../domain/promotion/window.js';
import type { MemoryExtractor, SessionSummarizer, TokenUsage } from '../../ports/memory-extractor.js';
import type {
  ExtractionBudget,
  PromotionLock,
  PromotionProgress,
  PromotionWindows,
} from '../../ports/promotion-ledger.js';
import type { PromotionQueue } from '../../ports/promotion-queue.js';
import type { StoreLookup } from '../../ports/registry.js';
import type { SessionReader, SessionSummaryWriter } from '../../ports/session-store.js';
import type { IndexingDeps } from '../long-term/indexing.js';

/**
 * What a promotion run's steps share: its dependencies, its outcome, and how failures and tokens
 * are counted. The steps (promote-session.ts orchestrates them) are parts of one use case.
 */
export interface PromotionDeps extends IndexingDeps {
  readonly stores: StoreLookup;
  readonly sessions: Pick<SessionReader, 'getSession'> & SessionSummaryWriter;
  readonly ledger: Pick<PromotionWindows, 'recordJobReceived'> &
    PromotionLock &
    PromotionProgress &
    ExtractionBudget;
  readonly extractor: MemoryExtractor;
  readonly summarizer: SessionSummarizer;
  readonly promotionQueue: PromotionQueue;
}

export interface PromotionOutcome {
  /**
   * `parked`: the batch failed `PARK_AFTER_FAILED_RUNS` (lib/domain/promotion/window.ts) runs in a
   * row and was skipped (or a parked range's retry failed again); `deferred`: the store's extraction
   * budget for the day is spent, so the job was sent again with a delay and no model was called.
   */
  readonly status: 'promoted' | 'parked' | 'deferred' | 'nothing-new' | 'session-gone' | 'store-gone';
  readonly processedEvents: number;
  readonly created: number;
  readonly merged: number;
  readonly superseded: number;
  /** Conversation records written (or found written by an earlier try) for this run's turns. */
  readonly conversation: number;
  readonly summarized: number;
  readonly usage: TokenUsage;
}

export const NOTHING: TokenUsage = { inputTokens: 0, outputTokens: 0 };

export function errorCode(error: unknown): string {
  return error instanceof DomainError ? error.code : error instanceof Error ? error.name : 'unknown';
}

export function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/** Adds tokens the store spent (extraction, summaries, failed runs) to its count of the day. */
export async function chargeStore(deps: PromotionDeps, storeId: string, usage: TokenUsage): Promise<void> {
  const tokens = usage.inputTokens + usage.outputTokens;
  if (tokens > 0) await deps.ledger.addStoreTokens(storeId, utcDay(deps.clock.now()), tokens);
}

export function emptyOutcome(status: PromotionOutcome['status']): PromotionOutcome {
  return {
    status,
    processedEvents: 0,
    created: 0,
    merged: 0,
    superseded: 0,
    conversation: 0,
    summarized: 0,
    usage: NOTHING,
  };
}
