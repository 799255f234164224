import type { SessionEvent, SessionSummary } from '../../contracts/session-memory.js';

/**
 * Which events a session summary covers. Events are in `createdAt` order; a summary covers a prefix
 * of them by position, up to and including `summarizedUpToEventId`. When that event is gone
 * (deleted, expired) the summary covers none of the events left, so nothing is hidden that the
 * summary may not say.
 */
export function eventsAfterSummary<E extends Pick<SessionEvent, 'eventId'>>(
  events: readonly E[],
  summary: Pick<SessionSummary, 'summarizedUpToEventId'> | undefined,
): E[] {
  if (!summary) return [...events];
  const coveredUpTo = events.findIndex((e) => e.eventId === summary.summarizedUpToEventId);
  return events.slice(coveredUpTo + 1);
}

/**
 * The events a summary run folds into the summary: once the events it does not cover reach
 * `threshold`, all of them but the newest `retainCount`; none before that.
 */
export function eventsToFold<E extends Pick<SessionEvent, 'eventId'>>(
  events: readonly E[],
  prior: Pick<SessionSummary, 'summarizedUpToEventId'> | undefined,
  eventCount: { readonly threshold: number; readonly retainCount: number },
): E[] {
  const retained = eventsAfterSummary(events, prior);
  if (retained.length < eventCount.threshold) return [];
  return retained.slice(0, retained.length - eventCount.retainCount);
}
