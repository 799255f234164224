import type {
  SessionEvent,
  SessionMemory,
  SessionSortBy,
  SessionSummary,
  SortOrder,
} from '../../lib/contracts/session-memory.js';
import { LIMITS } from '../../lib/domain/limits.js';
import type { Clock } from '../../lib/ports/clock.js';
import type { StoreLookup } from '../../lib/ports/registry.js';
import type {
  AppendEventInput,
  AppendEventResult,
  SessionPageQuery,
  SessionRow,
  SessionStore,
} from '../../lib/ports/session-store.js';

interface StoredSession {
  sessionId: string;
  ownerId: string;
  namespace: string | undefined;
  /** Bound namespace resource (the fake holds no namespaces, so it checks only the binding). */
  namespaceId?: string;
  events: SessionEvent[];
  summary?: SessionSummary;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  idempotency: Map<string, { eventId: string; requestHash: string }>;
}

/** An open promotion window of a session (shared with the fake ledger, as the Redis keys are). */
export interface OpenWindow {
  openedAt: number;
  dueAt: number;
}

/**
 * Working memory with the Upstash store's rules: the store must exist (its config gives the TTL
 * and the extraction cadence), the first event fixes owner and namespace, every append refreshes
 * the TTL (expiry is judged by the injected clock), an append opens a promotion window when none is
 * open, idempotency keys replay, a full session refuses.
 */
