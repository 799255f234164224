import { NotFoundError } from '../../domain/errors.js';
import { pendingEventCount } from '../../domain/promotion/window.js';
import type { Clock } from '../../ports/clock.js';
import type { PromotionProgress, PromotionWindows } from '../../ports/promotion-ledger.js';
import type { SessionReader } from '../../ports/session-store.js';

export interface PromotionStatusDeps {
  readonly sessions: Pick<SessionReader, 'getSession'>;
  readonly ledger: Pick<PromotionProgress, 'readState' | 'parkedRanges'> & Pick<PromotionWindows, 'dueAt'>;
  readonly clock: Clock;
}

export interface PromotionStatus {
  readonly sessionId: string;
  /** Events whose turns have been extracted. */
  readonly processedEvents: number;
  /** Events appended since, waiting for the next run. */
  readonly pendingEvents: number;
  readonly watermarkEventId?: string;
  readonly lastRunAt?: string;
  /** When the next run is due, if a window is open. */
  readonly nextRunAt?: string;
  readonly lastError?: { readonly code: string; readonly at: string };
  readonly memoriesWritten: number;
  readonly conversationRecordsWritten: number;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  readonly parkedRanges: ReadonlyArray<{
    readonly firstEventId: string;
    readonly lastEventId: string;
    readonly events: number;
    readonly failures: number;
    readonly lastErrorCode: string;
    readonly parkedAt: string;
    readonly retryRequested: boolean;
  }>;
  readonly budgetExceeded: boolean;
  readonly deferredUntil?: string;
}

/**
 * Extension: how far promotion has got for a session. One round trip (the three reads are
 * auto-pipelined into one request).
 */
export async function getPromotionStatus(
  deps: PromotionStatusDeps,
  storeId: string,
  sessionId: string,
): Promise<PromotionStatus> {
  const [session, state, dueAt, parked] = await Promise.all([
    deps.sessions.getSession(storeId, sessionId),
    deps.ledger.readState(storeId, sessionId),
    deps.ledger.dueAt(storeId, sessionId),
    deps.ledger.parkedRanges(storeId, sessionId),
  ]);
  if (!session) throw new NotFoundError('Session not found');
  const watermark = state.watermarkEventId;
  const pending = pendingEventCount(session.events, watermark);
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const deferred = state.deferredUntil !== undefined && state.deferredUntil > deps.clock.now();
  return {
    sessionId,
    processedEvents: state.processedEvents,
    pendingEvents: pending,
    ...(watermark ? { watermarkEventId: watermark } : {}),
    ...(state.lastRunAt ? { lastRunAt: iso(state.lastRunAt) } : {}),
    ...(dueAt !== undefined ? { nextRunAt: iso(dueAt) } : {}),
    ...(state.lastError ? { lastError: { code: state.lastError.code, at: iso(state.lastError.at)! } } : {}),
    memoriesWritten: state.memoriesWritten,
    conversationRecordsWritten: state.conversationRecordsWritten,
    usage: { inputTokens: state.inputTokens, outputTokens: state.outputTokens },
    parkedRanges: parked.map((range) => ({
      firstEventId: range.firstEventId,
      lastEventId: range.lastEventId,
      events: range.events,
      failures: range.failures,
      lastErrorCode: range.lastErrorCode,
      parkedAt: iso(range.parkedAt)!,
      retryRequested: range.retryRequestedAt !== undefined,
    })),
    // A deferral is cleared by the next run that calls the model, so a past one means the job is due.
    budgetExceeded: deferred,
    ...(deferred ? { deferredUntil: iso(state.deferredUntil) } : {}),
  };
}
