import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import {
  type SessionEvent,
  type SessionMemory,
  type SessionSummary,
  sessionEventSchema,
  sessionSummarySchema,
} from '../../contracts/session-memory.js';
import { DEFAULT_QUOTAS, LIMITS } from '../../domain/limits.js';
import type {
  AppendEventInput,
  AppendEventResult,
  SessionPageQuery,
  SessionRow,
  SessionStore,
} from '../../ports/session-store.js';
import type { SessionIndexSort } from './keys.js';
import { namespaceKeys, sessionKeys, storeKeys, storePrefix } from './keys.js';
import { redisCall } from './redis-call.js';
import {
  APPEND_EVENT,
  DELETE_EVENT,
  DELETE_SESSION,
  GET_SESSION,
  LIST_NAMESPACE_SESSIONS,
  LIST_SESSIONS,
  SET_SUMMARY,
} from './scripts/generated.js';

const appendReplySchema = z.union([
  z.tuple([z.literal(1), z.string(), z.string(), z.number(), z.number(), z.number()]),
  z.tuple([z.literal(2), z.string(), z.string()]),
  z.tuple([z.literal(0)]),
  z.tuple([z.literal(-1), z.enum(['events', 'bytes']), z.number()]),
  z.tuple([z.literal(-6)]),
  z.tuple([z.literal(-2), z.enum(['sessions', 'events', 'bytes']), z.number()]),
  z.tuple([z.literal(-3)]),
  z.tuple([z.literal(-4)]),
  z.tuple([z.literal(-5)]),
]);
const listReplySchema = z.array(z.union([z.number(), z.string()]));
const storedEventSchema = z.string().transform((raw) => sessionEventSchema.parse(JSON.parse(raw)));

const SORT_INDEX: Record<'sessionId' | 'createdAt' | 'updatedAt', SessionIndexSort> = {
  sessionId: 'lex',
  createdAt: 'created',
  updatedAt: 'updated',
};

/**
 * Session memory in Redis through the Upstash REST protocol. Each method is one round trip
 * (one script or one command); the scripts, with their keys and arguments, are
 * `scripts/*.lua` (append-event, get-session, set-summary, delete-event, delete-session,
 * list-sessions), the key layout keys.ts.
 */
export class UpstashSessionStore implements SessionStore {
  private readonly appendScript;
  private readonly getScript;
  private readonly deleteEventScript;
  private readonly deleteSessionScript;
  private readonly listScript;
  private readonly namespaceListScript;
  private readonly summaryScript;

  constructor(
    private readonly redis: Redis,
    private readonly options: {
      readonly maxEventsPerSession?: number;
      readonly maxBytesPerSession?: number;
    } = {},
  ) {
    this.appendScript = redis.createScript<unknown>(APPEND_EVENT.source);
    this.getScript = redis.createScript<unknown, true>(GET_SESSION.source, { readonly: true });
    this.deleteEventScript = redis.createScript<unknown>(DELETE_EVENT.source);
    this.deleteSessionScript = redis.createScript<unknown>(DELETE_SESSION.source);
    this.listScript = redis.createScript<unknown>(LIST_SESSIONS.source);
    this.namespaceListScript = redis.createScript<unknown>(LIST_NAMESPACE_SESSIONS.source);
    this.summaryScript = redis.createScript<unknown>(SET_SUMMARY.source);
  }

