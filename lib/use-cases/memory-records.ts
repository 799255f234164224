import type * as z from 'zod';
import { idSchema } from '../contracts/common.js';
import {
  BUILT_IN_MEMORY_TYPES,
  type CreateMemoryRecord,
  createMemoryRecordSchema,
  type MemoryRecordView,
  type StoredMemory,
  type UpdateMemoryFieldsRequest,
  type UpdateMemoryRequest,
} from '../contracts/long-term-memory.js';
import type { CustomMemoryType, StoreRecord } from '../contracts/store-config.js';
import { attributeProblem } from '../domain/custom-attributes.js';
import { ConflictError, NotFoundError, quotaExceededError, ValidationError } from '../domain/errors.js';
import { LIMITS } from '../domain/limits.js';
import { contentHash } from '../domain/memory-record.js';
import { SEQ_PER_MS } from '../domain/ranking.js';

export { contentHash };

import type { Logger } from '../observability/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Embedder } from '../ports/embedder.js';
import type { KeywordIndex } from '../ports/keyword-index.js';
import type { MemoryRecordStore, OverQuota } from '../ports/memory-record-store.js';
import type { StoreRegistry } from '../ports/registry.js';
import type { VectorIndex, VectorPartition } from '../ports/vector-index.js';

export interface MemoryDeps {
  readonly records: MemoryRecordStore;
  readonly vectors: VectorIndex;
  readonly keywords: KeywordIndex;
  readonly embedder: Embedder;
  readonly stores: StoreRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface BulkOperationError {
  readonly id: string;
  readonly error: string;
}

/**
 * Reference BulkCreateLongTermMemories: each item succeeds or fails on its own. Re-posting an id
 * with the same content succeeds again without duplicating (and re-indexes it, which heals a
 * request that failed half-way); re-posting it with other content is an error (use PATCH).
 * Direct writes skip extraction, prompts and exclusions and are searchable on return.
 */
export async function bulkCreateMemories(
  deps: MemoryDeps,
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
    else if (current.contentHash === record.contentHash) toReindex.push(current);
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
  const { created, raced, ownerFull, overQuota } = await createIndexedRecords(
    deps,
    storeId,
    toCreate,
    vectorOf,
    toReindex,
  );
  // The whole request is refused (the script wrote none of its new records): a per-record error
  // would hide that every record after the quota fails the same way.
  if (overQuota) throw quotaExceededError(overQuota.quota, overQuota.limit);
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
 * Creates records that do not exist yet and indexes them (and re-indexes `reindex`), with their
 * vectors already computed. A record found existing with the same content counts as created and is
 * indexed too; one with other content is `raced`. If indexing fails, the records this call created
 * are deleted again and the error propagates: nothing acknowledged is half-indexed. When the new
 * records would pass a store quota none of them is written, and `overQuota` says which quota.
 */
export async function createIndexedRecords(
  deps: MemoryDeps,
  storeId: string,
  records: readonly StoredMemory[],
  vectorOf: ReadonlyMap<string, Float32Array>,
  reindex: readonly StoredMemory[] = [],
  indexTextOf: ReadonlyMap<string, string> = new Map(),
): Promise<{
  created: StoredMemory[];
  raced: string[];
  ownerFull: string[];
  overQuota: (OverQuota & { ids: string[] }) | undefined;
}> {
  const outcomes = await deps.records.createMany(storeId, records);
  const created = records.filter((_, i) => outcomes[i] === 'created');
  const ownerFull = records.filter((_, i) => outcomes[i] === 'owner-full').map((r) => r.id);
  const quotaOutcome = outcomes.find((o): o is OverQuota => typeof o === 'object');
  const overQuota = quotaOutcome && {
    ...quotaOutcome,
    ids: records.filter((_, i) => typeof outcomes[i] === 'object').map((r) => r.id),
  };
  // "Exists" also comes back when this very write ran but its answer was lost and the Redis client
  // re-sent it, or when a concurrent request created the same content. Either way a record with
  // this content exists: index it and count it, as a re-post of the same content is (else nobody
  // would index it, and the memory could never be found by search).
  const existing = records.filter((_, i) => outcomes[i] === 'exists');
  const current =
    existing.length > 0
      ? await deps.records.getMany(
          storeId,
          existing.map((r) => r.id),
          deps.clock.now(),
        )
      : [];
  const same = current.filter(
    (stored, i): stored is StoredMemory => stored?.contentHash === existing[i]!.contentHash,
  );
  const sameIds = new Set(same.map((r) => r.id));
  const raced = existing.filter((r) => !sameIds.has(r.id)).map((r) => r.id);
  try {
    await indexRecords(deps, storeId, [...created, ...same, ...reindex], vectorOf, indexTextOf);
  } catch (error) {
    await deps.records.deleteMany(
      storeId,
      created.map((r) => r.id),
    );
    throw error;
  }
  return { created: [...created, ...same], raced, ownerFull, overQuota };
}

/**
 * Promotion drops the records a store quota refused instead of failing the job: a retry would be
 * refused the same way until data is deleted, and the session's later turns must still promote.
 * Counts only; never the records' text.
 */
export function logQuotaDrop(
  logger: Logger,
  storeId: string,
  what: string,
  overQuota: (OverQuota & { ids: readonly string[] }) | undefined,
): void {
  if (!overQuota) return;
  logger.warn(`store quota reached; ${what} dropped`, {
    storeId,
    dropped: overQuota.ids.length,
    quota: overQuota.quota,
    limit: overQuota.limit,
  });
}

/** Reference BulkDeleteLongTermMemories. Search indexes are cleared before the records go. */
export async function bulkDeleteMemories(
  deps: MemoryDeps,
  storeId: string,
  items: readonly unknown[],
): Promise<{ deleted: string[]; errors: BulkOperationError[] }> {
  const errors: BulkOperationError[] = [];
  const ids: string[] = [];
  items.forEach((item, index) => {
    const parsed = idSchema.safeParse(item);
    if (!parsed.success)
      errors.push({ id: labelOf(item, index, 'memoryIds'), error: describeIssues(parsed.error) });
    else if (!ids.includes(parsed.data)) ids.push(parsed.data);
  });
  // Expired-but-unswept records are deleted too: read them regardless of expiry.
  const found = (await deps.records.getMany(storeId, ids, Number.NEGATIVE_INFINITY)).filter(
    (r): r is StoredMemory => r !== undefined,
  );
  await unindexRecords(deps, storeId, found);
  const deleted = await deps.records.deleteMany(
    storeId,
    found.map((r) => r.id),
  );
  const deletedIds = new Set(deleted.filter((r) => r !== undefined).map((r) => r.id));
  for (const id of ids) if (!deletedIds.has(id)) errors.push({ id, error: 'not found' });
  return { deleted: ids.filter((id) => deletedIds.has(id)), errors };
}

/** Reference GetLongTermMemory; records the access in the same round trip. */
export async function getMemory(
  deps: MemoryDeps,
  storeId: string,
  memoryId: string,
): Promise<MemoryRecordView> {
  const record = await deps.records.readAndTouch(storeId, memoryId, deps.clock.now());
  if (!record) throw new NotFoundError('Memory not found');
  return toView(record);
}

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
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = deps.clock.now();
    const [current] = await deps.records.getMany(storeId, [memoryId], now);
    if (!current) throw new NotFoundError('Memory not found');
    const changed = change(current);
    const next: StoredMemory = {
      ...changed,
      updatedAt: Math.max(now, current.updatedAt + 1),
      contentHash: contentHash(changed),
    };
    const moved = partitionOf(storeId, current) !== partitionOf(storeId, next);
    const retexted = current.text !== next.text;
    if (moved) await unindexRecords(deps, storeId, [current]);
    if (moved || retexted || current.memoryType !== next.memoryType) {
      const [vector] = await embedTexts(deps.embedder, [next.text]);
      await indexRecords(deps, storeId, [next], new Map([[next.id, vector!]]));
    }
    const outcome = await deps.records.replace(storeId, next, current.updatedAt);
    if (outcome === 'replaced') return toView(next);
    if (outcome === 'missing') throw new NotFoundError('Memory not found');
  }
  throw new ConflictError('The memory changed concurrently; retry');
}

