import type { SessionEvent } from '../../contracts/session-memory.js';
import type { ParkedRange } from './parked-range.js';

/**
 * Which events one promotion run works on (docs/decisions/0001 and 0004): the events after the
 * session's watermark, in arrival order, at most {@link MAX_TURNS_PER_RUN} of them, with a few
 * earlier turns as context. Event ids start with the server time, so they sort in arrival order.
 */

/** New turns one run extracts from; the rest wait for a follow-up job sent at once. */
export const MAX_TURNS_PER_RUN = 100;
/** Earlier turns given to the extractor as context (never extracted from again). */
export const CONTEXT_TURNS = 6;
/**
 * Runs in a row that may fail on the same batch (the watermark unmoved) before the batch is parked
 * and skipped, so one poisoned batch cannot hold back every later turn of its session and be
 * replayed by every window and promote-now. The extractor already asks the model twice per run, so
 * this is 6 calls; a redelivery still gets a second chance at a transient bad reply, and 3 is within
 * the queue's maxReceiveCount (3–5, infra/config/stage-config.ts), so the job parks its batch before
 * it would dead-letter. Retryable failures (throttling, timeouts, outages) are not counted.
 */
export const PARK_AFTER_FAILED_RUNS = 3;
/** SQS's longest delivery delay: a job the budget defers comes back at most this late (or at 00:00 UTC). */
export const MAX_DEFER_SECONDS = 900;
const DAY_MS = 86_400_000;

/** The session's events in arrival order (event ids start with the server time). */
export function inArrivalOrder(events: readonly SessionEvent[]): SessionEvent[] {
  return [...events].sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
}

export interface RunWindow {
  /** Every event of the session, in arrival order. */
  readonly byArrival: readonly SessionEvent[];
  /** Position (in `byArrival`) of the first event after the watermark; -1 when there is none. */
  readonly firstNew: number;
  /** All events after the watermark. */
  readonly pending: readonly SessionEvent[];
  /** The events this run extracts from: the first {@link MAX_TURNS_PER_RUN} pending ones. */
  readonly batch: readonly SessionEvent[];
  /** Where the context turns start and end (`byArrival.slice(contextStart, contextEnd)`). */
  readonly contextStart: number;
  readonly contextEnd: number;
}

/** The window of one run over the session's events, given its watermark (undefined: none yet). */
export function runWindow(events: readonly SessionEvent[], watermark: string | undefined): RunWindow {
  const byArrival = inArrivalOrder(events);
  const firstNew = watermark === undefined ? 0 : byArrival.findIndex((e) => e.eventId > watermark);
  const pending = firstNew < 0 ? [] : byArrival.slice(firstNew);
  const contextEnd = firstNew < 0 ? byArrival.length : firstNew;
  return {
    byArrival,
    firstNew,
    pending,
    batch: pending.slice(0, MAX_TURNS_PER_RUN),
    contextStart: Math.max(0, contextEnd - CONTEXT_TURNS),
    contextEnd,
  };
}

/** How many events wait for promotion: those after the watermark (all, without one). */
export function pendingEventCount(events: readonly SessionEvent[], watermark: string | undefined): number {
  return events.filter((e) => watermark === undefined || e.eventId > watermark).length;
}

/**
 * The events of a parked range still in the session (expired or deleted ones are gone), with the
 * position of the first in arrival order (-1 when none is left).
 */
export function parkedRangeEvents(
  byArrival: readonly SessionEvent[],
  range: Pick<ParkedRange, 'firstEventId' | 'lastEventId'>,
): { start: number; events: SessionEvent[] } {
  const start = byArrival.findIndex((e) => e.eventId >= range.firstEventId);
  const events = start < 0 ? [] : byArrival.slice(start).filter((e) => e.eventId <= range.lastEventId);
  return { start, events };
}

/** The UTC day (`YYYY-MM-DD`) the store's token budget counts in. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Until when a job the store's spent budget holds back waits: SQS's longest delay, or the next
 * 00:00 UTC (when the budget resets) if that comes first.
 */
export function deferralEnd(now: number): number {
  return Math.min(now + MAX_DEFER_SECONDS * 1000, (Math.floor(now / DAY_MS) + 1) * DAY_MS);
}
