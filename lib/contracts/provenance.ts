import * as z from 'zod';
import { PROVENANCE_LIMITS } from '../domain/provenance.js';
import { eventIdSchema, idSchema } from './common.js';
import { memoryPathSchema, speakerRoleSchema } from './long-term-memory.js';
import { limitSchema, pageTokenSchema } from './session-memory.js';

/**
 * Wire types of `GET /v1/stores/{storeId}/long-term-memory/{memoryId}/sources` (extension; the
 * managed product's "Get Sources", whose schema is not published): where a memory came from, with
 * the evidence while it exists. Rules: lib/domain/provenance.ts.
 */

export const memorySourcesPathSchema = memoryPathSchema;

export const memorySourcesQuerySchema = z.object({
  limit: limitSchema(PROVENANCE_LIMITS.pageMax, PROVENANCE_LIMITS.pageDefault),
  pageToken: pageTokenSchema.optional(),
});
export type MemorySourcesQuery = z.infer<typeof memorySourcesQuerySchema>;

export const sourceStateSchema = z
  .enum(['live', 'expired', 'unresolved'])
  .describe(
    '`live`: still there; `expired`: gone from session memory (the session expired or was deleted, ' +
      'or the event was deleted); `unresolved`: not looked up (external refs, document refs until ' +
      'document resolution is available)',
  );

export const sourceEvidenceSchema = z.object({
  /** Stored text, returned as data. */
  text: z.string(),
  textTruncated: z.boolean(),
  from: z.enum(['session-memory', 'conversation-record', 'document']),
  memoryId: idSchema.optional(),
  actorId: z.string().optional(),
  role: speakerRoleSchema.optional(),
  occurredAt: z.string().optional(),
});

export const memorySourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('event'),
    ref: z.string(),
    sessionId: idSchema,
    eventId: eventIdSchema,
    state: sourceStateSchema,
    evidence: sourceEvidenceSchema.optional(),
  }),
  z.object({
    kind: z.literal('document'),
    ref: z.string(),
    documentId: idSchema,
    span: z.object({ start: z.number().int().min(0), end: z.number().int().min(0) }),
    state: sourceStateSchema,
    evidence: sourceEvidenceSchema.optional(),
  }),
  z.object({
    kind: z.literal('external'),
    ref: z.string(),
    state: z.literal('unresolved'),
  }),
]);
export type MemorySource = z.infer<typeof memorySourceSchema>;

export const memorySourcesResponseSchema = z.object({
  memoryId: idSchema,
  /** Every session the memory's event sources came from (all pages), and whether it still lives. */
  sessions: z.array(z.object({ sessionId: idSchema, state: z.enum(['live', 'expired']) })),
  /** This page's sources, in the memory's `sourceRefs` order. */
  sources: z.array(memorySourceSchema),
  /** All of the memory's sources. */
  totalSources: z.number().int().min(0),
  nextPageToken: z.string().optional(),
});
export type MemorySourcesResponse = z.infer<typeof memorySourcesResponseSchema>;
