import type { StoredMemory } from '../../contracts/long-term-memory.js';
import { ValidationError } from '../../domain/errors.js';
import { LIMITS } from '../../domain/limits.js';
import { type MemoryPartition, memoryPartition, partitionKey } from '../../domain/records/partition.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../ports/clock.js';
import type { Embedder } from '../../ports/embedder.js';
import type { KeywordIndex } from '../../ports/keyword-index.js';
import type { MemoryRecords, OverQuota } from '../../ports/memory-record-store.js';
import type { StoreLookup } from '../../ports/registry.js';
import type { VectorIndex } from '../../ports/vector-index.js';
import type { NamespaceRefDeps } from '../shared/namespace-refs.js';

/**
 * Writing long-term records together with their search indexes, and embedding their texts: the one
 * helper the long-term use cases share, and the one promotion uses to write what it extracts
 * (a use case never imports another use case; this is not one).
 */
export interface IndexingDeps {
  readonly records: MemoryRecords;
  readonly vectors: VectorIndex;
  readonly keywords: KeywordIndex;
  readonly embedder: Embedder;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What most long-term use cases need: indexing plus the store's configuration. */
export interface MemoryDeps extends IndexingDeps, NamespaceRefDeps {
  readonly stores: StoreLookup;
}

export interface IndexedCreation {
  readonly created: StoredMemory[];
  readonly raced: string[];
  readonly ownerFull: string[];
  /** Records refused because their owner is being erased. */
  readonly erasing: string[];
  readonly overQuota: (OverQuota & { ids: string[] }) | undefined;
}

/**
 * Creates records that do not exist yet and indexes them (and re-indexes `reindex`), with their
 * vectors already computed. A record found existing with the same content counts as created and is
 * indexed too; one with other content is `raced`. If indexing fails, the records this call created
 * are deleted again and the error propagates: nothing acknowledged is half-indexed. When the new
 * records would pass a store quota none of them is written, and `overQuota` says which quota.
 */
export async function createIndexedRecords(
  deps: IndexingDeps & NamespaceRefDeps,
  storeId: string,
  records: readonly StoredMemory[],
  vectorOf: ReadonlyMap<string, Float32Array>,
  reindex: readonly StoredMemory[] = [],
  indexTextOf: ReadonlyMap<string, string> = new Map(),
): Promise<IndexedCreation> {
  await noteNamespaceMembers(deps, storeId, records);
  const outcomes = await deps.records.createMany(storeId, records);
  const created = records.filter((_, i) => outcomes[i] === 'created');
  const ownerFull = records.filter((_, i) => outcomes[i] === 'owner-full').map((r) => r.id);
  const erasing = records.filter((_, i) => outcomes[i] === 'owner-erasing').map((r) => r.id);
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
  return { created: [...created, ...same], raced, ownerFull, erasing, overQuota };
}

/** Adds (or replaces) records in both search indexes, one call per partition and index. */
export async function indexRecords(
  deps: Pick<IndexingDeps, 'vectors' | 'keywords'>,
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

/** Removes records from both search indexes. */
export async function unindexRecords(
  deps: Pick<IndexingDeps, 'vectors' | 'keywords'>,
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
 * Deletes records by id the way DELETE does: search indexes first, then the records, so a deleted
 * memory is never found by search. Expired-but-unswept records are deleted too (read regardless of
 * expiry). Returns the ids deleted.
 */
export async function deleteIndexedRecords(
  deps: Pick<IndexingDeps, 'records' | 'vectors' | 'keywords'>,
  storeId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const found = (await deps.records.getMany(storeId, ids, Number.NEGATIVE_INFINITY)).filter(
    (r): r is StoredMemory => r !== undefined,
  );
  await unindexRecords(deps, storeId, found);
  const deleted = await deps.records.deleteMany(
    storeId,
    found.map((r) => r.id),
  );
  return new Set(deleted.filter((r) => r !== undefined).map((r) => r.id));
}

/**
 * Embeds texts for indexing, each cut to the model's input limit, in batches of at most the
 * model's `maxBatch`. A text the model still finds too long (token-dense scripts) is halved and
 * retried, rather than failing the whole write.
 */
export async function embedTexts(embedder: Embedder, texts: readonly string[]): Promise<Float32Array[]> {
  const size = Math.max(1, embedder.maxBatch ?? texts.length);
  if (texts.length <= size) return embedBatch(embedder, texts);
  const vectors: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += size)
    vectors.push(...(await embedBatch(embedder, texts.slice(i, i + size))));
  return vectors;
}

async function embedBatch(embedder: Embedder, texts: readonly string[]): Promise<Float32Array[]> {
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

function groupByPartition(storeId: string, records: readonly StoredMemory[]) {
  const groups = new Map<string, { partition: MemoryPartition; members: StoredMemory[] }>();
  for (const record of records) {
    const key = partitionKey(record);
    const group = groups.get(key) ?? { partition: memoryPartition(storeId, record), members: [] };
    group.members.push(record);
    groups.set(key, group);
  }
  return groups;
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

/** One warning for records the owner's memory limit refused (ids and counts only, never text). */
export function logOwnerFull(logger: Logger, storeId: string, what: string, dropped: number): void {
  if (dropped === 0) return;
  logger.warn(`owner memory limit reached; ${what} dropped`, {
    storeId,
    dropped,
    limit: LIMITS.memoriesPerOwner,
  });
}

/**
 * Notes records filed under namespace resources as members of them before they are written, so a
 * namespace delete sees them (a noted write that then fails only costs that delete a check). One
 * round trip per namespace, none for records without one.
 */
async function noteNamespaceMembers(
  deps: NamespaceRefDeps,
  storeId: string,
  records: readonly StoredMemory[],
): Promise<void> {
  const byNamespace = new Map<string, string[]>();
  for (const r of records) {
    if (r.namespaceId) byNamespace.set(r.namespaceId, [...(byNamespace.get(r.namespaceId) ?? []), r.id]);
  }
  if (byNamespace.size === 0) return;
  if (!deps.namespaces) throw new Error('records filed under a namespace need the namespace store');
  for (const [namespaceId, ids] of byNamespace) await deps.namespaces.noteMembers(storeId, namespaceId, ids);
}
