import type { ChunkResult, StoredDocument, StoredExtractor } from '../../contracts/documents.js';
import type { StoredMemory } from '../../contracts/long-term-memory.js';
import type { StoreRecord } from '../../contracts/store-config.js';
import {
  CONSOLIDATION_NEIGHBOURS,
  judgeNeighbour,
  normalize,
  withSources,
} from '../../domain/consolidation.js';
import type { DocumentChunk } from '../../domain/documents/chunks.js';
import { documentMemoryId, documentSourceRef } from '../../domain/documents/document-refs.js';
import { DomainError } from '../../domain/errors.js';
import { utcDay } from '../../domain/promotion/window.js';
import { contentHash } from '../../domain/records/content-hash.js';
import { memoryPartition } from '../../domain/records/partition.js';
import { createExclusionFilter } from '../../domain/sensitive-data.js';
import type { DocumentQueue, DocumentStore, ExtractorStore } from '../../ports/document-store.js';
import type { ExtractedMemory, MemoryExtractor, TokenUsage } from '../../ports/memory-extractor.js';
import { spentUsage } from '../../ports/memory-extractor.js';
import type { ExtractionBudget } from '../../ports/promotion-ledger.js';
import type { StoreLookup } from '../../ports/registry.js';
import { createIndexedRecords, embedTexts, type IndexingDeps } from '../long-term/indexing.js';

/**
 * The document pipeline (SQS consumer, docs/decisions/0021-document-ingestion.md): per chunk not yet
 * done, the extractor port (Bedrock Converse; the offline extractor behind the Bedrock fake locally)
 * with the extractor's memory type and instructions, then embedding, de-duplication by promotion's
 * consolidation rules (lib/domain/consolidation.ts), and the write, each memory with
 * `sourceRefs: ["doc:<documentId>:<start>-<end>"]`. Each chunk's result is saved as it finishes, so
 * a crash or a timeout redelivers only what is left, and memory ids derive from document, chunk and
 * position, so a chunk written but not yet marked done writes the same records again.
 */
export interface IngestDeps extends IndexingDeps {
  readonly stores: StoreLookup;
  readonly extractors: ExtractorStore;
  readonly documents: DocumentStore;
  readonly documentQueue: DocumentQueue;
  readonly ledger: ExtractionBudget;
  readonly extractor: MemoryExtractor;
  /** Milliseconds left in this invocation (see {@link CONTINUE_MARGIN_MS}). */
  readonly remainingMs?: () => number;
}

/**
 * Margin kept beyond twice the slowest chunk so far when deciding whether another chunk fits in the
 * invocation; with less time left the job hands the rest of the document to a new message instead
 * of being cut off mid-chunk by the Lambda timeout. The first chunk of an invocation always runs,
 * so a job always progresses.
 */
export const CONTINUE_MARGIN_MS = 5_000;

export type IngestOutcome =
  | {
      readonly status: 'done' | 'failed';
      readonly chunks: number;
      readonly created: number;
      readonly usage: TokenUsage;
    }
  | {
      readonly status: 'continued' | 'document-gone' | 'store-gone';
      readonly chunks: number;
      readonly created: number;
      readonly usage: TokenUsage;
    };

const NOTHING: TokenUsage = { inputTokens: 0, outputTokens: 0 };

