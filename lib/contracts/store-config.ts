import * as z from 'zod';
import { DEFAULT_QUOTAS } from '../domain/limits.js';

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
    (name) => !['semantic', 'episodic', 'message', 'conversation', 'session_summary_view'].includes(name),
    {
      message: 'is a reserved memory type',
    },
  ),
  description: z.string().min(1).max(200),
  fields: z
    .array(z.object({ name: typeName, description: z.string().min(1).max(200), type: customFieldTypeSchema }))
    .default([]),
  extractionStrategy: z
    .object({
      prompt: z
        .string()
        .min(1)
        .max(10_000)
        .superRefine((prompt, ctx) => {
          const problem = promptProblem(prompt);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      enabled: z.boolean().default(true),
    })
    .optional(),
});
export type CustomMemoryType = z.infer<typeof customMemoryTypeSchema>;

/** Variables a custom extraction prompt may use; anything else in `{{…}}` is rejected. */
export const PROMPT_VARIABLES = ['ownerId', 'typeName', 'typeDescription', 'fields'] as const;

/**
 * Phrases that try to steer the model away from its instructions. A prompt is configuration, but
 * it reaches a model that also reads conversation text: a rejected prompt is a 400 at configure
 * time, not a surprise in the consumer.
 */
const INJECTION_PATTERNS = [
  /ignore (all |any )?(previous|prior|above|earlier) (instructions|rules|prompts?)/i,
  /disregard (the |all |any )?(system|previous|above)/i,
  /you are no longer/i,
  /reveal (the |your )?(system )?prompt/i,
  /<\/?(system|assistant|tool)>/i,
  /\b(system|assistant)\s*:/i,
];

export function promptProblem(prompt: string): string | undefined {
  for (const pattern of INJECTION_PATTERNS)
    if (pattern.test(prompt)) return 'contains instructions that override the extraction rules';
  for (const match of prompt.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    if (!(PROMPT_VARIABLES as readonly string[]).includes(match[1] ?? '')) {
      return `uses {{${match[1]}}}; allowed variables: ${PROMPT_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`;
    }
  }
  return undefined;
}

export const BUILT_IN_DETECTORS = ['credit-card', 'email', 'ip-address', 'phone', 'us-ssn'] as const;
const detectorAction = z.enum(['redact', 'drop']).default('redact');

/** Reference `longTermMemoryExclusions` (built-in and custom regex detectors; drop wins over redact). */
export const exclusionsSchema = z.object({
  enabled: z.boolean(),
  builtInDetectors: z
    .object({
      enabled: z.boolean(),
      detectors: z
        .array(z.object({ id: z.enum(BUILT_IN_DETECTORS), enabled: z.boolean(), action: detectorAction }))
        .default([]),
    })
    .optional(),
  customDetectors: z
    .object({
      enabled: z.boolean(),
      detectors: z
        .array(
          z.object({
            name: z
              .string()
              .min(1)
              .max(64)
              .refine((n) => !(BUILT_IN_DETECTORS as readonly string[]).includes(n), {
                message: 'must not be a built-in detector id',
              }),
            enabled: z.boolean(),
            action: detectorAction,
            matcher: z.object({
              kind: z.literal('regex'),
              regex: z.object({
                // Whether RE2 accepts the pattern is checked where settings are written
                // (exclusion-patterns.ts), not here: every function reads this schema, and the
                // RE2 engine is 150 KB of bundle that only the admin API and promotion need.
                pattern: z.string().min(1).max(512),
              }),
            }),
          }),
        )
        .max(32)
        .default([]),
    })
    .optional(),
});
export type Exclusions = z.infer<typeof exclusionsSchema>;

export const extractionStrategySchema = z.enum(['discrete', 'summary', 'preferences']);

export const summarizationSchema = z
  .object({
    enabled: z.boolean(),
    triggerStrategy: z.literal('event_count').default('event_count'),
    eventCount: z.object({
      threshold: z.number().int().min(0).max(10_000),
      retainCount: z.number().int().min(0).max(10_000),
    }),
  })
  .refine((s) => s.eventCount.threshold > s.eventCount.retainCount, {
    message: 'threshold must be greater than retainCount',
    path: ['eventCount', 'threshold'],
  });
export type Summarization = z.infer<typeof summarizationSchema>;

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
  /** Which built-in extraction strategies run on promotion (custom types run when enabled). */
  extractionStrategies: z.array(extractionStrategySchema).min(1).default(['discrete']),
  summarization: summarizationSchema.optional(),
  longTermMemoryExclusions: exclusionsSchema.optional(),
  /**
   * Extension: conversation records, the session's USER and ASSISTANT turns kept in long-term
   * memory beside the extracted facts (memory type `conversation`), written by promotion under the
   * same exclusions. On by default; `ttlSeconds` defaults to `longTermMemory.ttlSeconds`.
   */
  conversationMemory: z
    .object({
      enabled: z.boolean().default(true),
      ttlSeconds: z.number().int().min(1).max(31_536_000).optional(),
    })
    .default({ enabled: true }),
  /**
   * Extension: storage quotas of the store, so one write key cannot fill the database every tenant
   * shares (defaults and their reasons: `DEFAULT_QUOTAS` in lib/domain/limits.ts). Checked inside
   * the append and create scripts; a write past one is refused with 413 naming the quota, and
   * promotion drops what does not fit. Deleted and expired data gives room back.
   */
  quotas: z
    .object({
      /** Live sessions. */
      sessions: z.number().int().min(1).max(10_000_000).default(DEFAULT_QUOTAS.sessions),
      /** Live session events, all sessions together. */
      events: z.number().int().min(1).max(100_000_000).default(DEFAULT_QUOTAS.events),
      /** Long-term records, extracted and conversation records included. */
      longTermRecords: z.number().int().min(1).max(100_000_000).default(DEFAULT_QUOTAS.longTermRecords),
      /** Bytes of stored event and record JSON (search indexes not counted). Up to 64 GiB. */
      bytes: z
        .number()
        .int()
        .min(1024)
        .max(64 * 1024 ** 3)
        .default(DEFAULT_QUOTAS.bytes),
    })
    .default(DEFAULT_QUOTAS),
  /**
   * Extension: model tokens (input + output, extraction and summaries, failed runs included) that
   * promotion may spend for this store per UTC day; past it, its jobs wait for the next day. The
   * default, 2,000,000, is some 10 worst-case runs (100 long turns, ~180k tokens each) or thousands
   * of ordinary ones (a few thousand tokens), which bounds what one write key can cost per day
   * (a poisoned or oversized session replayed at will, see docs/security.md).
   */
  extractionBudget: z
    .object({ tokensPerDay: z.number().int().min(1_000).max(1_000_000_000) })
    .default({ tokensPerDay: 2_000_000 }),
});
export type StoreConfig = z.infer<typeof storeConfigSchema>;

export const storeRecordSchema = z.object({
  storeId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  config: storeConfigSchema,
});
export type StoreRecord = z.infer<typeof storeRecordSchema>;
