import { promotionJob } from '../../contracts/promotion-message.js';
import { DependencyUnavailableError, NotFoundError } from '../../domain/errors.js';
import { pendingEventCount } from '../../domain/promotion/window.js';
import { describeError, type Logger } from '../../observability/logger.js';
import type { Clock } from '../../ports/clock.js';
import type { PromotionProgress } from '../../ports/promotion-ledger.js';
import type { PromotionQueue } from '../../ports/promotion-queue.js';
import type { SessionReader } from '../../ports/session-store.js';

/** What the operator-facing "run promotion now" routes need. */
export interface PromoteNowDeps {
  readonly sessions: Pick<SessionReader, 'getSession'>;
  readonly ledger: Pick<PromotionProgress, 'readState' | 'parkedRanges' | 'saveParkedRange'>;
  readonly promotionQueue: PromotionQueue;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface PromoteNowResult {
  readonly sessionId: string;
  /** Whether a job was sent: only when events are waiting, so repeated calls cost no extraction. */
  readonly queued: boolean;
  readonly pendingEvents: number;
}

/**
 * Extension: promote a session's pending events now instead of when its window ends (an agent
 * closing a conversation, an example that should not wait minutes). Sends the same immediate job
 * as a run's backlog follow-up; the consumer's per-session lock and watermark make it safe next to
 * the window's own job, which later finds nothing new. A failed send is a 424: unlike an append,
 * nothing was stored that the sweeper would find.
 */
export async function promoteSessionNow(
  deps: PromoteNowDeps,
  storeId: string,
  sessionId: string,
): Promise<PromoteNowResult> {
  // Both reads go out in one auto-pipelined request.
  const [session, state] = await Promise.all([
    deps.sessions.getSession(storeId, sessionId),
    deps.ledger.readState(storeId, sessionId),
  ]);
  if (!session) throw new NotFoundError('Session not found');
  const pendingEvents = pendingEventCount(session.events, state.watermarkEventId);
  if (pendingEvents === 0) return { sessionId, queued: false, pendingEvents };
  await sendImmediateJob(deps, storeId, sessionId, 'promote-now');
  return { sessionId, queued: true, pendingEvents };
}

export interface RetryParkedResult {
  readonly sessionId: string;
  readonly parkedRanges: number;
  readonly queued: boolean;
}

/**
 * Extension: extract a session's parked ranges again (after the cause was fixed: a model or prompt
 * change, a turn deleted). Marks each range for retry and sends an immediate job; the consumer
 * retries one range per run and sends itself a follow-up for the next. Each retry counts against the
 * store's extraction budget like any run. A failed send is a 424; the marks stay for the next run.
 */
export async function retryParkedRanges(
  deps: PromoteNowDeps,
  storeId: string,
  sessionId: string,
): Promise<RetryParkedResult> {
  if (!(await deps.sessions.getSession(storeId, sessionId))) throw new NotFoundError('Session not found');
  const parked = await deps.ledger.parkedRanges(storeId, sessionId);
  if (parked.length === 0) return { sessionId, parkedRanges: 0, queued: false };
  const now = deps.clock.now();
  for (const range of parked)
    await deps.ledger.saveParkedRange(storeId, sessionId, { ...range, retryRequestedAt: now });
  await sendImmediateJob(deps, storeId, sessionId, 'retry-parked');
  return { sessionId, parkedRanges: parked.length, queued: true };
}

/**
 * Sends a job due now for the session. A failed send is logged (ids only) and answered as a 424:
 * the operator asked for this job, and nothing was recorded that the sweeper would re-send.
 */
async function sendImmediateJob(
  deps: Pick<PromoteNowDeps, 'promotionQueue' | 'clock' | 'logger'>,
  storeId: string,
  sessionId: string,
  what: 'promote-now' | 'retry-parked',
): Promise<void> {
  const now = deps.clock.now();
  const message = promotionJob({
    storeId,
    sessionId,
    windowStartedAt: now,
    dueAt: now,
  });
  try {
    await deps.promotionQueue.enqueue(message, 0);
  } catch (error) {
    deps.logger.warn(`${what} send failed`, { storeId, sessionId, ...describeError(error) });
    throw new DependencyUnavailableError('The promotion queue did not take the job', 1);
  }
}