export async function ingestDocument(
  deps: IngestDeps,
  storeId: string,
  documentId: string,
): Promise<IngestOutcome> {
  const store = await deps.stores.getStore(storeId);
  if (!store) return { status: 'store-gone', chunks: 0, created: 0, usage: NOTHING };
  const document = await deps.documents.getDocument(storeId, documentId);
  const text = document && (await deps.documents.getText(storeId, documentId));
  if (!document || text === undefined)
    return { status: 'document-gone', chunks: 0, created: 0, usage: NOTHING };

  const results = await deps.documents.chunkResults(storeId, documentId);
  // A fresh job (submitted, or resubmitted after a failure) retries failed chunks; a redelivery of a
  // running one only does what is missing, so a chunk the model cannot read is not retried forever.
  const retryFailed = document.status === 'pending';
  let current: StoredDocument = { ...document, status: 'processing', updatedAt: next(deps, document) };
  if (!(await deps.documents.saveDocument(storeId, current))) {
    return { status: 'document-gone', chunks: 0, created: 0, usage: NOTHING };
  }
  const extractor = await deps.extractors.getExtractor(storeId, document.extractorId);
  const exclude = createExclusionFilter(store.config.longTermMemoryExclusions);
  let chunks = 0;
  let created = 0;
  let usage = NOTHING;
  let slowestMs = 0;
  for (const [index, span] of document.chunks.entries()) {
    const previous = results.get(index);
    if (previous && (previous.ok || !retryFailed)) continue;
    if (chunks > 0 && deps.remainingMs && deps.remainingMs() < 2 * slowestMs + CONTINUE_MARGIN_MS) {
      await deps.documentQueue.enqueue(storeId, documentId);
      return { status: 'continued', chunks, created, usage };
    }
    const startedAt = Date.now();
    const chunk: DocumentChunk = { index, ...span, text: text.slice(span.start, span.end) };
    const result = await ingestChunk(deps, store, document, extractor, chunk, exclude);
    // The document was deleted while this chunk ran: what it wrote goes too.
    if (!(await deps.documents.getDocument(storeId, documentId))) {
      if (result.created.length > 0) await deps.records.deleteMany(storeId, result.created);
      return { status: 'document-gone', chunks, created, usage };
    }
    await deps.documents.saveChunkResult(storeId, documentId, index, result);
    results.set(index, result);
    slowestMs = Math.max(slowestMs, Date.now() - startedAt);
    chunks += 1;
    created += result.created.length;
    usage = {
      inputTokens: usage.inputTokens + result.inputTokens,
      outputTokens: usage.outputTokens + result.outputTokens,
    };
  }
  const failed = document.chunks.some((_, i) => results.get(i)?.ok === false);
  const latest = (await deps.documents.getDocument(storeId, documentId)) ?? current;
  current = { ...latest, status: failed ? 'failed' : 'done', updatedAt: next(deps, latest) };
  await deps.documents.saveDocument(storeId, current);
  return { status: current.status as 'done' | 'failed', chunks, created, usage };
}

function next(deps: Pick<IngestDeps, 'clock'>, document: StoredDocument): number {
  return Math.max(deps.clock.now(), document.updatedAt + 1);
}

/**
 * One chunk: extraction, then the write. A model error that a retry may fix (throttling, an
 * unavailable dependency) is thrown, so SQS redelivers the job and the chunk runs again; any other
 * error is this chunk's result (`ok: false`, its code and a message without document text).
 */
async function ingestChunk(
  deps: IngestDeps,
  store: StoreRecord,
  document: StoredDocument,
  extractor: StoredExtractor | undefined,
  chunk: DocumentChunk,
  exclude: ReturnType<typeof createExclusionFilter>,
): Promise<ChunkResult> {
  const failure = (code: string, message: string, spent: TokenUsage = NOTHING): ChunkResult => ({
    ok: false,
    created: [],
    merged: [],
    ...spent,
    error: { code, message },
  });
  if (!extractor) return failure('extractor-missing', 'The extractor was deleted');
  if (extractor.model !== deps.extractor.id) {
    return failure('model-unavailable', `The extractor's model ${extractor.model} is not this deployment's`);
  }
  const day = utcDay(deps.clock.now());
  if ((await deps.ledger.storeTokens(store.storeId, day)) >= store.config.extractionBudget.tokensPerDay) {
    return failure(
      'extraction-budget-exhausted',
      "The store's model tokens for the day are spent; submit again tomorrow",
    );
  }
  // The store's sensitive-data exclusions apply as to conversation turns: redacted, or the chunk dropped.
  const screened = exclude(chunk.text);
  if (screened.text === undefined) return { ok: true, created: [], merged: [], ...NOTHING };

  let memories: readonly ExtractedMemory[];
  let usage: TokenUsage;
  try {
    const result = await deps.extractor.extract({
      ownerId: document.ownerId,
      strategies: [],
      customTypes: [
        {
          name: extractor.memoryType,
          description: extractor.description,
          fields: [],
          extractionStrategy: { prompt: extractor.instructions, enabled: true },
        },
      ],
      priorSummary: undefined,
      contextTurns: [],
      newTurns: [
        {
          eventId: `c${chunk.index}`,
          role: 'USER',
          actorId: document.ownerId,
          text: screened.text,
          createdAt: document.createdAt,
        },
      ],
      document: { title: document.title, headings: chunk.headings },
    });
    memories = result.memories;
    usage = result.usage;
  } catch (error) {
    const spent = spentUsage(error) ?? NOTHING;
    await charge(deps, store.storeId, spent);
    if (isRetryable(error)) throw error;
    return failure(errorCode(error), 'The model could not extract this chunk', spent);
  }
  await charge(deps, store.storeId, usage);
  const written = await writeChunkMemories(deps, store, document, extractor, chunk, memories);
  return { ok: true, ...written, ...usage };
}

async function charge(deps: IngestDeps, storeId: string, usage: TokenUsage): Promise<void> {
  const tokens = usage.inputTokens + usage.outputTokens;
  if (tokens > 0) await deps.ledger.addStoreTokens(storeId, utcDay(deps.clock.now()), tokens);
}

