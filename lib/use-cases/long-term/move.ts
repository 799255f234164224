import { idSchema } from '../../contracts/common.js';
import type { StoredMemory } from '../../contracts/long-term-memory.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { MemoryRecords } from '../../ports/memory-record-store.js';
import type { NamespaceStore } from '../../ports/namespace-store.js';
import type { StoreLookup } from '../../ports/registry.js';
import { type BulkOperationError, describeIssues, labelOf } from '../shared/bulk-items.js';
import { requireStore } from '../shared/require-store.js';

export interface MoveDeps {
  readonly records: Pick<MemoryRecords, 'getMany'>;
  readonly namespaces: Pick<NamespaceStore, 'moveRecords'>;
  readonly stores: StoreLookup;
  readonly clock: Clock;
}

/**
 * Reference MoveLongTermMemories: files up to 100 memories under a namespace resource, each
 * succeeding or failing on its own. Two round trips: the records are read, then one script
 * compare-and-sets each and checks the namespace is there and active (else 404 / 409 for all).
 * The search indexes do not key on the namespace id (decision record 0014), so a moved memory is
 * found under its new namespace, and no longer under its old one, as soon as this returns.
 */
export async function moveMemories(
  deps: MoveDeps,
  storeId: string,
  memoryIds: readonly unknown[],
  namespaceId: string,
): Promise<{ moved: string[]; errors: BulkOperationError[] }> {
  await requireStore(deps, storeId);
  const errors: BulkOperationError[] = [];
  const ids: string[] = [];
  memoryIds.forEach((item, index) => {
    const parsed = idSchema.safeParse(item);
    const label = labelOf(item, index, 'memoryIds');
    if (!parsed.success) errors.push({ id: label, error: describeIssues(parsed.error) });
    else if (ids.includes(parsed.data)) errors.push({ id: label, error: 'duplicate id in this request' });
    else ids.push(parsed.data);
  });

  const now = deps.clock.now();
  const current = await deps.records.getMany(storeId, ids, now);
  const moved: string[] = [];
  const moves: Array<{ record: StoredMemory; expectedUpdatedAt: number }> = [];
  ids.forEach((id, i) => {
    const record = current[i];
    if (!record) errors.push({ id, error: 'not found' });
    else if (record.namespace !== undefined)
      errors.push({
        id,
        error:
          'the memory has a namespace label; clear it (PATCH namespace "") before filing it under a namespace',
      });
    else if (record.namespaceId === namespaceId) moved.push(id);
    else
      moves.push({
        record: { ...record, namespaceId, updatedAt: Math.max(now, record.updatedAt + 1) },
        expectedUpdatedAt: record.updatedAt,
      });
  });

  const outcomes = await deps.namespaces.moveRecords(storeId, namespaceId, moves);
  if (outcomes === 'namespace-missing')
    throw new NotFoundError('Namespace not found (namespaceRef.namespaceId)');
  if (outcomes === 'namespace-archived')
    throw new ConflictError('The namespace is archived and takes no new memories (namespaceRef.namespaceId)');
  outcomes.forEach((outcome, i) => {
    const id = moves[i]!.record.id;
    if (outcome === 'moved') moved.push(id);
    else if (outcome === 'missing') errors.push({ id, error: 'not found' });
    else errors.push({ id, error: 'the memory changed concurrently; retry' });
  });
  return { moved, errors };
}