  async appendEvent({
    storeId,
    event,
    namespace,
    namespaceId,
    now,
    idempotency,
  }: AppendEventInput): Promise<AppendEventResult> {
    const { sessionId } = event;
    const reply = await redisCall('append event', () =>
      this.appendScript.exec(
        [
          storeKeys.config(storeId),
          sessionKeys.meta(storeId, sessionId),
          sessionKeys.events(storeId, sessionId),
          sessionKeys.order(storeId, sessionId),
          storeKeys.sessionExpiry(storeId),
          storeKeys.sessionOwners(storeId),
          storeKeys.promotionDue(storeId),
          storeKeys.usage(storeId),
          storeKeys.sessionUsage(storeId),
        ],
        [
          storePrefix(storeId),
          sessionId,
          event.eventId,
          JSON.stringify(event),
          String(Date.parse(event.createdAt)),
          event.actorId,
          namespace ?? '',
          String(now),
          String(this.options.maxEventsPerSession ?? LIMITS.eventsPerSession),
          // The idempotency record's format lives in append-event.lua alone.
          idempotency?.key ?? '',
          idempotency?.requestHash ?? '',
          String(DEFAULT_QUOTAS.sessions),
          String(DEFAULT_QUOTAS.events),
          String(DEFAULT_QUOTAS.bytes),
          namespaceId ?? '',
          String(this.options.maxBytesPerSession ?? LIMITS.sessionBytes),
        ],
      ),
    );
    const parsed = appendReplySchema.parse(reply);
    if (parsed[0] === -3) return { status: 'namespace-mismatch' };
    if (parsed[0] === -4) return { status: 'namespace-missing' };
    if (parsed[0] === -5) return { status: 'namespace-archived' };
    if (parsed[0] === 0) return { status: 'store-not-found' };
    if (parsed[0] === -1) return { status: 'session-full', limit: parsed[1], max: parsed[2] };
    if (parsed[0] === -6) return { status: 'owner-erasing' };
    if (parsed[0] === -2) return { status: 'over-quota', quota: parsed[1], limit: parsed[2] };
    if (parsed[0] === 2) return { status: 'replayed', eventId: parsed[1], requestHash: parsed[2] };
    const [, ownerId, storedNamespace, created, opened, dueAt] = parsed;
    return {
      status: 'appended',
      ownerId,
      namespace: storedNamespace === '' ? undefined : storedNamespace,
      sessionCreated: created === 1,
      promotionWindow: opened === 1 ? { openedAt: now, dueAt } : undefined,
    };
  }

  async getSession(storeId: string, sessionId: string): Promise<SessionMemory | undefined> {
    const reply = await redisCall('read session', () =>
      this.getScript.exec(
        [
          sessionKeys.meta(storeId, sessionId),
          sessionKeys.events(storeId, sessionId),
          sessionKeys.order(storeId, sessionId),
        ],
        [],
      ),
    );
    if (reply === null) return undefined;
    const [ownerId, namespace, summary, namespaceId, ...events] = z.array(z.string()).min(4).parse(reply);
    return {
      sessionId,
      ownerId: ownerId!,
      ...(namespace ? { namespace } : {}),
      ...(namespaceId ? { namespaceId } : {}),
      events: events.map((raw) => storedEventSchema.parse(raw)),
      ...(summary ? { summary: sessionSummarySchema.parse(JSON.parse(summary)) } : {}),
    };
  }

  async setSummary(storeId: string, sessionId: string, summary: SessionSummary): Promise<boolean> {
    const reply = await redisCall('store session summary', () =>
      this.summaryScript.exec(
        [sessionKeys.meta(storeId, sessionId)],
        [JSON.stringify(sessionSummarySchema.parse(summary))],
      ),
    );
    return reply === 1;
  }

  async getEvent(storeId: string, sessionId: string, eventId: string): Promise<SessionEvent | undefined> {
    const raw = await redisCall('read event', () =>
      this.redis.hget<string>(sessionKeys.events(storeId, sessionId), eventId),
    );
    return raw === null ? undefined : storedEventSchema.parse(raw);
  }

  async deleteEvent(storeId: string, sessionId: string, eventId: string, now: number): Promise<boolean> {
    const reply = await redisCall('delete event', () =>
      this.deleteEventScript.exec(
        [
          sessionKeys.meta(storeId, sessionId),
          sessionKeys.events(storeId, sessionId),
          sessionKeys.order(storeId, sessionId),
          storeKeys.usage(storeId),
          storeKeys.sessionUsage(storeId),
        ],
        [storePrefix(storeId), sessionId, eventId, String(now)],
      ),
    );
    return reply === 1;
  }

