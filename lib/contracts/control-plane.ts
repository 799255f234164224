import * as z from 'zod';
import { grantSchema } from '../domain/grants.js';
import { resourceNameSchema } from './common.js';
import { exclusionsInputSchema } from './exclusion-patterns.js';
import {
  BUILT_IN_DETECTORS,
  customMemoryTypeSchema,
  extractionStrategySchema,
  type StoreRecord,
  storeConfigSchema,
  summarizationSchema,
} from './store-config.js';

/**
 * Requests and responses of the control plane's admin API, in the reference self-managed Control
 * Plane's shapes (§5.3). Extensions are opt-in fields: `extractionStrategies` on stores, `plan` on
 * keys. Requests are strict: a misspelt field is a 400, not a silently ignored setting.
 */

export { resourceNameSchema };

const ttl = z.object({ ttlSeconds: z.number().int().min(1).max(31_536_000) }).strict();
const cadence = z.object({ activeIntervalSeconds: z.number().int().min(60).max(600) }).strict();
/**
 * Extension: storage quotas to set; an omitted one keeps its current value (its default on
 * create). The bounds are the store configuration's (`quotas` in store-config.ts), checked there.
 */
const quotasPatch = z
  .object({
    sessions: z.number().int().optional(),
    events: z.number().int().optional(),
    longTermRecords: z.number().int().optional(),
    bytes: z.number().int().optional(),
  })
  .strict();

export const createStoreRequestSchema = z
  .object({
    name: resourceNameSchema,
    shortMemory: ttl.optional(),
    longTermMemory: ttl.optional(),
    /** The reference's only strategy; accepted for compatibility. */
    extractionStrategy: z.enum(['instruct', 'INSTRUCT']).optional(),
    extractionStrategies: z.array(extractionStrategySchema).min(1).optional(),
    summarization: z.unknown().optional(),
    customMemoryTypes: z.array(z.unknown()).optional(),
    extractionCadence: cadence.optional(),
    longTermMemoryExclusions: z.unknown().optional(),
    quotas: quotasPatch.optional(),
  })
  .strict();
export type CreateStoreRequest = z.infer<typeof createStoreRequestSchema>;

/**
 * The create body as documented: the handler takes the nested settings as they come and checks
 * them with the store configuration's own schemas, which are these.
 */
export const createStoreRequestDocumentedSchema = createStoreRequestSchema.extend({
  summarization: summarizationSchema.optional(),
  customMemoryTypes: z.array(customMemoryTypeSchema).max(3).optional(),
  longTermMemoryExclusions: exclusionsInputSchema.optional(),
});

export const createStoreResponseSchema = z.object({ storeId: z.string() });

/**
 * Partial update. Custom memory types are immutable once registered except their extraction
 * prompt and switch (`updateCustomMemoryTypeStrategies`); new ones come through
 * `addCustomMemoryTypes` (at most 3 in all). `longTermMemoryExclusions` is replaced as a whole, but
 * an omitted nested part (detector list, semantic prompt) keeps its current value and `[]` clears.
 */
