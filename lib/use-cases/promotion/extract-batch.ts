import type { PromotionMessage } from '../../contracts/promotion-message.js';
import type { SessionEvent, SessionMemory } from '../../contracts/session-memory.js';
import type { StoreRecord } from '../../contracts/store-config.js';
import type { ScreenedTurn } from '../../domain/conversation-records.js';
import type { ParkedRange } from '../../domain/promotion/parked-range.js';
import { screenTurns } from '../../domain/promotion/turns.js';
import { CONTEXT_TURNS, parkedRangeEvents } from '../../domain/promotion/window.js';
import { createExclusionFilter } from '../../domain/sensitive-data.js';
import { type ExtractedMemory, spentUsage, type TokenUsage } from '../../ports/memory-extractor.js';
import { consolidate } from './consolidate-memories.js';
import {
  chargeStore,
  emptyOutcome,
  errorCode,
  isRetryable,
  NOTHING,
  type PromotionDeps,
  type PromotionOutcome,
} from './run-context.js';
import { writeConversation } from './write-conversation.js';

export type Extraction =
  | { readonly ok: true; readonly memories: readonly ExtractedMemory[]; readonly usage: TokenUsage }
  | { readonly ok: false; readonly error: unknown; readonly usage: TokenUsage };

/** One extractor call, its tokens (failed calls' included) added to the store's count of the day. */
export async function extractCharged(
  deps: PromotionDeps,
  store: StoreRecord,
  session: SessionMemory,
  before: readonly ScreenedTurn[],
  newTurns: readonly ScreenedTurn[],
): Promise<Extraction> {
  let extraction: Extraction;
  try {
    const result = await deps.extractor.extract({
      ownerId: session.ownerId,
      strategies: store.config.extractionStrategies,
      customTypes: store.config.customMemoryTypes.filter((t) => t.extractionStrategy?.enabled !== false),
      priorSummary: session.summary?.text,
      contextTurns: before,
      newTurns,
    });
    extraction = { ok: true, memories: result.memories, usage: result.usage };
  } catch (error) {
    extraction = { ok: false, error, usage: spentUsage(error) ?? NOTHING };
  }
  await chargeStore(deps, store.storeId, extraction.usage);
  return extraction;
}

/**
 * Skips a batch that failed `PARK_AFTER_FAILED_RUNS` (lib/domain/promotion/window.ts) runs in a
 * row: the watermark moves past it and the range is recorded as parked (visible in the promotion
 * status) until an operator asks for a retry. Its conversation records stay. The failed runs'
 * tokens were recorded with each failure.
 */
export async function parkBatch(
  deps: PromotionDeps,
  message: PromotionMessage,
  batch: readonly SessionEvent[],
  pendingCount: number,
  failures: number,
  code: string,
  conversation: number,
): Promise<PromotionOutcome> {
  const { storeId, sessionId } = message;
  const now = deps.clock.now();
  const park: ParkedRange = {
    firstEventId: batch[0]!.eventId,
    lastEventId: batch[batch.length - 1]!.eventId,
    events: batch.length,
    failures,
    lastErrorCode: code,
    parkedAt: now,
  };
  await deps.ledger.commitRun(storeId, sessionId, {
    watermarkEventId: park.lastEventId,
    processedEvents: 0,
    inputTokens: 0,
    outputTokens: 0,
    memoriesWritten: 0,
    conversationRecordsWritten: conversation,
    park,
    now,
  });
  deps.logger.warn('promotion batch parked after repeated extraction failures', {
    storeId,
    sessionId,
    events: batch.length,
    failures,
    code,
  });
  if (pendingCount > batch.length)
    await deps.promotionQueue.enqueue({ ...message, windowStartedAt: now, dueAt: now }, 0);
  return { ...emptyOutcome('parked'), processedEvents: 0, conversation };
}

/**
 * An operator's retry of a parked range: extracted again (conversation records are re-indexed, not
 * duplicated); on success it is no longer parked, and the watermark, already past it, stays. A
 * retry that fails for a reason a redelivery may fix is thrown (the request stays); otherwise the
 * range stays parked with one more failure and the request is cleared.
 */
export async function retryParkedRange(
  deps: PromotionDeps,
  store: StoreRecord,
  session: SessionMemory,
  byArrival: readonly SessionEvent[],
  range: ParkedRange,
): Promise<PromotionOutcome> {
  const { storeId } = store;
  const { sessionId } = session;
  const { start, events } = parkedRangeEvents(byArrival, range);
  const exclude = createExclusionFilter(store.config.longTermMemoryExclusions);
  const newTurns = screenTurns(events, start, exclude);
  let conversation = 0;
  let usage = NOTHING;
  let written = { created: 0, merged: 0, superseded: 0 };
  // Events that expired or were deleted since leave nothing to retry: the range is resolved.
  if (newTurns.length > 0) {
    const contextStart = Math.max(0, start - CONTEXT_TURNS);
    const before = screenTurns(byArrival.slice(contextStart, start), contextStart, exclude);
    conversation = await writeConversation(deps, store, session, newTurns, before);
    const extraction = await extractCharged(deps, store, session, before, newTurns);
    if (!extraction.ok) {
      if (isRetryable(extraction.error)) throw extraction.error;
      const code = errorCode(extraction.error);
      await deps.ledger.recordFailure(storeId, sessionId, {
        code,
        now: deps.clock.now(),
        ...extraction.usage,
      });
      const { retryRequestedAt: _cleared, ...rest } = range;
      await deps.ledger.saveParkedRange(storeId, sessionId, {
        ...rest,
        failures: range.failures + 1,
        lastErrorCode: code,
      });
      return { ...emptyOutcome('parked'), conversation };
    }
    usage = extraction.usage;
    const eventTimes = new Map(newTurns.map((t) => [t.eventId, t.createdAt]));
    written = await consolidate(deps, store, session, extraction.memories, eventTimes);
  }
  await deps.ledger.commitRun(storeId, sessionId, {
    processedEvents: events.length,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    memoriesWritten: written.created,
    conversationRecordsWritten: conversation,
    resolvedParkedRange: range.firstEventId,
    now: deps.clock.now(),
  });
  return {
    status: 'promoted',
    processedEvents: events.length,
    ...written,
    conversation,
    summarized: 0,
    usage,
  };
}
