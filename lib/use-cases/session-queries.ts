import type {
  ListSessionSummariesQuery,
  ListSessionsQuery,
  Page,
  SessionEvent,
  SessionListItem,
  SessionMemory,
} from '../contracts/session-memory.js';
import { NotFoundError } from '../domain/errors.js';
import { decodePageToken, encodePageToken } from '../domain/page-token.js';
import type { Clock } from '../ports/clock.js';
import type { SessionRow, SessionStore } from '../ports/session-store.js';

export interface SessionQueryDeps {
  readonly sessions: SessionStore;
  readonly clock: Clock;
}

/** Reference GetSessionMemory: events ordered by `createdAt`; 404 when missing or expired. */
export async function getSessionMemory(
  deps: SessionQueryDeps,
  storeId: string,
  sessionId: string,
): Promise<SessionMemory> {
  const session = await deps.sessions.getSession(storeId, sessionId);
  if (!session) throw new NotFoundError('Session not found');
  return session;
}

/** Reference GetSessionEvent. */
export async function getSessionEvent(
  deps: SessionQueryDeps,
  storeId: string,
  sessionId: string,
  eventId: string,
): Promise<SessionEvent> {
  const event = await deps.sessions.getEvent(storeId, sessionId, eventId);
  if (!event) throw new NotFoundError('Session event not found');
  return event;
}

/** Reference ListSessions: session ids in creation order, paged. */
export async function listSessions(
  deps: SessionQueryDeps,
  storeId: string,
  query: ListSessionsQuery,
): Promise<Page<string>> {
  const scope = `${storeId}|session-memory|${query.filterOwnerId ?? '*'}`;
  const offset = query.pageToken ? decodePageToken(query.pageToken, scope) : 0;
  const { ids, total } = await deps.sessions.listSessionIds({
    storeId,
    ownerId: query.filterOwnerId,
    offset,
    limit: query.limit,
    now: deps.clock.now(),
  });
  return withNextPage(ids, total, offset, scope);
}

/** Reference (v1+) ListSessionSummaries: rows, sortable, paged. */
export async function listSessionSummaries(
  deps: SessionQueryDeps,
  storeId: string,
  query: ListSessionSummariesQuery,
): Promise<Page<SessionListItem>> {
  const scope = `${storeId}|sessions|${query.filterOwnerId ?? '*'}|${query.sortBy}|${query.sortOrder}`;
  const offset = query.pageToken ? decodePageToken(query.pageToken, scope) : 0;
  const { rows, total } = await deps.sessions.listSessionRows({
    storeId,
    ownerId: query.filterOwnerId,
    offset,
    limit: query.limit,
    now: deps.clock.now(),
    sortBy: query.sortBy,
    sortOrder: query.sortOrder,
  });
  return withNextPage(rows.map(toListItem), total, offset, scope);
}

function withNextPage<T>(items: T[], total: number, offset: number, scope: string): Page<T> {
  const next = offset + items.length;
  return {
    items,
    total,
    ...(items.length > 0 && next < total ? { nextPageToken: encodePageToken(scope, next) } : {}),
  };
}

function toListItem(row: SessionRow): SessionListItem {
  return {
    sessionId: row.sessionId,
    ...(row.ownerId ? { ownerId: row.ownerId } : {}),
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    ...(row.namespace
      ? { namespaceRef: { namespaceId: row.namespace, name: row.namespace, path: row.namespace } }
      : {}),
  };
}
