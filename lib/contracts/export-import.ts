import * as z from 'zod';
import { idSchema } from './common.js';
import { BULK_MAX, type MemoryRecordView, memoryRecordSchema } from './long-term-memory.js';

/**
 * Long-term memory export and import as NDJSON (issue 15 item 4; decision record 0017). One line per
 * record: the record as GetLongTermMemory answers it plus the embedding model its vector was made
 * with; never the vector (an import re-embeds with the store's model).
 */

export const EXPORT_PAGE_MAX = 500;
/**
 * Lines one import may carry (the API's 1 MiB body limit applies first): a bulk create's worth, so
 * an import embeds no more per request than BulkCreate and fits the same 10 s HTTP budget (1,000
 * lines ran past API Gateway's 29 s on the local stack with the offline embedder: 504).
 */
export const IMPORT_LINES_MAX = BULK_MAX;

export const exportQuerySchema = z.object({
  /** One owner's memories (with `namespace`: that owner's in that namespace). */
  ownerId: idSchema.optional(),
  /** One namespace's memories (case-insensitive, as namespace filters are). */
  namespace: idSchema.optional(),
  limit: z.coerce
    .number()
    .int('must be an integer')
    .min(1, `must be 1-${EXPORT_PAGE_MAX}`)
    .max(EXPORT_PAGE_MAX, `must be 1-${EXPORT_PAGE_MAX}`)
    .default(100),
  pageToken: z.string().max(2048).optional(),
});
export type ExportQuery = z.infer<typeof exportQuerySchema>;

/** One exported line. */
export const exportLineSchema = memoryRecordSchema.extend({
  /** Id of the embedding model the record's vector was made with (e.g. `amazon.titan-embed-text-v2:0`). */
  embeddingModel: z.string(),
});
/** One exported line, as built (the schema above documents and checks it). */
export type ExportLine = MemoryRecordView & { readonly embeddingModel: string };

export const importResponseSchema = z.object({
  /** Lines read (blank lines are skipped and not counted). */
  lines: z.number().int(),
  /** Ids created or already there with the same content (re-embedded and re-indexed). */
  imported: z.array(z.string()),
  /** Per line: its 1-based number, the id when it had one, and what is wrong. */
  errors: z.array(z.object({ line: z.number().int(), id: z.string().optional(), error: z.string() })),
});
export type ImportResponse = z.infer<typeof importResponseSchema>;