  async deleteSession(storeId: string, sessionId: string): Promise<boolean> {
    const reply = await redisCall('delete session', () =>
      this.deleteSessionScript.exec(
        [
          sessionKeys.meta(storeId, sessionId),
          sessionKeys.events(storeId, sessionId),
          sessionKeys.order(storeId, sessionId),
          sessionKeys.promotion(storeId, sessionId),
          storeKeys.sessionExpiry(storeId),
          storeKeys.sessionOwners(storeId),
          storeKeys.promotionDue(storeId),
          storeKeys.usage(storeId),
          storeKeys.sessionUsage(storeId),
        ],
        [storePrefix(storeId), sessionId],
      ),
    );
    return reply === 1;
  }

  async listSessionIds(query: SessionPageQuery): Promise<{ ids: string[]; total: number }> {
    const { total, ids } = await this.page(query, 'created', false, false);
    return { ids, total };
  }

  async listSessionRows(
    query: SessionPageQuery & { sortBy: 'sessionId' | 'createdAt' | 'updatedAt'; sortOrder: 'asc' | 'desc' },
  ): Promise<{ rows: SessionRow[]; total: number }> {
    const { total, ids, rowFields } = await this.page(
      query,
      SORT_INDEX[query.sortBy],
      query.sortOrder === 'desc',
      true,
    );
    const rows = ids.map((sessionId, i): SessionRow => {
      const [ownerId, namespace, createdAt, updatedAt, namespaceId] = rowFields.slice(i * 5, i * 5 + 5);
      return {
        sessionId,
        ownerId: ownerId || undefined,
        namespace: namespace || undefined,
        ...(namespaceId ? { namespaceId } : {}),
        createdAt: Number(createdAt),
        updatedAt: Number(updatedAt),
      };
    });
    return { rows, total };
  }

  async listNamespaceSessionRows(
    query: SessionPageQuery & {
      namespaceId: string;
      sortBy: 'sessionId' | 'createdAt' | 'updatedAt';
      sortOrder: 'asc' | 'desc';
    },
  ): Promise<{ rows: SessionRow[]; total: number }> {
    namespaceKeys.members(query.storeId, query.namespaceId); // validates the id as a key part
    const reply = await redisCall('list sessions', () =>
      this.namespaceListScript.exec(
        [],
        [
          storePrefix(query.storeId),
          query.namespaceId,
          query.ownerId ?? '',
          query.sortBy,
          query.sortOrder === 'desc' ? '1' : '0',
          String(query.offset),
          String(query.limit),
        ],
      ),
    );
    const values = listReplySchema.parse(reply).map(String);
    const total = Number(values[0]);
    const rows: SessionRow[] = [];
    for (let i = 2; i + 6 <= values.length; i += 6) {
      const [sessionId, ownerId, namespace, createdAt, updatedAt, namespaceId] = values.slice(i, i + 6);
      rows.push({
        sessionId: sessionId!,
        ownerId: ownerId || undefined,
        namespace: namespace || undefined,
        namespaceId: namespaceId!,
        createdAt: Number(createdAt),
        updatedAt: Number(updatedAt),
      });
    }
    return { rows, total };
  }

  private async page(
    query: SessionPageQuery,
    sort: SessionIndexSort,
    descending: boolean,
    withRows: boolean,
  ) {
    const { storeId, ownerId } = query;
    const index =
      ownerId === undefined
        ? storeKeys.sessionIndex(storeId, sort)
        : storeKeys.ownerSessionIndex(storeId, ownerId, sort);
    const reply = await redisCall('list sessions', () =>
      this.listScript.exec(
        [
          storeKeys.sessionExpiry(storeId),
          storeKeys.sessionOwners(storeId),
          index,
          storeKeys.usage(storeId),
          storeKeys.sessionUsage(storeId),
        ],
        [
          storePrefix(storeId),
          String(query.now),
          String(query.offset),
          String(query.limit),
          descending ? '1' : '0',
          withRows ? '1' : '0',
        ],
      ),
    );
    const values = listReplySchema.parse(reply);
    const total = Number(values[0]);
    const count = Number(values[1]);
    const ids = values.slice(2, 2 + count).map(String);
    const rowFields = values.slice(2 + count).map(String);
    return { total, ids, rowFields };
  }
}
