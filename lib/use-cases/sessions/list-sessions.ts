import type { NamespaceRef } from '../../contracts/namespaces.js';
import type {
  ListSessionSummariesQuery,
  ListSessionsQuery,
  Page,
  SessionListItem,
} from '../../contracts/session-memory.js';
import type { PageTokenCodec, PageTokenDeps } from '../../domain/page-token.js';
import type { Clock } from '../../ports/clock.js';
import type { SessionListing, SessionRow } from '../../ports/session-store.js';
import { type NamespaceRefDeps, namespaceRefsOf } from '../shared/namespace-refs.js';

export interface SessionListDeps extends PageTokenDeps, NamespaceRefDeps {
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
  const scope = `${storeId}|sessions|${query.filterOwnerId ?? '*'}|${query.sortBy}|${query.sortOrder}${
    query.namespaceRef ? `|ns:${query.namespaceRef}` : ''
  }`;
  const offset = query.pageToken ? deps.pageTokens.decode(query.pageToken, scope) : 0;
  const page = {
    storeId,
    ownerId: query.filterOwnerId,
    offset,
    limit: query.limit,
    now: deps.clock.now(),
    sortBy: query.sortBy,
    sortOrder: query.sortOrder,
  };
  const { rows, total } = query.namespaceRef
    ? await deps.sessions.listNamespaceSessionRows({ ...page, namespaceId: query.namespaceRef })
    : await deps.sessions.listSessionRows(page);
  const refs = await namespaceRefsOf(deps, storeId, rows);
  return withNextPage(
    deps.pageTokens,
    rows.map((row) => toListItem(row, refs)),
    total,
    offset,
    scope,
  );
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

function toListItem(row: SessionRow, refs: ReadonlyMap<string, NamespaceRef>): SessionListItem {
  return {
    sessionId: row.sessionId,
    ...(row.ownerId ? { ownerId: row.ownerId } : {}),
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    // A namespace resource shows its current name and path; a label stands for all three.
    ...(row.namespaceId
      ? {
          namespaceRef: refs.get(row.namespaceId) ?? {
            namespaceId: row.namespaceId,
            name: row.namespaceId,
            path: row.namespaceId,
          },
        }
      : {}),
    ...(row.namespace && !row.namespaceId
      ? { namespaceRef: { namespaceId: row.namespace, name: row.namespace, path: row.namespace } }
      : {}),
  };
}
