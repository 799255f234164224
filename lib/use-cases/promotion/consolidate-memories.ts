import type { StoredMemory } from '../../contracts/long-term-memory.js';
import type { StoreRecord } from '../../contracts/store-config.js';
import {
  CONSOLIDATION_NEIGHBOURS,
  extractedMemoryId,
  judgeNeighbour,
  withSources,
} from '../../domain/consolidation.js';
import { contentHash } from '../../domain/records/content-hash.js';
import { typeProblem } from '../../domain/records/memory-type.js';
import { memoryPartition } from '../../domain/records/partition.js';
import type { ExtractedMemory } from '../../ports/memory-extractor.js';
import { createIndexedRecords, embedTexts, logOwnerFull, logQuotaDrop } from '../long-term/indexing.js';
import type { PromotionDeps } from './run-context.js';

/**
 * Writes extracted memories, merging rather than piling up: an identical memory (same owner,
 * namespace and normalized text: its id is a hash of those) gains the new source events; a
 * near-duplicate with overlapping wording does too; a highly similar memory of opposite polarity
 * is superseded by the new one and kept as history. The rules are lib/domain/consolidation.ts's.
 */
export async function consolidate(
  deps: PromotionDeps,
  store: StoreRecord,
  session: { ownerId: string; namespace?: string; namespaceId?: string; sessionId: string },
  extracted: readonly ExtractedMemory[],
  eventTimes: ReadonlyMap<string, number>,
): Promise<{ created: number; merged: number; superseded: number }> {
  const storeId = store.storeId;
  const now = deps.clock.now();
  const candidates = new Map<string, StoredMemory>();
  for (const memory of extracted) {
    const record = toExtractedRecord(
      store,
      session,
      memory,
      eventTimes,
      now,
      deps.extractor.id,
      deps.embedder.model.id,
    );
    if (!record) continue;
    const existing = candidates.get(record.id);
    candidates.set(record.id, existing ? withSources(existing, record.sourceRefs ?? []) : record);
  }
  if (candidates.size === 0) return { created: 0, merged: 0, superseded: 0 };

  const list = [...candidates.values()];
  const stored = await deps.records.getMany(
    storeId,
    list.map((r) => r.id),
    now,
  );
  let merged = 0;
  const fresh: StoredMemory[] = [];
  const known: StoredMemory[] = [];
  for (const [i, record] of list.entries()) {
    const current = stored[i];
    if (current) {
      await mergeSources(deps, storeId, current, record.sourceRefs ?? [], session.sessionId);
      known.push(current);
      merged += 1;
    } else fresh.push(record);
  }

  // A record found by id may never have been indexed: a run that died, or lost Redis's answer,
  // between writing it and indexing it is repeated by the redelivery, which finds the record here.
  // Indexing is idempotent, so known records are indexed again along with the new ones.
  const vectors = await embedTexts(
    deps.embedder,
    [...fresh, ...known].map((r) => r.text),
  );
  if (fresh.length === 0) {
    const knownVectors = new Map(known.map((r, i) => [r.id, vectors[i]!]));
    await createIndexedRecords(deps, storeId, [], knownVectors, known);
    return { created: 0, merged, superseded: 0 };
  }
  const partition = memoryPartition(storeId, fresh[0]!);
  const toCreate: StoredMemory[] = [];
  const replaced: Array<{ old: StoredMemory; by: string }> = [];
  for (const [i, record] of fresh.entries()) {
    const hits = await deps.vectors.query([partition], vectors[i]!, CONSOLIDATION_NEIGHBOURS);
    const near = await deps.records.getMany(
      storeId,
      hits.map((h) => h.id),
      now,
    );
    let handled = false;
    for (const [j, hit] of hits.entries()) {
      const other = near[j];
      // The label-less partition holds every namespace resource's memories: stay within this one.
      if (!other || other.namespaceId !== record.namespaceId) continue;
      const verdict = judgeNeighbour(record, other, hit.score);
      if (verdict === 'merge') {
        await mergeSources(deps, storeId, other, record.sourceRefs ?? [], session.sessionId);
        merged += 1;
        handled = true;
        break;
      }
      if (verdict === 'supersede') {
        replaced.push({ old: other, by: record.id });
        record.supersedes = [...(record.supersedes ?? []), other.id];
        record.contentHash = contentHash(record);
        break;
      }
    }
    if (!handled) toCreate.push(record);
  }
  const vectorOf = new Map([...fresh, ...known].map((r, i) => [r.id, vectors[i]!]));
  const { created, ownerFull, overQuota } = await createIndexedRecords(
    deps,
    storeId,
    toCreate,
    vectorOf,
    known,
  );
  logQuotaDrop(deps.logger, storeId, 'extracted memories', overQuota);
  // Not retried: the job would fail the same way until the owner's memories are deleted.
  logOwnerFull(deps.logger, storeId, 'extracted memories', ownerFull.length);
  for (const { old, by } of replaced) {
    await deps.records.replace(
      storeId,
      { ...old, supersededBy: by, updatedAt: Math.max(now, old.updatedAt + 1) },
      old.updatedAt,
    );
  }
  return { created: created.length, merged, superseded: replaced.length };
}

