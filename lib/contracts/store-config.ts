import * as z from 'zod';

/**
 * Per-store configuration, in the reference Control Plane's field names (§4, §5.3). Only the
 * settings session memory reads are here; later features add theirs.
 */
export const customFieldTypeSchema = z.enum([
  'str',
  'int',
  'float',
  'bool',
  'list[str]',
  'list[float]',
  'object',
]);
export type CustomFieldType = z.infer<typeof customFieldTypeSchema>;

const typeName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z][a-zA-Z0-9_-]*$/);

/** A store-defined memory type whose extracted values land in a record's `attributes` (reference §4). */
export const customMemoryTypeSchema = z.object({
  name: typeName.refine(
    (name) => !['semantic', 'episodic', 'message', 'session_summary_view'].includes(name),
    {
      message: 'is a reserved memory type',
    },
  ),
  description: z.string().min(1).max(200),
  fields: z
    .array(z.object({ name: typeName, description: z.string().min(1).max(200), type: customFieldTypeSchema }))
    .default([]),
  extractionStrategy: z
    .object({ prompt: z.string().min(1).max(10_000), enabled: z.boolean().default(true) })
    .optional(),
});
export type CustomMemoryType = z.infer<typeof customMemoryTypeSchema>;

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
  customMemoryTypes: z.array(customMemoryTypeSchema).max(3).default([]),
});
export type StoreConfig = z.infer<typeof storeConfigSchema>;

export const storeRecordSchema = z.object({
  storeId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  config: storeConfigSchema,
});
export type StoreRecord = z.infer<typeof storeRecordSchema>;
