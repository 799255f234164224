import type {
  ListSessionSummariesQuery,
  ListSessionsQuery,
  Page,
  SessionListItem,
} from '../../contracts/session-memory.js';
import type { PageTokenCodec, PageTokenDeps } from '../../domain/page-token.js';
import type { Clock } from '../../ports/clock.js';
import type { SessionListing, SessionRow } from '../../ports/session-store.js';

export interface SessionListDeps extends PageTokenDeps {
  readonly sessions: SessionListing;
  readonly clock: Clock;
}

/** Reference ListSessions: session ids in creation order, paged. */
export async function listSessions(
  deps: SessionListDeps,
  storeId: string,
  query: ListSessionsQuery,
): Promise<Page<string>> {
  const scope = `${storeId}|session-memory|${query.filterOwnerId ?? '*'}`;
  const offset = query.pageToken ? deps.pageTokens.decode(query.pageToken, scope) : 0;
  const { ids, total } = await deps.sessions.listSessionIds({
    storeId,
    ownerId: query.filterOwnerId,
    offset,
    limit: query.limit,
    now: deps.clock.now(),
  });
  return withNextPage(deps.pageTokens, ids, total, offset, scope);
}

/** Reference (v1+) ListSessionSummaries: rows, sortable, paged. */
export async function listSessionSummaries(
  deps: SessionListDeps,
  storeId: string,
  query: ListSessionSummariesQuery,
): Promise<Page<SessionListItem>> {
  const scope = `${storeId}|sessions|${query.filterOwnerId ?? '*'}|${query.sortBy}|${query.sortOrder}`;
  const offset = query.pageToken ? deps.pageTokens.decode(query.pageToken, scope) : 0;
  const { rows, total } = await deps.sessions.listSessionRows({
    storeId,
    ownerId: query.filterOwnerId,
    offset,
    limit: query.limit,
    now: deps.clock.now(),
    sortBy: query.sortBy,
    sortOrder: query.sortOrder,
  });
  return withNextPage(deps.pageTokens, rows.map(toListItem), total, offset, scope);
}

function withNextPage<T>(
  pageTokens: PageTokenCodec,
  items: T[],
  total: number,
  offset: number,
  scope: string,
): Page<T> {
  const next = offset + items.length;
  return {
    items,
    total,
    ...(items.length > 0 && next < total ? { nextPageToken: pageTokens.encode(scope, next) } : {}),
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
