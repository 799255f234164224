import * as z from 'zod';
import { idSchema } from '../contracts/common.js';
import { ForbiddenError } from './errors.js';

export const storeActionSchema = z.enum(['read', 'write']);
export type StoreAction = z.infer<typeof storeActionSchema>;

/** A key's permission on one store (reference Control Plane grant shape). */
export const grantSchema = z.object({
  resourceType: z.literal('mem-store'),
  resourceId: idSchema,
  actions: z.array(storeActionSchema).min(1),
});
export type Grant = z.infer<typeof grantSchema>;
export const grantsSchema = z.array(grantSchema);

/**
 * Throws unless the grants allow `action` on `storeId`. `write` implies `read`. The store id is the
 * one from the request path; the grants come from the authorizer, never from the request.
 */
export function assertStoreAccess(grants: readonly Grant[], storeId: string, action: StoreAction): void {
  const grant = grantOn(grants, storeId);
  if (!grant) throw new ForbiddenError('This API key has no access to this store');
  if (!allowsStoreAction(grants, storeId, action)) {
    throw new ForbiddenError(`This API key may not ${action} this store`);
  }
}

/** Whether the grants allow `action` on `storeId` (`write` implies `read`). */
export function allowsStoreAction(grants: readonly Grant[], storeId: string, action: StoreAction): boolean {
  const grant = grantOn(grants, storeId);
  return grant !== undefined && (grant.actions.includes('write') || grant.actions.includes(action));
}

function grantOn(grants: readonly Grant[], storeId: string): Grant | undefined {
  return grants.find((g) => g.resourceType === 'mem-store' && g.resourceId === storeId);
}
