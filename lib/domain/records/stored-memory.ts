import type { CreateMemoryRecord, StoredMemory } from '../../contracts/long-term-memory.js';
import type { StoreRecord } from '../../contracts/store-config.js';
import { SEQ_PER_MS } from '../ranking.js';
import { contentHash } from './content-hash.js';

/**
 * The stored shape of a directly written record. `position` is the item's place in its request:
 * with the request's time it gives the record its server order (`seq`), so a session's records
 * written in one request keep the order they were sent in, whatever their ids or `occurredAt` say.
 */
export function toStored(
  input: CreateMemoryRecord,
  now: number,
  store: StoreRecord,
  model: string,
  position = 0,
): StoredMemory {
  const record = {
    id: input.id,
    text: input.text,
    memoryType: input.memoryType ?? 'semantic',
    ...(input.sessionId ? { sessionId: input.sessionId } : {}),
    ownerId: input.ownerId,
    ...(input.namespace ? { namespace: input.namespace } : {}),
    ...(input.namespaceRef ? { namespaceId: input.namespaceRef.namespaceId } : {}),
    topics: input.topics ?? [],
    ...(input.attributes ? { attributes: input.attributes } : {}),
    ...(input.sourceRefs ? { sourceRefs: input.sourceRefs } : {}),
    ...(input.occurredAt ? { occurredAt: Date.parse(input.occurredAt) } : {}),
    ...(input.entities ? { entities: input.entities } : {}),
    createdAt: now,
    updatedAt: now,
    expiresAt: now + store.config.longTermMemory.ttlSeconds * 1000,
    embeddingModel: model,
    seq: now * SEQ_PER_MS + (position % SEQ_PER_MS),
  };
  return { ...record, contentHash: contentHash(record) };
}