function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

function errorCode(error: unknown): string {
  return error instanceof DomainError ? error.code : error instanceof Error ? error.name : 'unknown';
}

/**
 * Writes a chunk's memories as promotion writes extracted ones (consolidate-memories.ts), with the
 * document's ids: identical texts within the chunk are one memory; a record this chunk already wrote
 * (redelivery) is indexed again; a near-duplicate of a stored memory of the same type merges into it
 * (it gains this chunk's reference) and a contradicting one supersedes it.
 */
async function writeChunkMemories(
  deps: IngestDeps,
  store: StoreRecord,
  document: StoredDocument,
  extractor: StoredExtractor,
  chunk: DocumentChunk,
  memories: readonly ExtractedMemory[],
): Promise<{ created: string[]; merged: string[] }> {
  const storeId = store.storeId;
  const now = deps.clock.now();
  const ref = documentSourceRef(document.documentId, chunk.start, chunk.end);
  const seen = new Set<string>();
  const candidates: StoredMemory[] = [];
  for (const memory of memories) {
    const text = memory.text.trim();
    const key = normalize(text);
    if (!text || seen.has(key)) continue;
    seen.add(key);
    const record: Omit<StoredMemory, 'contentHash'> = {
      id: documentMemoryId(document.documentId, chunk.index, candidates.length),
      text,
      memoryType: extractor.memoryType,
      ownerId: document.ownerId,
      ...(document.namespace ? { namespace: document.namespace } : {}),
      topics: [...new Set(memory.topics.map((t) => t.toLowerCase()))].slice(0, 10),
      ...(memory.entities.length > 0 ? { entities: [...new Set(memory.entities)].slice(0, 50) } : {}),
      sourceRefs: [ref],
      extractedBy: deps.extractor.id,
      createdAt: now,
      updatedAt: now,
      expiresAt: now + store.config.longTermMemory.ttlSeconds * 1000,
      embeddingModel: deps.embedder.model.id,
    };
    candidates.push({ ...record, contentHash: contentHash(record) });
  }
  if (candidates.length === 0) return { created: [], merged: [] };

  const stored = await deps.records.getMany(
    storeId,
    candidates.map((r) => r.id),
    now,
  );
  const known = candidates.filter((_, i) => stored[i] !== undefined);
  const fresh = candidates.filter((_, i) => stored[i] === undefined);
  const vectors = await embedTexts(
    deps.embedder,
    [...fresh, ...known].map((r) => r.text),
  );
  const vectorOf = new Map([...fresh, ...known].map((r, i) => [r.id, vectors[i]!]));
  const partition = memoryPartition(storeId, candidates[0]!);
  const merged: string[] = [];
  const toCreate: StoredMemory[] = [];
  const replaced: Array<{ old: StoredMemory; by: string }> = [];
  for (const record of fresh) {
    const hits = await deps.vectors.query([partition], vectorOf.get(record.id)!, CONSOLIDATION_NEIGHBOURS);
    const near = await deps.records.getMany(
      storeId,
      hits.map((h) => h.id),
      now,
    );
    let handled = false;
    for (const [j, hit] of hits.entries()) {
      const other = near[j];
      // As promotion's consolidation: the label-less partition holds every namespace resource's
      // memories, so a document's memory is never merged into one filed under a namespace resource.
      if (!other || other.namespaceId !== record.namespaceId) continue;
      const verdict = judgeNeighbour(record, other, hit.score);
      if (verdict === 'merge') {
        const updated = withSources(other, [ref]);
        if (updated.sourceRefs?.length !== other.sourceRefs?.length) {
          await deps.records.replace(
            storeId,
            { ...updated, updatedAt: Math.max(now, other.updatedAt + 1) },
            other.updatedAt,
          );
        }
        merged.push(other.id);
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
  const creation = await createIndexedRecords(deps, storeId, toCreate, vectorOf, known);
  if (creation.overQuota || creation.ownerFull.length > 0) {
    deps.logger.warn('document memories dropped: a store quota or the owner limit is reached', {
      storeId,
      dropped: (creation.overQuota?.ids.length ?? 0) + creation.ownerFull.length,
    });
  }
  for (const { old, by } of replaced) {
    await deps.records.replace(
      storeId,
      { ...old, supersededBy: by, updatedAt: Math.max(now, old.updatedAt + 1) },
      old.updatedAt,
    );
  }
  const createdIds = new Set(creation.created.map((r) => r.id));
  return { created: [...createdIds, ...known.map((r) => r.id).filter((id) => !createdIds.has(id))], merged };
}
