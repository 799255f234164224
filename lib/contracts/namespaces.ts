import * as z from 'zod';
import { idSchema, storePathSchema } from './common.js';

/**
 * Wire types of namespaces as resources (reference §3.16, the managed product's Oct 2026 design):
 * create, list, get, rename, archive, delete, and the `namespaceRef` writes and filters carry.
 * Decision record: docs/decisions/0014-namespaces-and-move.md.
 */

export const NAMESPACE_NAME_PATTERN = /^[a-zA-Z0-9_-]+$/;
export const NAMESPACE_PATH_MAX = 1024;
/** Deepest nesting: bounds the ancestor walk that gives a namespace its path (one script, one trip). */
export const NAMESPACE_DEPTH_MAX = 32;
export const NAMESPACE_LIST_MAX = 100;

export const namespaceNameSchema = z
  .string()
  .min(1, 'must be 1-64 characters')
  .max(64, 'must be 1-64 characters')
  .regex(NAMESPACE_NAME_PATTERN, 'must match ^[a-zA-Z0-9_-]+$');

/** `travel/japan`: names joined by `/`, no leading, trailing or doubled `/`. */
export const namespacePathSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(NAMESPACE_PATH_MAX, `must be at most ${NAMESPACE_PATH_MAX} characters`)
  .refine((path) => path.split('/').every((segment) => namespaceNameSchema.safeParse(segment).success), {
    message: 'must be names of ^[a-zA-Z0-9_-]+$ (1-64 characters) joined by /',
  })
  .refine((path) => path.split('/').length <= NAMESPACE_DEPTH_MAX, {
    message: `must have at most ${NAMESPACE_DEPTH_MAX} segments`,
  });

export const namespaceScopeSchema = z.enum(['PERSONAL', 'SHARED']);
export type NamespaceScope = z.infer<typeof namespaceScopeSchema>;
export const namespaceStateSchema = z.enum(['ACTIVE', 'ARCHIVED']);
export type NamespaceState = z.infer<typeof namespaceStateSchema>;

/** Server-generated namespace ids have the id shape of the reference's `NamespaceRef.namespaceId`. */
export const namespaceIdSchema = idSchema;

/** What a write names: `{namespaceId}`. */
export const namespaceRefInputSchema = z.object({ namespaceId: namespaceIdSchema }).strict();
export type NamespaceRefInput = z.infer<typeof namespaceRefInputSchema>;

/** What records and session rows expose: the id, and the name and path as they are now. */
export const namespaceRefSchema = z.object({
  namespaceId: namespaceIdSchema,
  name: z.string(),
  path: z.string(),
});
export type NamespaceRef = z.infer<typeof namespaceRefSchema>;

/**
 * One of `{name, scope, ownerId?}`, `{name, parentId}` or `{path, scope, ownerId?}`. `PERSONAL`
 * needs `ownerId`, `SHARED` refuses it; a child takes its parent's scope and owner.
 */
export const createNamespaceRequestSchema = z
  .object({
    name: namespaceNameSchema.optional(),
    path: namespacePathSchema.optional(),
    parentId: namespaceIdSchema.optional(),
    scope: namespaceScopeSchema.optional(),
    ownerId: idSchema.optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (body.path !== undefined) {
      if (body.name !== undefined) issue('name', 'must not be combined with path');
      if (body.parentId !== undefined) issue('parentId', 'must not be combined with path');
    } else if (body.name === undefined) {
      issue('name', 'is required (or give path)');
    }
    if (body.parentId !== undefined) {
      if (body.scope !== undefined)
        issue('scope', "must not be combined with parentId (a child takes its parent's)");
      if (body.ownerId !== undefined)
        issue('ownerId', "must not be combined with parentId (a child takes its parent's)");
      return;
    }
    if (body.scope === undefined) {
      issue('scope', 'is required for a root namespace (PERSONAL or SHARED)');
      return;
    }
    if (body.scope === 'PERSONAL' && body.ownerId === undefined)
      issue('ownerId', 'is required when scope is PERSONAL');
    if (body.scope === 'SHARED' && body.ownerId !== undefined)
      issue('ownerId', 'must not be set when scope is SHARED');
  });
export type CreateNamespaceRequest = z.infer<typeof createNamespaceRequestSchema>;

/** Rename with `name`; archive with `state: "ARCHIVED"` (there is no unarchive). */
export const updateNamespaceRequestSchema = z
  .object({
    name: namespaceNameSchema.optional(),
    state: namespaceStateSchema.optional(),
  })
  .strict()
  .refine((body) => body.name !== undefined || body.state !== undefined, {
    message: 'must set name or state',
    path: ['name'],
  });
export type UpdateNamespaceRequest = z.infer<typeof updateNamespaceRequestSchema>;

const listLimitSchema = z.coerce
  .number({ message: 'must be an integer' })
  .int('must be an integer')
  .min(1, `must be between 1 and ${NAMESPACE_LIST_MAX}`)
  .max(NAMESPACE_LIST_MAX, `must be between 1 and ${NAMESPACE_LIST_MAX}`)
  .default(50);

/** Roots: `scope` (+ `ownerId` for PERSONAL). Children: `parentId` alone. */
export const listNamespacesQuerySchema = z
  .object({
    scope: namespaceScopeSchema.optional(),
    ownerId: idSchema.optional(),
    parentId: namespaceIdSchema.optional(),
    limit: listLimitSchema,
    pageToken: z.string().min(1).max(4096, 'is too long').optional(),
  })
  .strict()
  .superRefine((query, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (query.parentId !== undefined) {
      if (query.scope !== undefined) issue('scope', 'must not be combined with parentId');
      if (query.ownerId !== undefined) issue('ownerId', 'must not be combined with parentId');
      return;
    }
    if (query.scope === undefined) issue('scope', 'is required (or give parentId)');
    else if (query.scope === 'PERSONAL' && query.ownerId === undefined)
      issue('ownerId', 'is required when scope is PERSONAL');
    else if (query.scope === 'SHARED' && query.ownerId !== undefined)
      issue('ownerId', 'must not be set when scope is SHARED');
  });
export type ListNamespacesQuery = z.infer<typeof listNamespacesQuerySchema>;

export const namespacePathParamsSchema = storePathSchema.extend({ namespaceId: namespaceIdSchema });

export const namespaceSchema = z.object({
  namespaceId: namespaceIdSchema,
  name: z.string(),
  path: z.string(),
  scope: namespaceScopeSchema,
  ownerId: idSchema.optional(),
  parentId: namespaceIdSchema.optional(),
  state: namespaceStateSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type NamespaceView = z.infer<typeof namespaceSchema>;

export const namespaceResponseSchema = z.object({ namespace: namespaceSchema });
export const listNamespacesResponseSchema = z.object({
  namespaces: z.array(namespaceSchema),
  nextPageToken: z.string().optional(),
});

// ---- move ----

export const MOVE_MAX = 100;

/** Items are checked one by one (partial success), so the envelope only checks the array. */
export const moveMemoriesRequestSchema = z
  .object({
    memoryIds: z
      .array(z.unknown())
      .min(1, 'must have at least one id')
      .max(MOVE_MAX, `must have at most ${MOVE_MAX} ids`),
    namespaceRef: namespaceRefInputSchema,
  })
  .strict();
export const moveMemoriesRequestDocumentedSchema = z.object({
  memoryIds: z.array(idSchema).min(1).max(MOVE_MAX),
  namespaceRef: namespaceRefInputSchema,
});
export const moveMemoriesResponseSchema = z.object({
  moved: z.array(z.string()),
  errors: z.array(z.object({ id: z.string(), error: z.string() })),
});
