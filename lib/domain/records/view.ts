import type { MemoryRecordView, StoredMemory } from '../../contracts/long-term-memory.js';

/** What clients see of a stored record (ISO times, no storage bookkeeping), with its score if ranked. */
export function toView(record: StoredMemory, score?: number): MemoryRecordView {
  return {
    id: record.id,
    text: record.text,
    memoryType: record.memoryType,
    ...(record.sessionId ? { sessionId: record.sessionId } : {}),
    ownerId: record.ownerId,
    ...(record.namespace ? { namespace: record.namespace } : {}),
    topics: record.topics,
    ...(record.attributes ? { attributes: record.attributes } : {}),
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    ...(record.sourceRefs ? { sourceRefs: record.sourceRefs } : {}),
    ...(record.occurredAt !== undefined ? { occurredAt: new Date(record.occurredAt).toISOString() } : {}),
    ...(record.entities ? { entities: record.entities } : {}),
    ...(record.supersededBy ? { supersededBy: record.supersededBy } : {}),
    ...(record.supersedes ? { supersedes: record.supersedes } : {}),
    ...(record.actorId !== undefined ? { actorId: record.actorId } : {}),
    ...(record.role !== undefined ? { role: record.role } : {}),
    ...(score !== undefined ? { score } : {}),
  };
}
