import type { StoredMemory } from '../../contracts/long-term-memory.js';

/**
 * Where a record is indexed: one (store, owner, namespace) partition, so the common query (one
 * owner in one namespace) reads one small index. The vector and keyword ports take this shape.
 */
export interface MemoryPartition {
  readonly storeId: string;
  readonly ownerId: string;
  /** Lower-cased (namespace filters are case-insensitive); undefined for records without one. */
  readonly namespace: string | undefined;
}

export function memoryPartition(
  storeId: string,
  record: Pick<StoredMemory, 'ownerId' | 'namespace'>,
): MemoryPartition {
  return { storeId, ownerId: record.ownerId, namespace: record.namespace?.toLowerCase() };
}

/** A string naming the record's partition within its store: equal strings, same partition. */
export function partitionKey(record: Pick<StoredMemory, 'ownerId' | 'namespace'>): string {
  return `${record.ownerId}:${record.namespace?.toLowerCase() ?? ''}`;
}
