import type { StoreRecord } from '../../contracts/store-config.js';
import { NotFoundError } from '../../domain/errors.js';
import type { StoreLookup } from '../../ports/registry.js';

/**
 * The store a request names, or a 404. Use-case plumbing rather than a domain rule: it reads a
 * port, and every feature needs it, so it lives here instead of in one feature's folder.
 */
export async function requireStore(deps: { stores: StoreLookup }, storeId: string): Promise<StoreRecord> {
  const store = await deps.stores.getStore(storeId);
  if (!store) throw new NotFoundError('Store not found');
  return store;
}
