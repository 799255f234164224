import { randomUUID } from 'node:crypto';
import type { PromotionMessage } from '../../contracts/promotion-message.js';
import { DomainError } from '../../domain/errors.js';
import { screenTurns } from '../../domain/promotion/turns.js';
import { deferralEnd, PARK_AFTER_FAILED_RUNS, runWindow, utcDay } from '../../domain/promotion/window.js';
import { createExclusionFilter } from '../../domain/sensitive-data.js';
import { describeError } from '../../observability/logger.js';
import { spentUsage } from '../../ports/memory-extractor.js';
import { requireStore } from '../shared/require-store.js';
import { consolidate } from './consolidate-memories.js';
import { extractCharged, parkBatch, retryParkedRange } from './extract-batch.js';
import { errorCode, isRetryable, NOTHING, type PromotionDeps, type PromotionOutcome } from './run-context.js';
import { summarizeIfDue } from './summarize-session.js';
import { writeConversation } from './write-conversation.js';

export type { PromotionDeps, PromotionOutcome } from './run-context.js';

/**
 * The lock outlives a run's worst case (the consumer's timeout, 120 s in the stage defaults) so two
 * workers never overlap; if its holder dies it frees itself for the redelivery.
 */
export const LOCK_TTL_MS = 150_000;

export class PromotionBusyError extends DomainError {
  readonly code = 'too-many-requests';
  override readonly retryable = true;
  constructor() {
    super('Another worker is promoting this session');
    this.name = 'PromotionBusyError';
  }
}

/**
 * One promotion job: extract long-term memories from the session's events after its watermark,
 * consolidate them with what is stored, write them, then move the watermark — in that order, so a
 * crash at any point only repeats work, and repeated work only merges into what exists (memory ids
 * are content hashes; near-duplicates merge). One worker per session at a time (a lock); a job
 * that finds nothing new is a no-op, so redelivered and duplicated jobs cost one read.
 */
export async function promoteSession(
  deps: PromotionDeps,
  message: PromotionMessage,
): Promise<PromotionOutcome> {
  const { storeId, sessionId } = message;
  const holder = randomUUID();
  if (!(await deps.ledger.acquireLock(storeId, sessionId, holder, LOCK_TTL_MS)))
    throw new PromotionBusyError();
  const recorded = new WeakSet<object>();
  try {
    return await promoteLocked(deps, message, recorded);
  } catch (error) {
    if (typeof error !== 'object' || error === null || !recorded.has(error)) {
      const usage = spentUsage(error) ?? NOTHING;
      await deps.ledger
        .recordFailure(storeId, sessionId, { code: errorCode(error), now: deps.clock.now(), ...usage })
        .catch(() => {});
    }
    throw error;
  } finally {
    await deps.ledger.releaseLock(storeId, sessionId, holder).catch((error: unknown) => {
      deps.logger.warn('promotion lock release failed; it expires on its own', describeError(error));
    });
  }
}

