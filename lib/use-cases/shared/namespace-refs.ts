import type { StoredMemory } from '../../contracts/long-term-memory.js';
import type { NamespaceRef } from '../../contracts/namespaces.js';
import type { NamespaceStore } from '../../ports/namespace-store.js';

/**
 * What reading (and noting) namespace membership needs; optional so use cases and unit tests
 * built without namespaces still run (a record naming one then shows its id as name and path).
 */
export interface NamespaceRefDeps {
  readonly namespaces?: Pick<NamespaceStore, 'getMany' | 'noteMembers'>;
}

/**
 * The current name and path of the namespaces these records are filed under, by id: one round
 * trip, none when no record names one. Records keep only the id (decision record 0014).
 */
export async function namespaceRefsOf(
  deps: NamespaceRefDeps,
  storeId: string,
  records: ReadonlyArray<Pick<StoredMemory, 'namespaceId'> | undefined>,
): Promise<Map<string, NamespaceRef>> {
  const ids = [...new Set(records.flatMap((r) => (r?.namespaceId ? [r.namespaceId] : [])))];
  const refs = new Map<string, NamespaceRef>();
  if (ids.length === 0 || !deps.namespaces) return refs;
  const found = await deps.namespaces.getMany(storeId, ids);
  found.forEach((ns) => {
    if (ns) refs.set(ns.namespaceId, { namespaceId: ns.namespaceId, name: ns.name, path: ns.path });
  });
  return refs;
}
