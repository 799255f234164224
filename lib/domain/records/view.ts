import type { MemoryRecordView, StoredMemory } from '../../contracts/long-term-memory.js';
import type { NamespaceRef } from '../../contracts/namespaces.js';

/**
 * What clients see of a stored record (ISO times, no storage bookkeeping), with its score if ranked.
 * `namespaces` gives the current name and path of the namespace resources the records name (read
 * when the view is made: decision record 0014); a namespace it lacks shows its id as name and path.
 */
export function toView(
  record: StoredMemory,
  score?: number,
  namespaces?: ReadonlyMap<string, NamespaceRef>,
): MemoryRecordView {
  return {
    id: record.id,
    text: record.text,
    memoryType: record.memoryType,
    ...(record.sessionId ? { sessionId: record.sessionId } : {}),
    ownerId: record.ownerId,
    ...(record.namespace ? { namespace: record.namespace } : {}),
    ...(record.namespaceId
      ? {
          namespaceRef: namespaces?.get(record.namespaceId) ?? {
            namespaceId: record.namespaceId,
            name: record.namespaceId,
            path: record.namespaceId,
          },
        }
      : {}),
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
