import * as z from 'zod';
import { VIEW_LIMITS } from '../domain/summary-views.js';
import { dateTimeSchema, idSchema, storePathSchema } from './common.js';
import { topicSchema } from './long-term-memory.js';
import { customFieldTypeSchema, promptProblem } from './store-config.js';

/**
 * Summary views (issue 16; landscape §1.4; decision record 0020): materialized summaries of a
 * store's long-term memory, one result per exact combination of group values (a partition).
 * Field names follow the managed product's n8n node where it shows them (Group By, Output Format,
 * Instructions, Refresh Mode, Debounce, Reconcile Interval, Time Window, Max Partitions) in the
 * camelCase of the rest of this API.
 */

/** What a view may group by: the memory fields of the same names. */
export const GROUP_FIELDS = ['ownerId', 'sessionId', 'namespace', 'memoryType'] as const;
export const groupFieldSchema = z.enum(GROUP_FIELDS);
export type GroupField = z.infer<typeof groupFieldSchema>;

const viewNameSchema = z
  .string()
  .trim()
  .min(1, 'must be 1-100 characters')
  .max(100, 'must be 1-100 characters');

const fieldNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'must match ^[a-zA-Z][a-zA-Z0-9_]*$');

export const viewOutputSchema = z.discriminatedUnion('format', [
  z.strictObject({ format: z.literal('text') }),
  z.strictObject({
    format: z.literal('structured'),
    /** The declared fields the model fills (a forced tool whose input schema they are). */
    schema: z.strictObject({
      fields: z
        .array(
          z.strictObject({
            name: fieldNameSchema,
            description: z.string().min(1).max(200),
            type: customFieldTypeSchema,
          }),
        )
        .min(1, 'must declare at least one field')
        .max(VIEW_LIMITS.structuredFields, `must declare at most ${VIEW_LIMITS.structuredFields} fields`)
        .refine((fields) => new Set(fields.map((f) => f.name)).size === fields.length, {
          message: 'field names must be unique',
        }),
    }),
  }),
]);
export type ViewOutput = z.infer<typeof viewOutputSchema>;

export const viewRefreshSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('manual') }),
  z.strictObject({
    mode: z.literal('continuous'),
    /** Seconds after the first write of a burst before the refresh runs (SQS delays up to 900). */
    debounceSeconds: z.number().int().min(0).max(900).default(VIEW_LIMITS.defaultDebounceSeconds),
    /** How often maintenance re-checks the view against its memories (catches what writes missed). */
    reconcileIntervalSeconds: z
      .number()
      .int()
      .min(300)
      .max(7 * 86_400)
      .default(VIEW_LIMITS.defaultReconcileSeconds),
  }),
]);
export type ViewRefresh = z.infer<typeof viewRefreshSchema>;

/** Which memories a view reads (every given filter must hold). */
export const viewFiltersSchema = z.strictObject({
  ownerId: idSchema.optional(),
  namespace: idSchema.optional(),
  sessionId: idSchema.optional(),
  memoryType: z.string().min(1).max(64).optional(),
  /** Any of these topics. */
  topics: z.array(topicSchema).min(1).max(20).optional(),
  /** Only memories created within this many seconds before the refresh. */
  timeWindowSeconds: z
    .number()
    .int()
    .min(60)
    .max(366 * 86_400)
    .optional(),
});
export type ViewFilters = z.infer<typeof viewFiltersSchema>;

