import {
  bulkCreateResponseSchema,
  createMemoryRecordSchema,
  type StoredMemory,
} from '../../contracts/long-term-memory.js';
import { ConflictError, quotaExceededError } from '../../domain/errors.js';
import { requestHashOf } from '../../domain/idempotency.js';
import { LIMITS } from '../../domain/limits.js';
import { typeProblem } from '../../domain/records/memory-type.js';
import { toStored } from '../../domain/records/stored-memory.js';
import type { NamespaceStore } from '../../ports/namespace-store.js';
import { type BulkOperationError, describeIssues, labelOf } from '../shared/bulk-items.js';
import { type IdempotencyDeps, runIdempotently } from '../shared/idempotent.js';
import { requireStore } from '../shared/require-store.js';
import { createIndexedRecords, embedTexts, type MemoryDeps } from './indexing.js';

/**
 * BulkCreateLongTermMemories with an `Idempotency-Key` (extension): a retry with the same key and
 * items answers what the first request answered, without writing; other items under the key are
 * a 409. Keys are per store. The store is checked first, so no key is claimed in a store that
 * does not exist.
 */
export async function bulkCreateMemoriesIdempotently(
  deps: MemoryDeps & IdempotencyDeps,
  storeId: string,
  items: readonly unknown[],
  idempotencyKey: string,
): Promise<{ created: string[]; errors: BulkOperationError[] }> {
  await requireStore(deps, storeId);
  return runIdempotently(
    deps,
    { storeId, operation: 'ltm-create', key: idempotencyKey },
    requestHashOf({ memories: items }),
    bulkCreateResponseSchema,
    () => bulkCreateMemories(deps, storeId, items),
  );
}

/**
 * Reference BulkCreateLongTermMemories: each item succeeds or fails on its own. Re-posting an id
 * with the same content succeeds again without duplicating (and re-indexes it, which heals a
 * request that failed half-way); re-posting it with other content is an error (use PATCH).
 * Direct writes skip extraction, prompts and exclusions and are searchable on return.
 */
export async function bulkCreateMemories(
  deps: MemoryDeps & { readonly namespaces?: Pick<NamespaceStore, 'getMany' | 'noteMembers'> },
  storeId: string,
  items: readonly unknown[],
): Promise<{ created: string[]; errors: BulkOperationError[] }> {
  const store = await requireStore(deps, storeId);
  const now = deps.clock.now();
  const errors: BulkOperationError[] = [];
  const valid: StoredMemory[] = [];
  const seen = new Set<string>();

  items.forEach((item, index) => {
    const parsed = createMemoryRecordSchema.safeParse(item);
    const label = labelOf(item, index);
    if (!parsed.success) {
      errors.push({ id: label, error: describeIssues(parsed.error) });
      return;
    }
    if (seen.has(parsed.data.id)) {
      errors.push({ id: label, error: 'duplicate id in this request' });
      return;
    }
    seen.add(parsed.data.id);
    const problem = typeProblem(parsed.data, store.config.customMemoryTypes);
    if (problem) {
      errors.push({ id: label, error: problem });
      return;
    }
    valid.push(toStored(parsed.data, now, store, deps.embedder.model.id, index));
  });

  const filed = await fileUnderNamespaces(deps, storeId, valid, errors);
  valid.splice(0, valid.length, ...filed);

  const existing = await deps.records.getMany(
    storeId,
    valid.map((r) => r.id),
    now,
  );
  const toCreate: StoredMemory[] = [];
  const toReindex: StoredMemory[] = [];
  valid.forEach((record, i) => {
    const current = existing[i];
    if (!current) toCreate.push(record);
    else if (current.contentHash === record.contentHash && current.namespaceId === record.namespaceId)
      toReindex.push(current);
    else
      errors.push({
        id: record.id,
        error: 'a memory with this id already exists with other content; use PATCH',
      });
  });

  // Embed before writing anything: a model failure leaves nothing half-written.
  const vectors = await embedTexts(
    deps.embedder,
    [...toCreate, ...toReindex].map((r) => r.text),
  );
  const vectorOf = new Map([...toCreate, ...toReindex].map((r, i) => [r.id, vectors[i]!]));
  const { created, raced, ownerFull, erasing, overQuota } = await createIndexedRecords(
    deps,
    storeId,
    toCreate,
    vectorOf,
    toReindex,
  );
  // The whole request is refused (the script wrote none of its new records): a per-record error
  // would hide that every record after the quota fails the same way.
  if (overQuota) throw quotaExceededError(overQuota.quota, overQuota.limit);
  // A write racing an erase of its owner is refused rather than left to outlive the erase
  // (docs/decisions/0017-erase-export-import.md): the whole request when nothing else was written.
  if (
    erasing.length > 0 &&
    erasing.length === toCreate.length &&
    toReindex.length === 0 &&
    errors.length === 0
  ) {
    throw new ConflictError(
      'The owner of these memories is being erased; write again once the erasure has finished',
    );
  }
  for (const id of erasing)
    errors.push({ id, error: 'its owner is being erased; write again once the erasure has finished' });
  for (const id of raced) errors.push({ id, error: 'a memory with this id was created concurrently' });
  for (const id of ownerFull) {
    errors.push({
      id,
      error: `its owner already has ${LIMITS.memoriesPerOwner} memories in this store; delete some first`,
    });
  }
  return { created: [...created, ...toReindex].map((r) => r.id), errors };
}

/**
 * The records whose namespace resource (`namespaceRef`) exists and is active (createIndexedRecords
 * notes them as its members). The others fail on their own: 404 and 409 in words. An archive
 * racing this request may let its records in; the namespace takes nothing after it.
 */
async function fileUnderNamespaces(
  deps: { readonly namespaces?: Pick<NamespaceStore, 'getMany'> },
  storeId: string,
  records: readonly StoredMemory[],
  errors: BulkOperationError[],
): Promise<StoredMemory[]> {
  const ids = [...new Set(records.flatMap((r) => (r.namespaceId ? [r.namespaceId] : [])))];
  if (ids.length === 0) return [...records];
  const namespaces = deps.namespaces;
  if (!namespaces) throw new Error('bulk create with namespaceRef needs the namespace store');
  const found = await namespaces.getMany(storeId, ids);
  const state = new Map(ids.map((id, i) => [id, found[i]?.state]));
  const kept = records.filter((record) => {
    if (!record.namespaceId) return true;
    const s = state.get(record.namespaceId);
    if (s === 'ACTIVE') return true;
    errors.push({
      id: record.id,
      error:
        s === undefined
          ? 'namespaceRef.namespaceId: no such namespace in this store'
          : 'namespaceRef.namespaceId: the namespace is archived and takes no new memories',
    });
    return false;
  });
  return kept;
}
