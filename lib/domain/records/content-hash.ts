import { createHash } from 'node:crypto';
import type { StoredMemory } from '../../contracts/long-term-memory.js';

/** What makes two writes "the same memory" for idempotent re-posts. */
export function contentHash(r: Omit<StoredMemory, 'contentHash'>): string {
  const canonical = JSON.stringify([
    r.text,
    r.memoryType,
    r.sessionId ?? null,
    r.ownerId,
    r.namespace ?? null,
    r.topics,
    r.attributes ?? null,
    r.sourceRefs ?? null,
    // Only when set, so the hashes of records written before the field existed do not change.
    ...(r.occurredAt !== undefined ? [r.occurredAt] : []),
    ...(r.entities !== undefined ? [r.entities] : []),
    ...(r.actorId !== undefined || r.role !== undefined ? [r.actorId ?? null, r.role ?? null] : []),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