const instructionsSchema = z
  .string()
  .min(1)
  .max(VIEW_LIMITS.instructionsChars)
  .superRefine((prompt, ctx) => {
    // The same screen as custom extraction prompts (store config): instructions reach the model.
    const problem = promptProblem(prompt);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const groupBySchema = z
  .array(groupFieldSchema)
  .max(GROUP_FIELDS.length)
  .refine((fields) => new Set(fields).size === fields.length, { message: 'must not repeat a field' });

export const createSummaryViewRequestSchema = z.strictObject({
  name: viewNameSchema,
  /** The only source (the managed product's `LONG_TERM`); document-derived records are excluded. */
  source: z.literal('longTermMemory').default('longTermMemory'),
  /** Empty: one partition for the whole view. */
  groupBy: groupBySchema.default([]),
  filters: viewFiltersSchema.default({}),
  output: viewOutputSchema.default({ format: 'text' }),
  instructions: instructionsSchema.optional(),
  refresh: viewRefreshSchema.default({ mode: 'manual' }),
  maxPartitions: z.number().int().min(1).max(VIEW_LIMITS.maxPartitions).default(100),
  /** `private`: only keys of the creating key's line see it. */
  visibility: z.enum(['private', 'shared']).default('private'),
});
export type CreateSummaryViewRequest = z.infer<typeof createSummaryViewRequestSchema>;

/** PATCH: partial; `groupBy` and `source` are fixed at creation (partitions are keyed by them). */
export const updateSummaryViewRequestSchema = z
  .strictObject({
    name: viewNameSchema.optional(),
    filters: viewFiltersSchema.optional(),
    output: viewOutputSchema.optional(),
    /** `null` clears them. */
    instructions: instructionsSchema.nullable().optional(),
    refresh: viewRefreshSchema.optional(),
    maxPartitions: z.number().int().min(1).max(VIEW_LIMITS.maxPartitions).optional(),
    visibility: z.enum(['private', 'shared']).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one field' });
export type UpdateSummaryViewRequest = z.infer<typeof updateSummaryViewRequestSchema>;

/** A view as stored and returned. Times as RFC 3339 in responses, epoch ms in storage. */
export const summaryViewSchema = z.object({
  id: idSchema,
  name: z.string(),
  /** The creating key's principal (decision record 0020); immutable. */
  ownerId: z.string(),
  visibility: z.enum(['private', 'shared']),
  source: z.literal('longTermMemory'),
  groupBy: z.array(groupFieldSchema),
  filters: viewFiltersSchema,
  output: viewOutputSchema,
  instructions: z.string().optional(),
  refresh: viewRefreshSchema,
  maxPartitions: z.number().int(),
  createdAt: dateTimeSchema,
  updatedAt: dateTimeSchema,
});
export type SummaryView = z.infer<typeof summaryViewSchema>;

/** The stored form: epoch ms, plus the definition's version (a change that alters results bumps it). */
export const storedSummaryViewSchema = summaryViewSchema.extend({
  createdAt: z.number(),
  updatedAt: z.number(),
  revision: z.number().int(),
});
export type StoredSummaryView = z.infer<typeof storedSummaryViewSchema>;

/** One partition's group values: exactly the view's `groupBy` fields. */
export const groupValuesSchema = z.strictObject({
  ownerId: idSchema.optional(),
  sessionId: idSchema.optional(),
  namespace: idSchema.optional(),
  memoryType: z.string().min(1).max(64).optional(),
});
export type GroupValues = z.infer<typeof groupValuesSchema>;

export const partitionStateSchema = z.enum(['pending', 'ready', 'failed', 'stale']);
export type PartitionState = z.infer<typeof partitionStateSchema>;

export const viewPartitionSchema = z.object({
  viewId: idSchema,
  /** Derived from the group values (stable; the same values give the same id). */
  partitionId: z.string(),
  group: groupValuesSchema,
  /**
   * `pending`: never computed (a refresh is queued or due); `ready`: current; `stale`: computed, but
   * memories changed since (a refresh is queued for a continuous view); `failed`: the last refresh
   * failed (`error`), and the previous result, if any, is still returned.
   */
  state: partitionStateSchema,
  /** Memories the result covers. */
  memoryCount: z.number().int(),
  computedAt: dateTimeSchema.optional(),
  /** `text` output. */
  text: z.string().optional(),
  /** `structured` output: the declared fields. */
  fields: z.record(z.string(), z.unknown()).optional(),
  coverage: z.object({
    /** The ids of the memories the result covers (at most `memoryIdsMax`; `memoryIdsTruncated` says more). */
    memoryIds: z.array(z.string()),
    memoryIdsTruncated: z.boolean(),
    /** Memories written, changed or deleted in this partition since the result was computed. */
    newerCount: z.number().int(),
  }),
  /** Model tokens of the last refresh. */
  usage: z.object({ inputTokens: z.number().int(), outputTokens: z.number().int() }).optional(),
  error: z.object({ code: z.string(), message: z.string(), at: dateTimeSchema }).optional(),
  refreshes: z.number().int(),
});
export type ViewPartition = z.infer<typeof viewPartitionSchema>;

export const summaryViewPathSchema = storePathSchema.extend({ viewId: idSchema });

const pageTokenSchema = z.string().min(1).max(4096, 'is too long');
const limitSchema = (max: number, fallback: number) =>
  z.coerce
    .number({ message: 'must be an integer' })
    .int('must be an integer')
    .min(1, `must be between 1 and ${max}`)
    .max(max, `must be between 1 and ${max}`)
    .default(fallback);

export const listSummaryViewsQuerySchema = z.strictObject({
  limit: limitSchema(100, 20),
  pageToken: pageTokenSchema.optional(),
});
export const listSummaryViewsResponseSchema = z.object({
  items: z.array(summaryViewSchema),
  total: z.number().int(),
  nextPageToken: z.string().optional(),
});

export const listPartitionsQuerySchema = z.strictObject({
  limit: limitSchema(100, 20),
  pageToken: pageTokenSchema.optional(),
});
export const listPartitionsResponseSchema = z.object({
  items: z.array(viewPartitionSchema),
  total: z.number().int(),
  nextPageToken: z.string().optional(),
});

/** GET one partition: the group values as query parameters (exactly the view's `groupBy`). */
export const getPartitionQuerySchema = groupValuesSchema;

export const refreshViewRequestSchema = z.strictObject({
  /** One partition's group values; omitted refreshes every partition (and finds new ones). */
  group: groupValuesSchema.optional(),
});
export const refreshViewResponseSchema = z.object({
  viewId: idSchema,
  /** The partition queued, or absent when every partition is. */
  partitionId: z.string().optional(),
  status: z.literal('queued'),
  requestedAt: dateTimeSchema,
});

/** A refresh job on the view-refresh queue. A pointer: no memory text travels in it. */
export const viewRefreshMessageSchema = z.object({
  version: z.literal(1),
  kind: z.literal('view-refresh'),
  storeId: idSchema,
  viewId: idSchema,
  /** One partition; absent: find every partition of the view and refresh those that need it. */
  partitionId: z
    .string()
    .regex(/^[a-f0-9]{32}$/)
    .optional(),
  reason: z.enum(['write', 'request', 'reconcile']),
});
export type ViewRefreshMessage = z.infer<typeof viewRefreshMessageSchema>;
