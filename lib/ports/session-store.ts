import type {
  SessionEvent,
  SessionMemory,
  SessionSortBy,
  SessionSummary,
  SortOrder,
} from '../contracts/session-memory.js';

export interface AppendEventInput {
  readonly storeId: string;
  readonly event: SessionEvent;
  /** Only used when this event creates the session (the first event fixes it). */
  readonly namespace: string | undefined;
  /**
   * Namespace resource: binds the session when this event creates it; on a bound session it must
   * be the bound one. Every append checks the bound namespace is active.
   */
  readonly namespaceId?: string;
  /** Server time of the append (ms), also the base of TTL and promotion windows. */
  readonly now: number;
  /**
   * Client-chosen key (`Idempotency-Key`) and a hash of the request: a key this session has seen
   * answers `replayed` with what was stored under it, and nothing is appended.
   */
  readonly idempotency?: { readonly key: string; readonly requestHash: string };
}

export type AppendEventResult =
  | {
      readonly status: 'appended';
      readonly ownerId: string;
      readonly namespace: string | undefined;
      readonly sessionCreated: boolean;
      /** Set when this append opened a promotion window: a job must be enqueued for it. */
      readonly promotionWindow: { readonly openedAt: number; readonly dueAt: number } | undefined;
    }
  | { readonly status: 'replayed'; readonly eventId: string; readonly requestHash: string }
  | { readonly status: 'store-not-found' }
  /** The session holds `LIMITS.eventsPerSession` events or `LIMITS.sessionBytes` bytes of event JSON. */
  | { readonly status: 'session-full'; readonly limit: 'events' | 'bytes'; readonly max: number }
  | { readonly status: 'namespace-mismatch' }
  | { readonly status: 'namespace-missing' }
  | { readonly status: 'namespace-archived' }
  /** The session's owner is being erased (an erasure job runs): nothing was written. */
  | { readonly status: 'owner-erasing' }
  /** The event would take the store past one of its storage quotas (store config `quotas`). */
  | {
      readonly status: 'over-quota';
      readonly quota: 'sessions' | 'events' | 'bytes';
      readonly limit: number;
    };

export interface SessionPageQuery {
  readonly storeId: string;
  /** Only this owner's sessions; all owners when absent. */
  readonly ownerId: string | undefined;
  readonly offset: number;
  readonly limit: number;
  readonly now: number;
}

export interface SessionRow {
  readonly sessionId: string;
  readonly ownerId: string | undefined;
  readonly namespace: string | undefined;
  /** The namespace resource the session is bound to. */
  readonly namespaceId?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Appends events to sessions (working memory). */
export interface SessionAppender {
  /** Appends atomically: creates the session if needed, refreshes its TTL, may open a promotion window. */
  appendEvent(input: AppendEventInput): Promise<AppendEventResult>;
}

/** Reads sessions and their events. */
export interface SessionReader {
  /** The session with its events ordered by `createdAt`, or undefined when missing or expired. */
  getSession(storeId: string, sessionId: string): Promise<SessionMemory | undefined>;
  getEvent(storeId: string, sessionId: string, eventId: string): Promise<SessionEvent | undefined>;
}

/** Stores a session's running summary (promotion). */
export interface SessionSummaryWriter {
  /** Stores the running summary; false when the session no longer exists. */
  setSummary(storeId: string, sessionId: string, summary: SessionSummary): Promise<boolean>;
}

export interface SessionDeleter {
  /** @returns false when the session or the event does not exist. */
  deleteEvent(storeId: string, sessionId: string, eventId: string, now: number): Promise<boolean>;
  /** @returns false when the session does not exist. */
  deleteSession(storeId: string, sessionId: string): Promise<boolean>;
}

/** Pages through a store's sessions. */
export interface SessionListing {
  /** Session ids in creation order. */
  listSessionIds(query: SessionPageQuery): Promise<{ ids: string[]; total: number }>;
  listSessionRows(
    query: SessionPageQuery & { sortBy: SessionSortBy; sortOrder: SortOrder },
  ): Promise<{ rows: SessionRow[]; total: number }>;
  /** The live sessions bound to one namespace resource (and owner, when given), sorted and paged. */
  listNamespaceSessionRows(
    query: SessionPageQuery & { namespaceId: string; sortBy: SessionSortBy; sortOrder: SortOrder },
  ): Promise<{ rows: SessionRow[]; total: number }>;
}

/**
 * Working memory: sessions and their events, expiring with the store's short-term TTL. The Upstash
 * adapter implements it in one class; use cases ask for the parts they use.
 */
export interface SessionStore
  extends SessionAppender,
    SessionReader,
    SessionSummaryWriter,
    SessionDeleter,
    SessionListing {}
