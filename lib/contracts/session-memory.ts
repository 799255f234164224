import * as z from 'zod';
import { LIMITS } from '../domain/limits.js';
import { dateTimeSchema, eventIdSchema, idempotencyKeySchema, idSchema, storePathSchema } from './common.js';

/** Wire types of the Data Plane v1 session-memory routes (reference §3.3–3.8, v1+ §3.5). */

export const messageRoleSchema = z.enum(['USER', 'ASSISTANT', 'SYSTEM']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

/** `Content` is a oneOf with text as its only part kind. */
export const contentPartSchema = z.object({ text: z.string() });
export type ContentPart = z.infer<typeof contentPartSchema>;

export const addSessionEventRequestSchema = z.object({
  sessionId: idSchema.optional(),
  actorId: idSchema,
  namespace: idSchema.optional(),
  /**
   * The namespace resource (reference §3.16): the first event binds the session; later events may
   * repeat it. Never together with `namespace` (the use case answers 400).
   */
  namespaceRef: z.object({ namespaceId: idSchema }).strict().optional(),
  role: messageRoleSchema,
  content: z
    .array(contentPartSchema)
    .min(1, 'must have at least one part')
    .max(LIMITS.eventContentParts, `must have at most ${LIMITS.eventContentParts} parts`),
  createdAt: dateTimeSchema,
  metadata: z.unknown().optional(),
});
export type AddSessionEventRequest = z.infer<typeof addSessionEventRequestSchema>;

/**
 * Extension: `Idempotency-Key` on an append, 1-128 visible ASCII characters. A retry of a request
 * whose answer was lost returns the event stored the first time instead of a copy.
 */
export const addSessionEventHeadersSchema = z.object({
  'Idempotency-Key': idempotencyKeySchema.optional(),
});

export const sessionEventSchema = z.object({
  eventId: eventIdSchema,
  actorId: idSchema,
  sessionId: idSchema,
  role: messageRoleSchema,
  content: z.array(contentPartSchema),
  createdAt: z.string(),
  systemTimestamp: z.string(),
  metadata: z.unknown().optional(),
});
export type SessionEvent = z.infer<typeof sessionEventSchema>;

export const sessionSummarySchema = z.object({
  text: z.string(),
  summarizedUpToEventId: eventIdSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  summarizedEvents: z.number().int().min(1),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export interface SessionMemory {
  readonly sessionId: string;
  readonly ownerId: string;
  readonly namespace?: string;
  /** Storage only: the bound namespace resource's id (the response shows `namespaceRef`). */
  readonly namespaceId?: string;
  readonly namespaceRef?: { readonly namespaceId: string; readonly name: string; readonly path: string };
  readonly events: readonly SessionEvent[];
  readonly summary?: SessionSummary;
}

/** Query booleans arrive as text; only the two spellings a client would send are accepted. */
const queryBoolean = z
  .enum(['true', 'false'], { message: 'must be true or false' })
  .transform((v) => v === 'true');

export const pageTokenSchema = z.string().min(1).max(LIMITS.pageTokenChars, 'is too long');

export const limitSchema = (max: number, fallback: number) =>
  z.coerce
    .number({ message: 'must be an integer' })
    .int('must be an integer')
    .min(1, `must be between 1 and ${max}`)
    .max(max, `must be between 1 and ${max}`)
    .default(fallback);

/** Exactly one of `filterOwnerId` or `includeAll=true` (reference §3.4). */
function ownerScope<T extends { filterOwnerId?: string | undefined; includeAll?: boolean | undefined }>(
  query: T,
  ctx: z.core.$RefinementCtx,
) {
  if (query.filterOwnerId !== undefined && query.includeAll !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['includeAll'],
      message: 'must not be combined with filterOwnerId',
    });
  } else if (query.filterOwnerId === undefined && query.includeAll !== true) {
    ctx.addIssue({
      code: 'custom',
      path: ['includeAll'],
      message: 'must be true when no filterOwnerId is given',
    });
  }
}

export const listSessionsQuerySchema = z
  .object({
    limit: limitSchema(LIMITS.listSessionsMax, LIMITS.listSessionsDefault),
    pageToken: pageTokenSchema.optional(),
    filterOwnerId: idSchema.optional(),
    includeAll: queryBoolean.optional(),
  })
  .superRefine(ownerScope);
export type ListSessionsQuery = z.infer<typeof listSessionsQuerySchema>;

export const sessionSortBySchema = z.enum(['sessionId', 'createdAt', 'updatedAt']);
export type SessionSortBy = z.infer<typeof sessionSortBySchema>;
export const sortOrderSchema = z.enum(['asc', 'desc']);
export type SortOrder = z.infer<typeof sortOrderSchema>;

export const listSessionSummariesQuerySchema = z
  .object({
    limit: limitSchema(LIMITS.listSessionsMax, LIMITS.listSessionsDefault),
    pageToken: pageTokenSchema.optional(),
    filterOwnerId: idSchema.optional(),
    /** Only the sessions bound to this namespace resource (ANDed with `filterOwnerId`). */
    namespaceRef: idSchema.optional(),
    includeAll: queryBoolean.optional(),
    sortBy: sessionSortBySchema.default('updatedAt'),
    sortOrder: sortOrderSchema.optional(),
  })
  .superRefine((query, ctx) => {
    // A namespace is a filter of its own (reference §3.5): no includeAll needed with it, or allowed.
    if (query.namespaceRef === undefined) return ownerScope(query, ctx);
    if (query.includeAll !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['includeAll'],
        message: 'must not be combined with namespaceRef',
      });
  })
  .transform((query) => ({
    ...query,
    // Reference: default desc for timestamps, asc for sessionId.
    sortOrder: query.sortOrder ?? (query.sortBy === 'sessionId' ? 'asc' : 'desc'),
  }));