async function promoteLocked(
  deps: PromotionDeps,
  message: PromotionMessage,
  recorded: WeakSet<object>,
): Promise<PromotionOutcome> {
  const { storeId, sessionId } = message;
  const empty = {
    processedEvents: 0,
    created: 0,
    merged: 0,
    superseded: 0,
    conversation: 0,
    summarized: 0,
    usage: NOTHING,
  };
  // A job that outlived its store (deleted meanwhile) is done: retrying it would only end in the
  // DLQ and raise its alarm, and recording it would write into the deleted keyspace.
  if (!(await deps.stores.getStore(storeId))) return { status: 'store-gone', ...empty };
  await deps.ledger.recordJobReceived(message, deps.clock.now());
  const now = deps.clock.now();
  // Read with the rest (one round trip): the store's tokens of the day, checked before any model call.
  const [store, session, state, parked, spentToday] = await Promise.all([
    requireStore(deps, storeId),
    deps.sessions.getSession(storeId, sessionId),
    deps.ledger.readState(storeId, sessionId),
    deps.ledger.parkedRanges(storeId, sessionId),
    deps.ledger.storeTokens(storeId, utcDay(now)),
  ]);
  if (!session) return { status: 'session-gone', ...empty };

  // Which events this run works on (arrival order, after the watermark, at most a batch).
  const { byArrival, firstNew, pending, batch, contextStart, contextEnd } = runWindow(
    session.events,
    state.watermarkEventId,
  );
  const retry = parked.find((range) => range.retryRequestedAt !== undefined);

  // A run may overshoot the budget by its own cost, never more.
  const overBudget = spentToday >= store.config.extractionBudget.tokensPerDay;
  if (overBudget && (batch.length > 0 || retry)) {
    // Deferred, not failed: the job comes back later and other sessions' jobs in the SQS batch are
    // not held up. Conversation records wait too: writing them now would embed the same turns again
    // on every deferral.
    const until = deferralEnd(now);
    await deps.ledger.recordDeferral(storeId, sessionId, until, now);
    await deps.promotionQueue.enqueue(
      { ...message, windowStartedAt: now, dueAt: now },
      Math.max(1, Math.ceil((until - now) / 1000)),
    );
    deps.logger.info('promotion deferred: store extraction budget spent for the day', { storeId });
    return { status: 'deferred', ...empty };
  }
  if (retry) {
    const outcome = await retryParkedRange(deps, store, session, byArrival, retry);
    if (pending.length > 0 || parked.some((r) => r !== retry && r.retryRequestedAt !== undefined)) {
      const later = deps.clock.now();
      await deps.promotionQueue.enqueue({ ...message, windowStartedAt: later, dueAt: later }, 0);
    }
    return outcome;
  }

  let usage = NOTHING;
  let created = 0;
  let merged = 0;
  let superseded = 0;
  let conversation = 0;
  if (batch.length > 0) {
    const exclude = createExclusionFilter(store.config.longTermMemoryExclusions);
    // Screened once: the extractor and the conversation records see the same text.
    const newTurns = screenTurns(batch, firstNew, exclude);
    if (newTurns.length > 0) {
      const before = screenTurns(byArrival.slice(contextStart, contextEnd), contextStart, exclude);
      // Written before extraction: they need no model, so a batch that is later parked keeps them.
      conversation = await writeConversation(deps, store, session, newTurns, before);
      const extraction = await extractCharged(deps, store, session, before, newTurns);
      if (!extraction.ok) {
        const { error } = extraction;
        const failedRuns = await deps.ledger.recordFailure(storeId, sessionId, {
          code: errorCode(error),
          now: deps.clock.now(),
          ...extraction.usage,
          // Retryable failures (throttling, outages) say nothing about the batch: not counted.
          ...(isRetryable(error) ? {} : { batchFirstEventId: batch[0]!.eventId }),
        });
        if (typeof error === 'object' && error !== null) recorded.add(error);
        if (isRetryable(error) || failedRuns < PARK_AFTER_FAILED_RUNS) throw error;
        return parkBatch(deps, message, batch, pending.length, failedRuns, errorCode(error), conversation);
      }
      usage = extraction.usage;
      const eventTimes = new Map(newTurns.map((t) => [t.eventId, t.createdAt]));
      const written = await consolidate(deps, store, session, extraction.memories, eventTimes);
      created = written.created;
      merged = written.merged;
      superseded = written.superseded;
    }
    await deps.ledger.commitRun(storeId, sessionId, {
      watermarkEventId: batch[batch.length - 1]!.eventId,
      processedEvents: batch.length,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      memoriesWritten: created,
      conversationRecordsWritten: conversation,
      now: deps.clock.now(),
    });
    if (pending.length > batch.length) {
      // The rest of a long backlog: a follow-up job now rather than at the next window.
      const now = deps.clock.now();
      await deps.promotionQueue.enqueue({ ...message, windowStartedAt: now, dueAt: now }, 0);
    }
  }

  const summarized = await summarizeIfDue(
    deps,
    store,
    session.summary,
    session.ownerId,
    storeId,
    sessionId,
    session.events,
    overBudget,
  );
  usage = {
    inputTokens: usage.inputTokens + summarized.usage.inputTokens,
    outputTokens: usage.outputTokens + summarized.usage.outputTokens,
  };
  return {
    status: batch.length > 0 ? 'promoted' : 'nothing-new',
    processedEvents: batch.length,
    created,
    merged,
    superseded,
    conversation,
    summarized: summarized.events,
    usage,
  };
}
