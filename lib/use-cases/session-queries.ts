import type {
  ListSessionSummariesQuery,
  ListSessionsQuery,
  Page,
  SessionEvent,
  SessionListItem,
  SessionMemory,
} from '../contracts/session-memory.js';
import { NotFoundError } from '../domain/errors.js';
import type { PageTokenCodec, PageTokenDeps } from '../domain/page-token.js';
import type { Clock } from '../ports/clock.js';
import type { PromotionLedger } from '../ports/promotion-ledger.js';
import type { SessionRow, SessionStore } from '../ports/session-store.js';

export interface SessionQueryDeps {
  readonly sessions: SessionStore;
  readonly clock: Clock;
}

/**
 * Reference GetSessionMemory: events ordered by `createdAt`; 404 when missing or expired. Once a
 * summary exists, the events it covers (up to `summarizedUpToEventId` by position) are left out
 * unless `includeSummarisedEvents` asks for them.
 */
export async function getSessionMemory(
  deps: SessionQueryDeps,
  storeId: string,
  sessionId: string,
  options: { includeSummarisedEvents?: boolean } = {},
): Promise<SessionMemory> {
  const session = await deps.sessions.getSession(storeId, sessionId);
  if (!session) throw new NotFoundError('Session not found');
  if (!session.summary || options.includeSummarisedEvents) return session;
  const coveredUpTo = session.events.findIndex((e) => e.eventId === session.summary!.summarizedUpToEventId);
  return { ...session, events: session.events.slice(coveredUpTo + 1) };
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
  deps: SessionQueryDeps & { ledger: PromotionLedger },
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
  const pending = session.events.filter((e) => watermark === undefined || e.eventId > watermark).length;
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
  deps: SessionQueryDeps & PageTokenDeps,
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
  deps: SessionQueryDeps & PageTokenDeps,
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