function toExtractedRecord(
  store: StoreRecord,
  session: { ownerId: string; namespace?: string; namespaceId?: string; sessionId: string },
  memory: ExtractedMemory,
  eventTimes: ReadonlyMap<string, number>,
  now: number,
  extractorId: string,
  embeddingModel: string,
): StoredMemory | undefined {
  const text = memory.text.trim();
  const sources = memory.sourceEventIds.filter((id) => eventTimes.has(id));
  if (!text || sources.length === 0) return undefined;
  if (
    typeProblem(
      { memoryType: memory.memoryType, attributes: memory.attributes },
      store.config.customMemoryTypes,
    )
  ) {
    return undefined;
  }
  const namespace = session.namespace;
  // A namespace resource keeps its memories apart as a label does (and ids never collide with one).
  const id = extractedMemoryId(
    session.ownerId,
    namespace ?? (session.namespaceId ? `ref:${session.namespaceId}` : undefined),
    text,
  );
  const record: Omit<StoredMemory, 'contentHash'> = {
    id,
    text,
    memoryType: memory.memoryType,
    sessionId: session.sessionId,
    ownerId: session.ownerId,
    ...(namespace ? { namespace } : {}),
    ...(session.namespaceId ? { namespaceId: session.namespaceId } : {}),
    topics: [...new Set(memory.topics.map((t) => t.toLowerCase()))].slice(0, 10),
    ...(memory.entities.length > 0 ? { entities: [...new Set(memory.entities)].slice(0, 50) } : {}),
    ...(memory.attributes ? { attributes: memory.attributes } : {}),
    sourceRefs: sources,
    occurredAt: Math.min(...sources.map((s) => eventTimes.get(s)!)),
    extractedBy: extractorId,
    createdAt: now,
    updatedAt: now,
    expiresAt: now + store.config.longTermMemory.ttlSeconds * 1000,
    embeddingModel,
  };
  return { ...record, contentHash: contentHash(record) };
}

/**
 * Adds source events of session `fromSessionId` to an existing memory (compare-and-set; a lost race
 * only loses a reference).
 */
async function mergeSources(
  deps: PromotionDeps,
  storeId: string,
  current: StoredMemory,
  sources: readonly string[],
  fromSessionId: string,
) {
  const next = withSources(current, sources, fromSessionId);
  if (next.sourceRefs?.length === current.sourceRefs?.length) return;
  const outcome = await deps.records.replace(
    storeId,
    { ...next, updatedAt: Math.max(deps.clock.now(), current.updatedAt + 1) },
    current.updatedAt,
  );
  if (outcome === 'conflict')
    deps.logger.info('source merge lost a race; the other writer kept its sources', { storeId });
}