export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, StoredSession>();
  /** Open promotion windows by `storeId/sessionId`. */
  readonly windows = new Map<string, OpenWindow>();

  constructor(
    private readonly stores: StoreLookup,
    private readonly clock: Clock,
  ) {}

  private live(storeId: string, sessionId: string): StoredSession | undefined {
    const session = this.sessions.get(`${storeId}/${sessionId}`);
    if (!session) return undefined;
    if (session.expiresAt <= this.clock.now()) {
      this.sessions.delete(`${storeId}/${sessionId}`);
      this.windows.delete(`${storeId}/${sessionId}`);
      return undefined;
    }
    return session;
  }

  async appendEvent(input: AppendEventInput): Promise<AppendEventResult> {
    const store = await this.stores.getStore(input.storeId);
    if (!store) return { status: 'store-not-found' };
    const key = `${input.storeId}/${input.event.sessionId}`;
    let session = this.live(input.storeId, input.event.sessionId);
    const replay = input.idempotency && session?.idempotency.get(input.idempotency.key);
    if (replay) return { status: 'replayed', ...replay };
    if (session && session.events.length >= LIMITS.eventsPerSession) {
      return { status: 'session-full', limit: 'events', max: LIMITS.eventsPerSession };
    }
    const eventBytes = (events: readonly unknown[]) =>
      events.reduce<number>((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0);
    if (session && eventBytes([...session.events, input.event]) > LIMITS.sessionBytes) {
      return { status: 'session-full', limit: 'bytes', max: LIMITS.sessionBytes };
    }
    if (session && input.namespaceId !== undefined && input.namespaceId !== session.namespaceId) {
      return { status: 'namespace-mismatch' };
    }
    const created = !session;
    session ??= {
      sessionId: input.event.sessionId,
      ownerId: input.event.actorId,
      namespace: input.namespace,
      ...(input.namespaceId ? { namespaceId: input.namespaceId } : {}),
      events: [],
      createdAt: input.now,
      updatedAt: input.now,
      expiresAt: 0,
      idempotency: new Map(),
    };
    session.events.push(structuredClone(input.event));
    session.events.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
    session.updatedAt = input.now;
    session.expiresAt = input.now + store.config.shortMemory.ttlSeconds * 1000;
    if (input.idempotency) {
      session.idempotency.set(input.idempotency.key, {
        eventId: input.event.eventId,
        requestHash: input.idempotency.requestHash,
      });
    }
    this.sessions.set(key, session);
    let promotionWindow: OpenWindow | undefined;
    if (!this.windows.has(key)) {
      promotionWindow = {
        openedAt: input.now,
        dueAt: input.now + store.config.extractionCadence.activeIntervalSeconds * 1000,
      };
      this.windows.set(key, { ...promotionWindow });
    }
    return {
      status: 'appended',
      ownerId: session.ownerId,
      namespace: session.namespace,
      sessionCreated: created,
      promotionWindow,
    };
  }

  async getSession(storeId: string, sessionId: string): Promise<SessionMemory | undefined> {
    const session = this.live(storeId, sessionId);
    if (!session) return undefined;
    return structuredClone({
      sessionId: session.sessionId,
      ownerId: session.ownerId,
      ...(session.namespace ? { namespace: session.namespace } : {}),
      ...(session.namespaceId ? { namespaceId: session.namespaceId } : {}),
      events: session.events,
      ...(session.summary ? { summary: session.summary } : {}),
    });
  }

  async getEvent(storeId: string, sessionId: string, eventId: string) {
    const event = this.live(storeId, sessionId)?.events.find((e) => e.eventId === eventId);
    return event && structuredClone(event);
  }

  async setSummary(storeId: string, sessionId: string, summary: SessionSummary) {
    const session = this.live(storeId, sessionId);
    if (!session) return false;
    session.summary = structuredClone(summary);
    return true;
  }

  async deleteEvent(storeId: string, sessionId: string, eventId: string, now: number) {
    const session = this.live(storeId, sessionId);
    const index = session?.events.findIndex((e) => e.eventId === eventId) ?? -1;
    if (!session || index < 0) return false;
    session.events.splice(index, 1);
    session.updatedAt = now;
    return true;
  }

  async deleteSession(storeId: string, sessionId: string) {
    if (!this.live(storeId, sessionId)) return false;
    this.sessions.delete(`${storeId}/${sessionId}`);
    this.windows.delete(`${storeId}/${sessionId}`);
    return true;
  }

  private rows(query: SessionPageQuery): StoredSession[] {
    return [...this.sessions.keys()]
      .filter((k) => k.startsWith(`${query.storeId}/`))
      .map((k) => this.live(query.storeId, k.slice(query.storeId.length + 1)))
      .filter((s): s is StoredSession => s !== undefined)
      .filter((s) => query.ownerId === undefined || s.ownerId === query.ownerId)
      .sort((a, b) => a.createdAt - b.createdAt || a.sessionId.localeCompare(b.sessionId));
  }

  async listSessionIds(query: SessionPageQuery) {
    const all = this.rows(query);
    return {
      ids: all.slice(query.offset, query.offset + query.limit).map((s) => s.sessionId),
      total: all.length,
    };
  }

  async listSessionRows(query: SessionPageQuery & { sortBy: SessionSortBy; sortOrder: SortOrder }) {
    const all = this.rows(query).sort((a, b) =>
      query.sortBy === 'sessionId'
        ? a.sessionId.localeCompare(b.sessionId)
        : a[query.sortBy] - b[query.sortBy],
    );
    if (query.sortOrder === 'desc') all.reverse();
    const rows: SessionRow[] = all.slice(query.offset, query.offset + query.limit).map((s) => ({
      sessionId: s.sessionId,
      ownerId: s.ownerId,
      namespace: s.namespace,
      ...(s.namespaceId ? { namespaceId: s.namespaceId } : {}),
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    }));
    return { rows, total: all.length };
  }

  async listNamespaceSessionRows(
    query: SessionPageQuery & { namespaceId: string; sortBy: SessionSortBy; sortOrder: SortOrder },
  ) {
    const { rows } = await this.listSessionRows({
      ...query,
      offset: 0,
      limit: Number.MAX_SAFE_INTEGER,
    });
    const bound = rows.filter((row) => row.namespaceId === query.namespaceId);
    return { rows: bound.slice(query.offset, query.offset + query.limit), total: bound.length };
  }
}
