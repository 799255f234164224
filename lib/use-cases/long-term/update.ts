import type {
  MemoryRecordView,
  StoredMemory,
  UpdateMemoryFieldsRequest,
  UpdateMemoryRequest,
} from '../../contracts/long-term-memory.js';
import { attributeProblem } from '../../domain/custom-attributes.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { contentHash } from '../../domain/records/content-hash.js';
import { typeProblem } from '../../domain/records/memory-type.js';
import { partitionKey } from '../../domain/records/partition.js';
import { toView } from '../../domain/records/view.js';
import { namespaceRefsOf } from '../shared/namespace-refs.js';
import { requireStore } from '../shared/require-store.js';
import { embedTexts, indexRecords, type MemoryDeps, unindexRecords } from './indexing.js';

/** Attempts of a compare-and-set update that keeps losing to concurrent writers before a 409. */
const UPDATE_ATTEMPTS = 3;

/** Reference UpdateLongTermMemory: partial; re-embeds when the text changes, re-files when owner or namespace do. */
export async function updateMemory(
  deps: MemoryDeps,
  storeId: string,
  memoryId: string,
  patch: UpdateMemoryRequest,
): Promise<MemoryRecordView> {
  const store = await requireStore(deps, storeId);
  return compareAndSet(deps, storeId, memoryId, (current) => {
    const next: StoredMemory = {
      ...current,
      ...(patch.text !== undefined ? { text: patch.text } : {}),
      ...(patch.memoryType !== undefined ? { memoryType: patch.memoryType } : {}),
      ...(patch.topics !== undefined ? { topics: patch.topics } : {}),
      ...(patch.ownerId !== undefined ? { ownerId: patch.ownerId } : {}),
    };
    if (patch.namespace !== undefined) next.namespace = patch.namespace === '' ? undefined : patch.namespace;
    // A record has a namespace label or a namespace resource, never both (decision record 0014).
    if (next.namespace !== undefined && next.namespaceId !== undefined) {
      throw new ConflictError(
        'The memory is filed under a namespace resource (namespaceRef); move it instead',
      );
    }
    if (patch.sessionId !== undefined) next.sessionId = patch.sessionId === '' ? undefined : patch.sessionId;
    const problem = typeProblem(next, store.config.customMemoryTypes);
    if (problem)
      throw new ValidationError(problem, [{ field: 'memoryType', rule: 'registered', message: problem }]);
    return next;
  });
}

/**
 * Reference UpdateLongTermMemoryFields: atomic check-and-write of a custom-typed record's text and
 * attributes. The stated memory type must be the stored one and the stated namespace the stored
 * one exactly (omitted = the record has none), else 409. Attributes given are merged in.
 */
export async function updateMemoryFields(
  deps: MemoryDeps,
  storeId: string,
  memoryId: string,
  request: UpdateMemoryFieldsRequest,
): Promise<MemoryRecordView> {
  const store = await requireStore(deps, storeId);
  return compareAndSet(deps, storeId, memoryId, (current) => {
    if (current.memoryType !== request.memoryType) {
      throw new ConflictError(`The memory is of type ${current.memoryType}, not ${request.memoryType}`);
    }
    if (current.namespace !== request.namespace) {
      throw new ConflictError('The memory is not in the stated namespace');
    }
    const type = store.config.customMemoryTypes.find((t) => t.name === current.memoryType);
    if (!type) throw new ConflictError(`${current.memoryType} is not a custom memory type of this store`);
    const attributes = { ...(current.attributes ?? {}), ...(request.attributes ?? {}) };
    const problem = attributeProblem(attributes, type);
    if (problem)
      throw new ValidationError(problem, [{ field: 'attributes', rule: 'type', message: problem }]);
    return { ...current, ...(request.text !== undefined ? { text: request.text } : {}), attributes };
  });
}

/** Read, change, write with a compare-and-set on updatedAt; re-indexes what changed. Retries on a race. */
async function compareAndSet(
  deps: MemoryDeps,
  storeId: string,
  memoryId: string,
  change: (current: StoredMemory) => StoredMemory,
): Promise<MemoryRecordView> {
  for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
    const now = deps.clock.now();
    const [current] = await deps.records.getMany(storeId, [memoryId], now);
    if (!current) throw new NotFoundError('Memory not found');
    const changed = change(current);
    const next: StoredMemory = {
      ...changed,
      updatedAt: Math.max(now, current.updatedAt + 1),
      contentHash: contentHash(changed),
    };
    const moved = partitionKey(current) !== partitionKey(next);
    const retexted = current.text !== next.text;
    if (moved) await unindexRecords(deps, storeId, [current]);
    if (moved || retexted || current.memoryType !== next.memoryType) {
      const [vector] = await embedTexts(deps.embedder, [next.text]);
      await indexRecords(deps, storeId, [next], new Map([[next.id, vector!]]));
    }
    const outcome = await deps.records.replace(storeId, next, current.updatedAt);
    if (outcome === 'replaced') return toView(next, undefined, await namespaceRefsOf(deps, storeId, [next]));
    if (outcome === 'missing') throw new NotFoundError('Memory not found');
  }
  throw new ConflictError('The memory changed concurrently; retry');
}
