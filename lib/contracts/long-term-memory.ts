import * as z from 'zod';
import { dateTimeSchema, idempotencyKeySchema, idSchema, storePathSchema } from './common.js';
import { type NamespaceRef, namespaceRefInputSchema, namespaceRefSchema } from './namespaces.js';

/** Wire types of the Data Plane v1 long-term routes (reference §3.9–3.14), plus opt-in extensions. */

export const MEMORY_TEXT_MAX = 50_000;
export const TOPICS_MAX = 50;
export const BULK_MAX = 100;
export const SEARCH_LIMIT_MAX = 100;

export const BUILT_IN_MEMORY_TYPES = ['semantic', 'episodic', 'message', 'conversation'] as const;

/**
 * Extension: the memory type of conversation records, the session's own turns that promotion keeps
 * in long-term memory beside the extracted facts (docs/decisions/0009-conversation-memory.md).
 * Filter with `memoryType: {eq: "conversation"}` for the conversation only, `{ne: …}` for facts only.
 */
export const CONVERSATION_MEMORY_TYPE = 'conversation';

/** Who said a conversation record's turn: the event's actor and role. */
export const speakerRoleSchema = z.enum(['USER', 'ASSISTANT', 'SYSTEM']);

export const memoryTypeSchema = z
  .string()
  .min(1, 'must be 1-64 characters')
  .max(64, 'must be 1-64 characters')
  .regex(/^[a-zA-Z][a-zA-Z0-9_-]*$/, 'must match ^[a-zA-Z][a-zA-Z0-9_-]*$');

export const memoryTextSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(MEMORY_TEXT_MAX, `must be at most ${MEMORY_TEXT_MAX} characters`);

export const topicSchema = z.string().min(1, 'must be 1-100 characters').max(100, 'must be 1-100 characters');
export const topicsSchema = z.array(topicSchema).max(TOPICS_MAX, `must have at most ${TOPICS_MAX} topics`);

/** Values are checked against the custom memory type's declared field types by the use case. */
export const attributeMapSchema = z.record(z.string().min(1).max(64), z.unknown());

/**
 * Extension: opaque references to what a memory came from (event ids, or any caller reference
 * such as a document position). Kept on the record so every memory can be traced to its origin.
 */
export const sourceRefsSchema = z
  .array(
    z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9:._-]+$/, 'must match ^[A-Za-z0-9:._-]+$'),
  )
  .max(100, 'must have at most 100 references');

export const createMemoryRecordSchema = z
  .object({
    id: idSchema,
    text: memoryTextSchema,
    memoryType: memoryTypeSchema.optional(),
    sessionId: idSchema.optional(),
    ownerId: idSchema,
    namespace: idSchema.optional(),
    topics: topicsSchema.optional(),
    attributes: attributeMapSchema.optional(),
    sourceRefs: sourceRefsSchema.optional(),
    /**
     * Extension: when what the memory records happened or was said (RFC 3339), e.g. the time of the
     * message it came from; `createdAt` stays the time it was stored. Returned in UTC. Hybrid search
     * orders a session's memories by it to give each its conversational context.
     */
    occurredAt: dateTimeSchema.optional(),
    /** Extension: named things the memory mentions (people, places, products). */
    entities: z.array(z.string().min(1).max(100)).max(50).optional(),
    /** The namespace resource to file it under (reference §3.16); never together with `namespace`. */
    namespaceRef: namespaceRefInputSchema.optional(),
  })
  .refine((r) => r.namespace === undefined || r.namespaceRef === undefined, {
    path: ['namespaceRef'],
    message: 'must not be combined with namespace',
  });
export type CreateMemoryRecord = z.infer<typeof createMemoryRecordSchema>;

/** Items are validated one by one (partial success), so the envelope only checks the array. */
export const bulkCreateRequestSchema = z.object({
  memories: z
    .array(z.unknown())
    .min(1, 'must have at least one memory')
    .max(BULK_MAX, `must have at most ${BULK_MAX} memories`),
});

/**
 * Extension: `Idempotency-Key` on a bulk create. A retry with the same key and body answers what
 * the first request answered (201, same body) without writing; another body under the key is a 409.
 */
export const bulkCreateHeadersSchema = z.object({
  'Idempotency-Key': idempotencyKeySchema.optional(),
});

export const bulkDeleteRequestSchema = z.object({
  memoryIds: z
    .array(z.unknown())
    .min(1, 'must have at least one id')
    .max(BULK_MAX, `must have at most ${BULK_MAX} ids`),
});

