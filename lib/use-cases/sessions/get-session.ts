import type { SessionEvent, SessionMemory } from '../../contracts/session-memory.js';
import { NotFoundError } from '../../domain/errors.js';
import { eventsAfterSummary } from '../../domain/promotion/summary-coverage.js';
import type { SessionReader } from '../../ports/session-store.js';
import { type NamespaceRefDeps, namespaceRefsOf } from '../shared/namespace-refs.js';

export interface SessionReadDeps extends NamespaceRefDeps {
  readonly sessions: SessionReader;
}

/**
 * Reference GetSessionMemory: events ordered by `createdAt`; 404 when missing or expired. Once a
 * summary exists, the events it covers ({@link eventsAfterSummary}) are left out unless
 * `includeSummarisedEvents` asks for them.
 */
export async function getSessionMemory(
  deps: SessionReadDeps,
  storeId: string,
  sessionId: string,
  options: { includeSummarisedEvents?: boolean } = {},
): Promise<SessionMemory> {
  const stored = await deps.sessions.getSession(storeId, sessionId);
  if (!stored) throw new NotFoundError('Session not found');
  // The bound namespace resource shows its current name and path (decision record 0014).
  const { namespaceId, ...rest } = stored;
  const session: SessionMemory = namespaceId
    ? {
        ...rest,
        namespaceRef: (await namespaceRefsOf(deps, storeId, [{ namespaceId }])).get(namespaceId) ?? {
          namespaceId,
          name: namespaceId,
          path: namespaceId,
        },
      }
    : rest;
  if (!session.summary || options.includeSummarisedEvents) return session;
  return { ...session, events: eventsAfterSummary(session.events, session.summary) };
}

/** Reference GetSessionEvent. */
export async function getSessionEvent(
  deps: SessionReadDeps,
  storeId: string,
  sessionId: string,
  eventId: string,
): Promise<SessionEvent> {
  const event = await deps.sessions.getEvent(storeId, sessionId, eventId);
  if (!event) throw new NotFoundError('Session event not found');
  return event;
}
