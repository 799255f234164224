import * as z from 'zod';

/** Ids of stores, sessions, actors, owners, namespaces and memories: 1–64 of [a-zA-Z0-9-]. */
export const ID_PATTERN = /^[a-zA-Z0-9-]+$/;
export const idSchema = z
  .string()
  .min(1, 'must be 1-64 characters')
  .max(64, 'must be 1-64 characters')
  .regex(ID_PATTERN, 'must match ^[a-zA-Z0-9-]+$');

/**
 * The `{storeId}` path parameter of every store route, data plane and control plane alike (and of
 * the store authorization every HTTP route runs first); route schemas with more ids extend it.
 */
export const storePathSchema = z.object({ storeId: idSchema });

/** Server-generated event ids: exactly 32 alphanumerics. */
export const EVENT_ID_PATTERN = /^[a-zA-Z0-9]{32}$/;
export const eventIdSchema = z.string().regex(EVENT_ID_PATTERN, 'must be 32 characters of [a-zA-Z0-9]');

/**
 * Extension: the `Idempotency-Key` header of appends and long-term creates, 1-128 visible ASCII
 * characters (the rules: lib/domain/idempotency.ts).
 */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,128}$/, 'must be 1-128 visible ASCII characters');

/** RFC 3339 date-time with an offset or Z, e.g. 2026-06-25T18:00:00Z. */
export const dateTimeSchema = z.iso.datetime({ offset: true, message: 'must be an RFC 3339 date-time' });

/** One bad field of a 400/413 (problem `fields`). Values are never echoed back. */
export const fieldErrorSchema = z.object({
  field: z.string(),
  rule: z.string(),
  message: z.string(),
});

/**
 * Every error body (RFC 9457 problem details, reference §1.1): `type` is one of `/errors/…`;
 * 424 and 429 also carry a `Retry-After` header.
 */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  fields: z.array(fieldErrorSchema).optional(),
});

export const healthStatusSchema = z.enum(['healthy', 'degraded', 'unavailable']);

export const healthResponseSchema = z.object({ status: healthStatusSchema });

export const storeHealthResponseSchema = z.object({
  status: healthStatusSchema,
  features: z.record(z.string(), z.object({ status: healthStatusSchema })),
});

/**
 * Store, key and extractor names (reference: 1-64 of `[A-Za-z0-9._-]`). Here rather than in
 * control-plane.ts, whose store-config checks load RE2: data-plane bundles that only need a name
 * (documents' extractors) stay without it.
 */
export const resourceNameSchema = z
  .string()
  .min(1, 'must be 1-64 characters')
  .max(64, 'must be 1-64 characters')
  .regex(/^[A-Za-z0-9._-]+$/, 'must match ^[A-Za-z0-9._-]+$');
