import { NotFoundError } from '../../domain/errors.js';
import type { StoreLookup } from '../../ports/registry.js';

export type HealthStatus = 'healthy' | 'degraded' | 'unavailable';

export interface StoreHealth {
  readonly status: HealthStatus;
  readonly features: Readonly<Record<string, { readonly status: HealthStatus }>>;
}

/**
 * Reference StoreHealth. Reading the store's configuration proves the database answers for this
 * store; feature keys name what this deployment serves so far.
 */
export async function storeHealth(deps: { stores: StoreLookup }, storeId: string): Promise<StoreHealth> {
  const store = await deps.stores.getStore(storeId);
  if (!store) throw new NotFoundError('Store not found');
  return { status: 'healthy', features: { sessionMemory: { status: 'healthy' } } };
}
