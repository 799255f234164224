import { NotFoundError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { SessionDeleter } from '../../ports/session-store.js';

export interface SessionDeletionDeps {
  readonly sessions: SessionDeleter;
  readonly clock: Clock;
}

/** Reference DeleteSessionMemory. Extracted long-term memories are kept. */
export async function deleteSessionMemory(
  deps: SessionDeletionDeps,
  storeId: string,
  sessionId: string,
): Promise<void> {
  if (!(await deps.sessions.deleteSession(storeId, sessionId))) throw new NotFoundError('Session not found');
}

/** Reference DeleteSessionEvent. */
export async function deleteSessionEvent(
  deps: SessionDeletionDeps,
  storeId: string,
  sessionId: string,
  eventId: string,
): Promise<void> {
  const deleted = await deps.sessions.deleteEvent(storeId, sessionId, eventId, deps.clock.now());
  if (!deleted) throw new NotFoundError('Session event not found');
}