async function indexRecords(
  deps: MemoryDeps,
  storeId: string,
  records: readonly StoredMemory[],
  vectors: ReadonlyMap<string, Float32Array>,
  /** What the keyword index reads of a record, where it is not the record's own text. */
  indexTextOf: ReadonlyMap<string, string> = new Map(),
): Promise<void> {
  const groups = groupByPartition(storeId, records);
  await Promise.all(
    [...groups.values()].flatMap(({ partition, members }) => [
      deps.vectors.upsert(
        partition,
        members.map((r) => ({ id: r.id, vector: vectors.get(r.id)! })),
      ),
      deps.keywords.upsert(
        partition,
        members.map((r) => ({ id: r.id, text: indexTextOf.get(r.id) ?? r.text })),
      ),
    ]),
  );
}

async function unindexRecords(
  deps: MemoryDeps,
  storeId: string,
  records: readonly StoredMemory[],
): Promise<void> {
  const groups = groupByPartition(storeId, records);
  await Promise.all(
    [...groups.values()].flatMap(({ partition, members }) => [
      deps.vectors.remove(
        partition,
        members.map((r) => r.id),
      ),
      deps.keywords.remove(
        partition,
        members.map((r) => r.id),
      ),
    ]),
  );
}

/**
 * Embeds texts for indexing, each cut to the model's input limit. A text the model still finds too
 * long (token-dense scripts) is halved and retried, rather than failing the whole write.
 */
