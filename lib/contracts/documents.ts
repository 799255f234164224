import * as z from 'zod';
import { dateTimeSchema, idSchema, resourceNameSchema, storePathSchema } from './common.js';
import { customMemoryTypeSchema, promptProblem } from './store-config.js';

/**
 * Document ingestion ("MemoryETL", landscape §1.5; docs/decisions/0021-document-ingestion.md):
 * extractors (control plane) and documents (data plane), their queue message and stored shapes.
 * The managed product's JSON names are unknown; these follow the rest of this API.
 */

// ---- limits ---------------------------------------------------------------------------------------

export const DOCUMENT_LIMITS = {
  /**
   * UTF-8 bytes of a document's text. Half of the 1 MiB request body (LIMITS.requestBodyBytes), so
   * a document always fits with its JSON escaping; a team handbook or a long design document is
   * 20–200 KB. Above it: 413 naming `text`. Split larger documents and submit the parts.
   */
  textBytes: 512 * 1024,
  /** Chunks per document (at CHUNK_MAX_CHARS each, ~4 MB of prose; reached only by many tiny sections). */
  chunks: 1_000,
  /** UTF-8 bytes of a document's serialized metadata, as for session events (§3.1's 16 KB). */
  metadataBytes: 16 * 1024,
  /** Extractors per store. */
  extractorsPerStore: 20,
  /** Characters of an extractor's instructions (as custom extraction prompts). */
  instructionsChars: 10_000,
} as const;

// ---- extractors (control plane) -------------------------------------------------------------------

/** The extractor's memory type: a custom type name (not a built-in or reserved one). */
const extractorMemoryTypeSchema = customMemoryTypeSchema.shape.name;

