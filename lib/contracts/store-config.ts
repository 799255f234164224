import * as z from 'zod';

/**
 * Per-store configuration, in the reference Control Plane's field names (§4, §5.3). Only the
 * settings session memory reads are here; later features add theirs.
 */
export const storeConfigSchema = z.object({
  shortMemory: z
    .object({ ttlSeconds: z.number().int().min(1).max(31_536_000) })
    .default({ ttlSeconds: 3600 }),
  longTermMemory: z
    .object({ ttlSeconds: z.number().int().min(1).max(31_536_000) })
    .default({ ttlSeconds: 31_536_000 }),
  extractionCadence: z
    .object({ activeIntervalSeconds: z.number().int().min(60).max(600) })
    .default({ activeIntervalSeconds: 300 }),
});
export type StoreConfig = z.infer<typeof storeConfigSchema>;

export const storeRecordSchema = z.object({
  storeId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  config: storeConfigSchema,
});
export type StoreRecord = z.infer<typeof storeRecordSchema>;