export async function embedTexts(embedder: Embedder, texts: readonly string[]): Promise<Float32Array[]> {
  const max = embedder.maxInputCharacters;
  let inputs = max === undefined ? [...texts] : texts.map((t) => t.slice(0, max));
  for (let attempt = 0; ; attempt++) {
    try {
      return await embedder.embedDocuments(inputs);
    } catch (error) {
      const tooLong = error instanceof ValidationError ? textsNamedIn(error) : [];
      if (tooLong.length === 0 || attempt >= 3) throw error;
      inputs = inputs.map((t, i) => (tooLong.includes(i) ? t.slice(0, Math.ceil(t.length / 2)) : t));
    }
  }
}

function textsNamedIn(error: ValidationError): number[] {
  return error.fields.flatMap((f) => {
    const match = /^texts\[(\d+)\]$/.exec(f.field);
    return match ? [Number(match[1])] : [];
  });
}

/** Embeds a query, cut to the model's input limit. */
export function embedQueryText(embedder: Embedder, text: string): Promise<Float32Array> {
  const max = embedder.maxInputCharacters;
  return embedder.embedQuery(max === undefined ? text : text.slice(0, max));
}

export function memoryPartition(
  storeId: string,
  record: Pick<StoredMemory, 'ownerId' | 'namespace'>,
): VectorPartition {
  return { storeId, ownerId: record.ownerId, namespace: record.namespace?.toLowerCase() };
}

function partitionOf(storeId: string, record: StoredMemory): string {
  const p = memoryPartition(storeId, record);
  return `${p.ownerId}:${p.namespace ?? ''}`;
}

function groupByPartition(storeId: string, records: readonly StoredMemory[]) {
  const groups = new Map<string, { partition: VectorPartition; members: StoredMemory[] }>();
  for (const record of records) {
    const key = partitionOf(storeId, record);
    const group = groups.get(key) ?? { partition: memoryPartition(storeId, record), members: [] };
    group.members.push(record);
    groups.set(key, group);
  }
  return groups;
}

export async function requireStore(deps: { stores: StoreRegistry }, storeId: string): Promise<StoreRecord> {
  const store = await deps.stores.getStore(storeId);
  if (!store) throw new NotFoundError('Store not found');
  return store;
}

export function typeProblem(
  record: Pick<CreateMemoryRecord, 'memoryType' | 'attributes'>,
  customTypes: readonly CustomMemoryType[],
): string | undefined {
  const typeName = record.memoryType ?? 'semantic';
  if ((BUILT_IN_MEMORY_TYPES as readonly string[]).includes(typeName)) {
    return record.attributes && Object.keys(record.attributes).length > 0
      ? 'attributes are only allowed on custom memory types'
      : undefined;
  }
  const type = customTypes.find((t) => t.name === typeName);
  if (!type) return `memoryType ${typeName} is not registered on this store`;
  return record.attributes ? attributeProblem(record.attributes, type) : undefined;
}

/**
 * `position` is the item's place in its request: with the request's time it gives the record its
 * server order (`seq`), so a session's records written in one request keep the order they were sent
 * in, whatever their ids or `occurredAt` say.
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

/** How an item is named in `errors`: its id when it has a usable one, else its position. */
function labelOf(item: unknown, index: number, field: 'memories' | 'memoryIds' = 'memories'): string {
  const id =
    field === 'memoryIds'
      ? item
      : typeof item === 'object' && item !== null
        ? (item as { id?: unknown }).id
        : undefined;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : `${field}[${index}]`;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`).join('; ');
}