export const updateMemoryRequestSchema = z.object({
  text: memoryTextSchema.optional(),
  memoryType: memoryTypeSchema.optional(),
  topics: topicsSchema.optional(),
  /**
   * `""` clears the namespace; omitted leaves it unchanged. (The reference's prose also says
   * "omit to clear"; we read PATCH as partial, so a text edit never drops a record's namespace.)
   */
  namespace: z.union([idSchema, z.literal('')]).optional(),
  ownerId: idSchema.optional(),
  /** `""` clears; omitted leaves it unchanged (as `namespace`). */
  sessionId: z.union([idSchema, z.literal('')]).optional(),
});
export type UpdateMemoryRequest = z.infer<typeof updateMemoryRequestSchema>;

export const updateMemoryFieldsRequestSchema = z.object({
  memoryType: memoryTypeSchema,
  namespace: idSchema.optional(),
  text: memoryTextSchema.optional(),
  attributes: attributeMapSchema.optional(),
});
export type UpdateMemoryFieldsRequest = z.infer<typeof updateMemoryFieldsRequestSchema>;

// ---- search ----

const tagFilter = <T extends z.ZodType<string>>(value: T) =>
  z
    .object({
      eq: value.optional(),
      ne: value.optional(),
      in: z.array(value).min(1).max(100).optional(),
      all: z.array(value).min(1).max(100).optional(),
    })
    .strict()
    .refine((f) => Object.values(f).filter((v) => v !== undefined).length === 1, {
      message: 'must set exactly one of eq, ne, in, all',
    });

export const createdAtFilterSchema = z
  .object({
    gt: dateTimeSchema.optional(),
    gte: dateTimeSchema.optional(),
    lt: dateTimeSchema.optional(),
    lte: dateTimeSchema.optional(),
    eq: dateTimeSchema.optional(),
  })
  .strict()
  .refine((f) => Object.values(f).some((v) => v !== undefined), { message: 'must set at least one bound' });

export const attributeClauseSchema = z.union([
  z.object({ string: z.string() }).strict(),
  z.object({ number: z.number() }).strict(),
  z.object({ boolean: z.boolean() }).strict(),
  z.object({ list: z.array(z.string()).min(1).max(100) }).strict(),
]);
export type AttributeClause = z.infer<typeof attributeClauseSchema>;

export const memoryFilterSchema = z
  .object({
    sessionId: tagFilter(idSchema).optional(),
    ownerId: tagFilter(idSchema).optional(),
    namespace: tagFilter(idSchema).optional(),
    /** Namespace resources by exact id (`eq` or `in`); a parent does not match its descendants. */
    namespaceRef: z
      .object({ eq: idSchema.optional(), in: z.array(idSchema).min(1).max(100).optional() })
      .strict()
      .refine((f) => (f.eq === undefined) !== (f.in === undefined), {
        message: 'must set exactly one of eq, in',
      })
      .optional(),
    topics: tagFilter(topicSchema).optional(),
    memoryType: tagFilter(z.string().min(1).max(64)).optional(),
    createdAt: createdAtFilterSchema.optional(),
    attributes: z.record(z.string().min(1).max(64), attributeClauseSchema).optional(),
  })
  .strict()
  .refine((f) => f.namespace === undefined || f.namespaceRef === undefined, {
    path: ['namespaceRef'],
    message: 'must not be combined with namespace',
  });
export type MemoryFilter = z.infer<typeof memoryFilterSchema>;
export type TagFilter = { eq?: string; ne?: string; in?: string[]; all?: string[] };

export const searchModeSchema = z.enum(['semantic', 'keyword', 'hybrid']);
export type SearchMode = z.infer<typeof searchModeSchema>;

export const recencySchema = z
  .object({
    /** Share of the final score given to recency, 0 (off) to 1. */
    weight: z.number().min(0).max(1),
    /** Days after which the recency boost halves. */
    halfLifeDays: z.number().positive().max(36_500).default(30),
    field: z.enum(['createdAt', 'lastAccessedAt']).default('createdAt'),
  })
  .strict();

export const searchRequestSchema = z.object({
  text: z.string().max(MEMORY_TEXT_MAX, `must be at most ${MEMORY_TEXT_MAX} characters`).optional(),
  similarityThreshold: z.number().min(0).max(1).optional(),
  filter: memoryFilterSchema.optional(),
  filterOp: z.enum(['all', 'any']).default('all'),
  limit: z.number().int().min(1).max(SEARCH_LIMIT_MAX).default(10),
  pageToken: z.string().min(1).max(4096).optional(),
  // Extensions (opt-in).
  searchMode: searchModeSchema.optional(),
  includeScores: z.boolean().optional(),
  recency: recencySchema.optional(),
});
export type SearchRequest = z.infer<typeof searchRequestSchema>;