/** Checked as a custom extraction prompt is (store-config.ts `promptProblem`): data to the model, never a redirect. */
export const extractorInstructionsSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(DOCUMENT_LIMITS.instructionsChars, `must be at most ${DOCUMENT_LIMITS.instructionsChars} characters`)
  .superRefine((prompt, ctx) => {
    const problem = promptProblem(prompt);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const createExtractorRequestSchema = z
  .object({
    name: resourceNameSchema,
    /** The memory type every memory this extractor writes carries (e.g. `handbook_policy`). */
    memoryType: extractorMemoryTypeSchema,
    /** What the memory type holds, shown to the model. */
    description: z.string().min(1).max(200),
    /** How to extract: what to keep, how to phrase it. */
    instructions: extractorInstructionsSchema,
    /** A model id the deployment allows (the stage's extraction model by default; see the store's `models.llm`). */
    model: z.string().min(1).max(256).optional(),
  })
  .strict();
export type CreateExtractorRequest = z.infer<typeof createExtractorRequestSchema>;

/** Partial update; the memory type is fixed once memories carry it. */
export const updateExtractorRequestSchema = z
  .object({
    name: resourceNameSchema.optional(),
    description: z.string().min(1).max(200).optional(),
    instructions: extractorInstructionsSchema.optional(),
    model: z.string().min(1).max(256).optional(),
  })
  .strict();
export type UpdateExtractorRequest = z.infer<typeof updateExtractorRequestSchema>;

export const EXTRACTOR_ID_PATTERN = /^e[0-9a-f]{31}$/;
export const extractorIdSchema = z
  .string()
  .regex(EXTRACTOR_ID_PATTERN, 'must be an extractor id (e + 31 hex)');
export const extractorPathSchema = storePathSchema.extend({ extractorId: extractorIdSchema });

export const extractorSchema = z.object({
  extractorId: z.string(),
  storeId: z.string(),
  name: z.string(),
  memoryType: z.string(),
  description: z.string(),
  instructions: z.string(),
  model: z.string(),
  createdAt: dateTimeSchema,
  updatedAt: dateTimeSchema,
});
export type Extractor = z.infer<typeof extractorSchema>;

export const listExtractorsResponseSchema = z.object({ extractors: z.array(extractorSchema) });

// ---- documents (data plane) -----------------------------------------------------------------------

export const documentFormatSchema = z.enum(['markdown', 'text']);

export const submitDocumentRequestSchema = z
  .object({
    /** Whose memories the document's records become (searchable with `ownerId`). */
    ownerId: idSchema,
    namespace: idSchema.optional(),
    /** The extractor (control plane) whose memory type and instructions apply. */
    extractorId: extractorIdSchema,
    title: z.string().min(1).max(200).optional(),
    /** `markdown` (default): split by headings and blocks; `text`: by blank-line paragraphs. */
    format: documentFormatSchema.default('markdown'),
    /** The document; at most 512 KiB of UTF-8 (413 above). */
    text: z.string().min(1, 'must not be empty'),
    /** Any JSON object, kept with the document and shown by its status and sources (≤ 16 KB). */
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type SubmitDocumentRequest = z.infer<typeof submitDocumentRequestSchema>;

export const DOCUMENT_ID_PATTERN = /^d[0-9a-f]{31}$/;
export const documentIdSchema = z.string().regex(DOCUMENT_ID_PATTERN, 'must be a document id (d + 31 hex)');
export const documentPathSchema = storePathSchema.extend({ documentId: documentIdSchema });

export const documentStatusValueSchema = z.enum(['pending', 'processing', 'done', 'failed']);
export type DocumentStatusValue = z.infer<typeof documentStatusValueSchema>;

export const submitDocumentResponseSchema = z.object({
  documentId: z.string(),
  status: documentStatusValueSchema,
  /** True when this text was already submitted by this owner: the same document, nothing re-queued unless it was still pending. */
  duplicate: z.boolean(),
  chunks: z.number().int(),
});

export const chunkErrorSchema = z.object({
  chunk: z.number().int(),
  start: z.number().int(),
  end: z.number().int(),
  code: z.string(),
  message: z.string(),
});

export const documentStatusSchema = z.object({
  documentId: z.string(),
  status: documentStatusValueSchema,
  extractorId: z.string(),
  ownerId: z.string(),
  namespace: z.string().optional(),
  title: z.string().optional(),
  format: documentFormatSchema,
  metadata: z.record(z.string(), z.unknown()).optional(),
  contentHash: z.string(),
  /** Characters of the text (spans count in these). */
  characters: z.number().int(),
  chunks: z.object({
    total: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
    pending: z.number().int(),
  }),
  memories: z.object({
    /** Memories this document wrote (deleted with it). */
    created: z.number().int(),
    /** Extracted memories that matched an existing one, which gained this document as a source. */
    merged: z.number().int(),
  }),
  usage: z.object({ inputTokens: z.number().int(), outputTokens: z.number().int() }),
  errors: z.array(chunkErrorSchema),
  createdAt: dateTimeSchema,
  updatedAt: dateTimeSchema,
});
export type DocumentStatus = z.infer<typeof documentStatusSchema>;

export const deleteDocumentResponseSchema = z.object({
  documentId: z.string(),
  /** Memories the document wrote, now deleted from the records and both search indexes. */
  deletedMemories: z.number().int(),
});

// ---- queue message --------------------------------------------------------------------------------

/** One document to ingest: a pointer (the text stays in Redis), never a copy. */
export const documentJobSchema = z.object({
  version: z.literal(1),
  kind: z.literal('document-ingestion'),
  storeId: idSchema,
  documentId: documentIdSchema,
});
export type DocumentJob = z.infer<typeof documentJobSchema>;

export function documentJob(storeId: string, documentId: string): DocumentJob {
  return { version: 1, kind: 'document-ingestion', storeId, documentId };
}

// ---- stored shapes --------------------------------------------------------------------------------

export const chunkSpanSchema = z.object({
  start: z.number().int(),
  end: z.number().int(),
  headings: z.array(z.string()),
});

export const storedDocumentSchema = z.object({
  documentId: z.string(),
  extractorId: z.string(),
  ownerId: z.string(),
  namespace: z.string().optional(),
  title: z.string().optional(),
  format: documentFormatSchema,
  metadata: z.record(z.string(), z.unknown()).optional(),
  contentHash: z.string(),
  characters: z.number().int(),
  chunks: z.array(chunkSpanSchema),
  status: documentStatusValueSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type StoredDocument = z.infer<typeof storedDocumentSchema>;

export const chunkResultSchema = z.object({
  ok: z.boolean(),
  /** Memories this chunk created. */
  created: z.array(z.string()),
  /** Existing memories this chunk's extractions merged into. */
  merged: z.array(z.string()),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ChunkResult = z.infer<typeof chunkResultSchema>;

export const storedExtractorSchema = extractorSchema.omit({ createdAt: true, updatedAt: true }).extend({
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type StoredExtractor = z.infer<typeof storedExtractorSchema>;