export const updateStoreRequestSchema = z
  .object({
    name: resourceNameSchema.optional(),
    shortMemory: ttl.optional(),
    longTermMemory: ttl.optional(),
    extractionCadence: cadence.optional(),
    extractionStrategies: z.array(extractionStrategySchema).min(1).optional(),
    summarization: summarizationSchema.optional(),
    longTermMemoryExclusions: z.record(z.string(), z.unknown()).optional(),
    addCustomMemoryTypes: z.array(customMemoryTypeSchema).min(1).optional(),
    updateCustomMemoryTypeStrategies: z
      .array(
        z
          .object({
            typeName: z.string().min(1),
            prompt: z.string().optional(),
            enabled: z.boolean().optional(),
          })
          .strict(),
      )
      .min(1)
      .optional(),
    quotas: quotasPatch.optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one setting' });
export type UpdateStoreRequest = z.infer<typeof updateStoreRequestSchema>;

/** The update body as documented: the exclusions patch has the policy's shape (see above). */
export const updateStoreRequestDocumentedSchema = updateStoreRequestSchema.safeExtend({
  longTermMemoryExclusions: exclusionsInputSchema.optional(),
});

export const storeStatusSchema = z.literal('READY');
export type StoreStatus = z.infer<typeof storeStatusSchema>;

/**
 * The models a deployment runs for every store (reference: `longTermMemory.embedding` and `llm`,
 * fixed per store). Here they are the stage's: the embedding model is recorded with a store's
 * vectors at first write, and a deployment with another model refuses them (409) instead of mixing.
 */
export const storeModelsSchema = z.object({
  embedding: z.object({ provider: z.string(), model: z.string(), dimensions: z.number().int() }),
  llm: z.object({ provider: z.string(), model: z.string() }),
});
export type StoreModels = z.infer<typeof storeModelsSchema>;

/** Reference `StoreOutput`: the configuration flattened next to id, name and status. */
export const storeOutputSchema = z.object({
  /** Extension: the stage's models (see `StoreModels`). */
  models: storeModelsSchema.optional(),
  storeId: z.string(),
  name: z.string(),
  status: storeStatusSchema,
  /** RFC 3339, e.g. 2026-06-25T18:00:00.000Z. */
  createdAt: z.string(),
  // The stored configuration, its defaults applied: every part but the optional ones is always sent.
  shortMemory: storeConfigSchema.shape.shortMemory.unwrap(),
  longTermMemory: storeConfigSchema.shape.longTermMemory.unwrap(),
  extractionCadence: storeConfigSchema.shape.extractionCadence.unwrap(),
  customMemoryTypes: storeConfigSchema.shape.customMemoryTypes.unwrap(),
  extractionStrategies: storeConfigSchema.shape.extractionStrategies.unwrap(),
  summarization: storeConfigSchema.shape.summarization,
  longTermMemoryExclusions: storeConfigSchema.shape.longTermMemoryExclusions,
  /** Extension: the store's storage quotas (store-config.ts `quotas`). */
  quotas: storeConfigSchema.shape.quotas.unwrap(),
  /** The reference's only strategy, always `instruct`; `extractionStrategies` says what runs. */
  extractionStrategy: z.literal('instruct'),
});
export type StoreOutput = z.infer<typeof storeOutputSchema>;

export const listStoresResponseSchema = z.object({ stores: z.array(storeOutputSchema) });

export function storeOutput(store: StoreRecord, models?: StoreModels): StoreOutput {
  const { config } = store;
  return {
    ...(models ? { models } : {}),
    storeId: store.storeId,
    name: store.name,
    status: 'READY',
    createdAt: store.createdAt,
    shortMemory: config.shortMemory,
    longTermMemory: config.longTermMemory,
    extractionCadence: config.extractionCadence,
    extractionStrategy: 'instruct',
    extractionStrategies: config.extractionStrategies,
    customMemoryTypes: config.customMemoryTypes,
    quotas: config.quotas,
    ...(config.summarization ? { summarization: config.summarization } : {}),
    ...(config.longTermMemoryExclusions ? { longTermMemoryExclusions: config.longTermMemoryExclusions } : {}),
  };
}

const grantsInput = z
  .array(grantSchema.extend({ actions: z.array(z.enum(['read', 'write'])).min(1) }).strict())
  .min(1, 'must hold at least one grant')
  .max(100)
  .superRefine((grants, ctx) => {
    const seen = new Set<string>();
    grants.forEach((grant, i) => {
      if (seen.has(grant.resourceId)) {
        ctx.addIssue({ code: 'custom', path: [i, 'resourceId'], message: 'names a store twice' });
      }
      seen.add(grant.resourceId);
      if (new Set(grant.actions).size !== grant.actions.length) {
        ctx.addIssue({ code: 'custom', path: [i, 'actions'], message: 'must be unique' });
      }
    });
  });

export const mintApiKeyRequestSchema = z
  .object({
    name: resourceNameSchema,
    grants: grantsInput,
    /** Extension: the usage-plan tier that meters the key; the deployment's default when absent. */
    plan: z.string().min(1).max(64).optional(),
    /** Unix seconds; absent or 0 = never. */
    expiresAt: z.number().int().min(0).optional(),
  })
  .strict();
export type MintApiKeyRequest = z.infer<typeof mintApiKeyRequestSchema>;

export const updateApiKeyRequestSchema = z
  .object({ name: resourceNameSchema.optional(), grants: grantsInput.optional() })
  .strict()
  .refine((body) => body.name !== undefined || body.grants !== undefined, {
    message: 'must change name or grants',
  });
export type UpdateApiKeyRequest = z.infer<typeof updateApiKeyRequestSchema>;

/** Reference default grace period of a rotation, and the Identity Service's maximum (7 days). */
export const DEFAULT_ROTATION_GRACE_SECONDS = 3600;
export const MAX_ROTATION_GRACE_SECONDS = 604_800;

export const rotateApiKeyRequestSchema = z
  .object({
    graceSeconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_ROTATION_GRACE_SECONDS)
      .default(DEFAULT_ROTATION_GRACE_SECONDS),
  })
  .strict();

export const listApiKeysQuerySchema = z
  .object({
    nextToken: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'must be a nextToken from a previous page')
      .optional(),
    maxResults: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();

export const keyIdSchema = z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 hex characters');

export const keyIdPathSchema = z.object({ keyId: keyIdSchema });

/** What operators see of a key (reference `ApiKeyOutput`, plus the `plan` extension). Never the token. */
export const apiKeyOutputSchema = z.object({
  keyId: z.string(),
  name: z.string(),
  grants: z.array(grantSchema),
  /** Unix seconds. */
  createdAt: z.number().int(),
  /** Unix seconds; 0 = never. */
  expiresAt: z.number().int(),
  /** The key this one replaced by rotation. */
  rotatedFrom: z.string().optional(),
  /** On a key winding down after rotation: its replacement. */
  rotatedTo: z.string().optional(),
  /** Extension: the usage-plan tier that meters the key. */
  plan: z.string(),
});
export type ApiKeyOutput = z.infer<typeof apiKeyOutputSchema>;

export const listApiKeysResponseSchema = z.object({
  apiKeys: z.array(apiKeyOutputSchema),
  /** Present while more keys follow: pass it back for the next page. */
  nextToken: z.string().optional(),
});

/** A new key. The token is shown here once; only its SHA-256 is stored. */
export const mintApiKeyResponseSchema = z.object({
  keyId: z.string(),
  token: z.string(),
  /** Unix seconds. */
  createdAt: z.number().int(),
});
export type MintedKey = z.infer<typeof mintApiKeyResponseSchema>;

/** The replacement key (token shown once) and when the old key stops working (unix seconds). */
export const rotateApiKeyResponseSchema = mintApiKeyResponseSchema.extend({
  oldExpiresAt: z.number().int(),
});
export type RotatedKey = z.infer<typeof rotateApiKeyResponseSchema>;

/** The built-in sensitive-data detectors a store's `longTermMemoryExclusions` can switch on. */
export const listDetectorsResponseSchema = z.object({
  catalogVersion: z.string(),
  detectors: z.array(z.object({ id: z.enum(BUILT_IN_DETECTORS), name: z.string(), description: z.string() })),
});

/**
 * API Gateway's own body when IAM authorization refuses a call (403, with `x-amzn-ErrorType`): the
 * one admin error that is not a problem, since no function runs.
 */
export const iamDenialSchema = z.object({ message: z.string() });