/** The record as the API returns it (reference `MemoryRecord`, plus `sourceRefs` when present). */
export interface MemoryRecordView {
  readonly id: string;
  readonly text: string;
  readonly memoryType: string;
  readonly sessionId?: string;
  readonly ownerId: string;
  readonly namespace?: string;
  /** The namespace resource it is filed under, with that namespace's name and path as they are now. */
  readonly namespaceRef?: NamespaceRef;
  readonly topics: readonly string[];
  readonly attributes?: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sourceRefs?: readonly string[];
  readonly occurredAt?: string;
  readonly entities?: readonly string[];
  /** Set when a newer memory contradicted this one; it is kept as history but no longer searched. */
  readonly supersededBy?: string;
  /** The memories this one replaced. */
  readonly supersedes?: readonly string[];
  /** Conversation records: the speaker's actor id and role. */
  readonly actorId?: string;
  readonly role?: z.infer<typeof speakerRoleSchema>;
  readonly score?: number;
}

/** A record as stored. Timestamps in epoch ms. */
export const storedMemorySchema = z.object({
  id: z.string(),
  text: z.string(),
  memoryType: z.string(),
  sessionId: z.string().optional(),
  ownerId: z.string(),
  namespace: z.string().optional(),
  /**
   * The namespace resource it is filed under. Only the id is stored: the name and path a client
   * sees are read from the namespace, so a rename rewrites no record (decision record 0014).
   */
  namespaceId: z.string().optional(),
  topics: z.array(z.string()),
  attributes: z.record(z.string(), z.unknown()).optional(),
  sourceRefs: z.array(z.string()).optional(),
  /**
   * Source event id -> its session, for the events a consolidation merge brought in from a session
   * other than the record's `sessionId` (the sources route finds them there). Not returned by reads.
   */
  sourceSessions: z.record(z.string(), z.string()).optional(),
  /** Epoch ms of `occurredAt`, when the writer gave one. */
  occurredAt: z.number().optional(),
  entities: z.array(z.string()).optional(),
  supersededBy: z.string().optional(),
  supersedes: z.array(z.string()).optional(),
  /** Extractor that made it (absent for direct writes). */
  extractedBy: z.string().optional(),
  /**
   * The server's order of the record within its session (see `conversationOrder` in
   * lib/domain/ranking.ts): server ms × 1000 + position. Absent on records written before it existed.
   */
  seq: z.number().optional(),
  /** Conversation records: who said the turn. */
  actorId: z.string().optional(),
  role: speakerRoleSchema.optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /**
   * When the store's long-term TTL ends (ms). Reads treat the record as gone from then on; the
   * maintenance sweep deletes it from every index through the same path as DELETE.
   */
  expiresAt: z.number(),
  /** Embedding model the record's vector was made with. */
  embeddingModel: z.string(),
  /** sha256 of the fields that define the memory, for idempotent re-posts. */
  contentHash: z.string(),
});
export type StoredMemory = z.infer<typeof storedMemorySchema>;

export const memoryPathSchema = storePathSchema.extend({ memoryId: idSchema });

// ---- documented shapes and responses (the OpenAPI document and the SDK's types come from these) ----

/**
 * The bulk bodies as documented: the handlers check the envelope first and each item on its own
 * ({@link createMemoryRecordSchema}, {@link idSchema}) so one bad item never fails the others.
 */
export const bulkCreateRequestDocumentedSchema = z.object({
  memories: z.array(createMemoryRecordSchema).min(1).max(BULK_MAX),
});
export const bulkDeleteRequestDocumentedSchema = z.object({
  memoryIds: z.array(idSchema).min(1).max(BULK_MAX),
});

/** Reference `MemoryRecord` as returned, plus the extensions when present. */
export const memoryRecordSchema = z.object({
  id: idSchema,
  text: z.string(),
  memoryType: z.string(),
  sessionId: idSchema.optional(),
  ownerId: idSchema,
  namespace: idSchema.optional(),
  namespaceRef: namespaceRefSchema.optional(),
  topics: z.array(z.string()),
  attributes: z.record(z.string(), z.unknown()).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  sourceRefs: z.array(z.string()).optional(),
  occurredAt: z.string().optional(),
  entities: z.array(z.string()).optional(),
  /** Set when a newer memory contradicted this one; kept as history, no longer searched. */
  supersededBy: z.string().optional(),
  /** The memories this one replaced. */
  supersedes: z.array(z.string()).optional(),
  /** Extension, conversation records: the speaker's actor id and role. */
  actorId: idSchema.optional(),
  role: speakerRoleSchema.optional(),
  /** Only with `includeScores: true` on a search. */
  score: z.number().optional(),
});

const bulkOperationErrorSchema = z.object({
  /** The item's id, or its position (`memories[3]`) when it had no usable id. */
  id: z.string(),
  error: z.string(),
});

export const bulkCreateResponseSchema = z.object({
  created: z.array(z.string()),
  errors: z.array(bulkOperationErrorSchema),
});

export const bulkDeleteResponseSchema = z.object({
  deleted: z.array(z.string()),
  errors: z.array(bulkOperationErrorSchema),
});

export const searchResponseSchema = z.object({
  items: z.array(memoryRecordSchema),
  nextPageToken: z.string().optional(),
});