export type ListSessionSummariesQuery = z.infer<typeof listSessionSummariesQuerySchema>;

export const getSessionMemoryQuerySchema = z.object({
  includeSummarisedEvents: queryBoolean.optional(),
});

export const sessionPathSchema = storePathSchema.extend({ sessionId: idSchema });
export const sessionEventPathSchema = storePathSchema.extend({
  sessionId: idSchema,
  eventId: eventIdSchema,
});

export interface SessionListItem {
  readonly sessionId: string;
  readonly ownerId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Our sessions carry a namespace label; the reference's ref has id/name/path, all equal to it here. */
  readonly namespaceRef?: { readonly namespaceId: string; readonly name: string; readonly path: string };
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly nextPageToken?: string;
}

// ---- responses (what the handlers send; the OpenAPI document and the SDK's types come from these) ----

export const addSessionEventResponseSchema = z.object({ event: sessionEventSchema });

/**
 * November family (`POST …/stores/{storeId}/sessions/{sessionId}/events`): the append's body, the
 * session named by the path. A `sessionId` in the body may be left out; one that differs from the
 * path's is a 400 naming it (the handler checks, as the schema cannot see the path).
 */
export const appendSessionEventRequestSchema = addSessionEventRequestSchema;

/**
 * November family (`POST …/stores/{storeId}/sessions`): the first event of a new session, whose id
 * the server generates. A `sessionId` in the body is a 400 naming it (to continue a session, append
 * to `…/sessions/{sessionId}/events`).
 */
export const createSessionRequestSchema = addSessionEventRequestSchema.omit({ sessionId: true });
/** The new session's id (also in `event.sessionId`) and its first event. */
export const createSessionResponseSchema = z.object({ sessionId: idSchema, event: sessionEventSchema });
export const getSessionEventResponseSchema = z.object({ event: sessionEventSchema });

export const sessionMemorySchema = z.object({
  sessionId: idSchema,
  ownerId: idSchema,
  namespace: idSchema.optional(),
  namespaceRef: z.object({ namespaceId: idSchema, name: z.string(), path: z.string() }).optional(),
  events: z.array(sessionEventSchema),
  summary: sessionSummarySchema.optional(),
});

const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    /** Every match, across pages. */
    total: z.number().int().min(0),
    /** Absent on the last page. */
    nextPageToken: z.string().optional(),
  });

export const listSessionsResponseSchema = pageOf(idSchema);

export const sessionListItemSchema = z.object({
  sessionId: idSchema,
  ownerId: idSchema.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  namespaceRef: z.object({ namespaceId: z.string(), name: z.string(), path: z.string() }).optional(),
});

export const listSessionSummariesResponseSchema = pageOf(sessionListItemSchema);

export const promotionStatusSchema = z.object({
  sessionId: idSchema,
  /** Events whose turns have been extracted. */
  processedEvents: z.number().int().min(0),
  /** Events appended since, waiting for the next run. */
  pendingEvents: z.number().int().min(0),
  watermarkEventId: eventIdSchema.optional(),
  lastRunAt: z.string().optional(),
  /** When the next run is due, if a window is open. */
  nextRunAt: z.string().optional(),
  lastError: z.object({ code: z.string(), at: z.string() }).optional(),
  memoriesWritten: z.number().int().min(0),
  /** Extension: conversation records written for the session's turns (memory type `conversation`). */
  conversationRecordsWritten: z.number().int().min(0),
  /** Model tokens of every run, failed runs included. */
  usage: z.object({ inputTokens: z.number().int().min(0), outputTokens: z.number().int().min(0) }),
  /**
   * Extension: batches the model failed to extract several runs in a row, skipped so later turns
   * still promote (their conversation records are kept). Retry with `POST …/promotion/retry-parked`.
   */
  parkedRanges: z.array(
    z.object({
      firstEventId: eventIdSchema,
      lastEventId: eventIdSchema,
      events: z.number().int().min(0),
      failures: z.number().int().min(0),
      lastErrorCode: z.string(),
      parkedAt: z.string(),
      /** An operator asked for a retry that has not run yet. */
      retryRequested: z.boolean(),
    }),
  ),
  /** Extension: the store's daily extraction budget is spent, so jobs wait (no model is called). */
  budgetExceeded: z.boolean(),
  /** When the job held back by the budget is next tried. */
  deferredUntil: z.string().optional(),
});

/** Extension: `POST …/session-memory/{sessionId}/promotion/retry-parked`. */
export const retryParkedResponseSchema = z.object({
  sessionId: idSchema,
  /** Parked ranges that will be extracted again. */
  parkedRanges: z.number().int().min(0),
  /** Whether a job was sent: only when a range is parked. */
  queued: z.boolean(),
});

/** Extension: `POST …/session-memory/{sessionId}/promotion` (promote now). */
export const promoteNowResponseSchema = z.object({
  sessionId: idSchema,
  /** Whether a job was sent: only when events are waiting. */
  queued: z.boolean(),
  pendingEvents: z.number().int().min(0),
});
