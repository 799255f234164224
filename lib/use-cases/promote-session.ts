import { createHash, randomUUID } from 'node:crypto';
import type { StoredMemory } from '../contracts/long-term-memory.js';
import type { PromotionMessage } from '../contracts/promotion-message.js';
import type { SessionEvent, SessionMemory, SessionSummary } from '../contracts/session-memory.js';
import type { StoreRecord } from '../contracts/store-config.js';
import {
  conversationIndexTexts,
  conversationRecords,
  conversationRetention,
  keepsTurn,
  type ScreenedTurn,
} from '../domain/conversation-records.js';
import { DependencyUnavailableError, DomainError } from '../domain/errors.js';
import { LIMITS } from '../domain/limits.js';
import { createExclusionFilter } from '../domain/sensitive-data.js';
import { describeError } from '../observability/logger.js';
import {
  type ExtractedMemory,
  type MemoryExtractor,
  type SessionSummarizer,
  spentUsage,
  type TokenUsage,
} from '../ports/memory-extractor.js';
import type { ParkedRange, PromotionLedger } from '../ports/promotion-ledger.js';
import type { PromotionQueue } from '../ports/promotion-queue.js';
import type { SessionStore } from '../ports/session-store.js';
import {
  contentHash,
  createIndexedRecords,
  embedTexts,
  logQuotaDrop,
  type MemoryDeps,
  memoryPartition,
  requireStore,
  typeProblem,
} from './memory-records.js';

export interface PromotionDeps extends MemoryDeps {
  readonly sessions: SessionStore;
  readonly ledger: PromotionLedger;
  readonly extractor: MemoryExtractor;
  readonly summarizer: SessionSummarizer;
  readonly promotionQueue: PromotionQueue;
}

/** New turns one run extracts from; the rest wait for a follow-up job sent at once. */
export const MAX_TURNS_PER_RUN = 100;
/** Earlier turns given to the extractor as context (never extracted from again). */
export const CONTEXT_TURNS = 6;
/**
 * The lock outlives a run's worst case (the consumer's timeout, 120 s in the stage defaults) so two
 * workers never overlap; if its holder dies it frees itself for the redelivery.
 */
export const LOCK_TTL_MS = 150_000;
/**
 * Normalized cosine ((1 + cos) / 2) above which an extracted memory is a candidate duplicate of an
 * existing one; merged only if the wording overlaps too, so "likes sushi" never swallows
 * "dislikes sushi" (that one supersedes instead).
 */
export const NEAR_DUPLICATE_SIMILARITY = 0.95;
export const CONTRADICTION_SIMILARITY = 0.9;
const MIN_WORD_OVERLAP = 0.5;
/**
 * Nearest memories a new one is compared with. Conversation records share the owner's index and are
 * never merged with facts, so the nearest few are often the turns the fact came from: 16 leaves room
 * for the facts behind them.
 */
const CONSOLIDATION_NEIGHBOURS = 16;
/**
 * Runs in a row that may fail on the same batch (the watermark unmoved) before the batch is parked
 * and skipped, so one poisoned batch cannot hold back every later turn of its session and be
 * replayed by every window and promote-now. The extractor already asks the model twice per run, so
 * this is 6 calls; a redelivery still gets a second chance at a transient bad reply, and 3 is within
 * the queue's maxReceiveCount (3–5, infra/config/stage-config.ts), so the job parks its batch before
 * it would dead-letter. Retryable failures (throttling, timeouts, outages) are not counted.
 */
export const PARK_AFTER_FAILED_RUNS = 3;
/** SQS's longest delivery delay: a job the budget defers comes back at most this late (or at 00:00 UTC). */
const MAX_DEFER_SECONDS = 900;
const DAY_MS = 86_400_000;

export class PromotionBusyError extends DomainError {
  readonly code = 'too-many-requests';
  override readonly retryable = true;
  constructor() {
    super('Another worker is promoting this session');
    this.name = 'PromotionBusyError';
  }
}

export interface PromotionOutcome {
  /**
   * `parked`: the batch failed {@link PARK_AFTER_FAILED_RUNS} runs in a row and was skipped (or a
   * parked range's retry failed again); `deferred`: the store's extraction budget for the day is
   * spent, so the job was sent again with a delay and no model was called.
   */
  readonly status: 'promoted' | 'parked' | 'deferred' | 'nothing-new' | 'session-gone' | 'store-gone';
  readonly processedEvents: number;
  readonly created: number;
  readonly merged: number;
  readonly superseded: number;
  /** Conversation records written (or found written by an earlier try) for this run's turns. */
  readonly conversation: number;
  readonly summarized: number;
  readonly usage: TokenUsage;
}

/**
 * One promotion job: extract long-term memories from the session's events after its watermark,
 * consolidate them with what is stored, write them, then move the watermark — in that order, so a
 * crash at any point only repeats work, and repeated work only merges into what exists (memory ids
 * are content hashes; near-duplicates merge). One worker per session at a time (a lock); a job
 * that finds nothing new is a no-op, so redelivered and duplicated jobs cost one read.
 */
export async function promoteSession(
  deps: PromotionDeps,
  message: PromotionMessage,
): Promise<PromotionOutcome> {
  const { storeId, sessionId } = message;
  const holder = randomUUID();
  if (!(await deps.ledger.acquireLock(storeId, sessionId, holder, LOCK_TTL_MS)))
    throw new PromotionBusyError();
  const recorded = new WeakSet<object>();
  try {
    return await promoteLocked(deps, message, recorded);
  } catch (error) {
    if (typeof error !== 'object' || error === null || !recorded.has(error)) {
      const usage = spentUsage(error) ?? NOTHING;
      await deps.ledger
        .recordFailure(storeId, sessionId, { code: errorCode(error), now: deps.clock.now(), ...usage })
        .catch(() => {});
    }
    throw error;
  } finally {
    await deps.ledger.releaseLock(storeId, sessionId, holder).catch((error: unknown) => {
      deps.logger.warn('promotion lock release failed; it expires on its own', describeError(error));
    });
  }
}

const NOTHING: TokenUsage = { inputTokens: 0, outputTokens: 0 };

function errorCode(error: unknown): string {
  return error instanceof DomainError ? error.code : error instanceof Error ? error.name : 'unknown';
}

function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/** The UTC day (`YYYY-MM-DD`) the store's token budget counts in. */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Adds tokens the store spent (extraction, summaries, failed runs) to its count of the day. */
async function chargeStore(deps: PromotionDeps, storeId: string, usage: TokenUsage): Promise<void> {
  const tokens = usage.inputTokens + usage.outputTokens;
  if (tokens > 0) await deps.ledger.addStoreTokens(storeId, utcDay(deps.clock.now()), tokens);
}

async function promoteLocked(
  deps: PromotionDeps,
  message: PromotionMessage,
  recorded: WeakSet<object>,
): Promise<PromotionOutcome> {
  const { storeId, sessionId } = message;
  const empty = {
    processedEvents: 0,
    created: 0,
    merged: 0,
    superseded: 0,
    conversation: 0,
    summarized: 0,
    usage: NOTHING,
  };
  // A job that outlived its store (deleted meanwhile) is done: retrying it would only end in the
  // DLQ and raise its alarm, and recording it would write into the deleted keyspace.
  if (!(await deps.stores.getStore(storeId))) return { status: 'store-gone', ...empty };
  await deps.ledger.recordJobReceived(message, deps.clock.now());
  const now = deps.clock.now();
  // Read with the rest (one round trip): the store's tokens of the day, checked before any model call.
  const [store, session, state, parked, spentToday] = await Promise.all([
    requireStore(deps, storeId),
    deps.sessions.getSession(storeId, sessionId),
    deps.ledger.readState(storeId, sessionId),
    deps.ledger.parkedRanges(storeId, sessionId),
    deps.ledger.storeTokens(storeId, utcDay(now)),
  ]);
  if (!session) return { status: 'session-gone', ...empty };

  // Arrival order: event ids start with the server time, so they sort as they were appended.
  const byArrival = [...session.events].sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
  const watermark = state.watermarkEventId;
  const firstNew = watermark === undefined ? 0 : byArrival.findIndex((e) => e.eventId > watermark);
  const pending = firstNew < 0 ? [] : byArrival.slice(firstNew);
  const batch = pending.slice(0, MAX_TURNS_PER_RUN);
  const retry = parked.find((range) => range.retryRequestedAt !== undefined);

  // A run may overshoot the budget by its own cost, never more.
  const overBudget = spentToday >= store.config.extractionBudget.tokensPerDay;
  if (overBudget && (batch.length > 0 || retry)) {
    // Deferred, not failed: the job comes back later and other sessions' jobs in the SQS batch are
    // not held up. Conversation records wait too: writing them now would embed the same turns again
    // on every deferral.
    const until = Math.min(now + MAX_DEFER_SECONDS * 1000, (Math.floor(now / DAY_MS) + 1) * DAY_MS);
    await deps.ledger.recordDeferral(storeId, sessionId, until, now);
    await deps.promotionQueue.enqueue(
      { ...message, windowStartedAt: now, dueAt: now },
      Math.max(1, Math.ceil((until - now) / 1000)),
    );
    deps.logger.info('promotion deferred: store extraction budget spent for the day', { storeId });
    return { status: 'deferred', ...empty };
  }
  if (retry) {
    const outcome = await retryParkedRange(deps, store, session, byArrival, retry);
    if (pending.length > 0 || parked.some((r) => r !== retry && r.retryRequestedAt !== undefined)) {
      const later = deps.clock.now();
      await deps.promotionQueue.enqueue({ ...message, windowStartedAt: later, dueAt: later }, 0);
    }
    return outcome;
  }

  let usage = NOTHING;
  let created = 0;
  let merged = 0;
  let superseded = 0;
  let conversation = 0;
  if (batch.length > 0) {
    const exclude = createExclusionFilter(store.config.longTermMemoryExclusions);
    const end = firstNew < 0 ? byArrival.length : firstNew;
    const contextStart = Math.max(0, end - CONTEXT_TURNS);
    // Screened once: the extractor and the conversation records see the same text.
    const newTurns = screenTurns(batch, firstNew, exclude);
    if (newTurns.length > 0) {
      const before = screenTurns(byArrival.slice(contextStart, end), contextStart, exclude);
      // Written before extraction: they need no model, so a batch that is later parked keeps them.
      conversation = await writeConversation(deps, store, session, newTurns, before);
      const extraction = await extractCharged(deps, store, session, before, newTurns);
      if (!extraction.ok) {
        const { error } = extraction;
        const failedRuns = await deps.ledger.recordFailure(storeId, sessionId, {
          code: errorCode(error),
          now: deps.clock.now(),
          ...extraction.usage,
          // Retryable failures (throttling, outages) say nothing about the batch: not counted.
          ...(isRetryable(error) ? {} : { batchFirstEventId: batch[0]!.eventId }),
        });
        if (typeof error === 'object' && error !== null) recorded.add(error);
        if (isRetryable(error) || failedRuns < PARK_AFTER_FAILED_RUNS) throw error;
        return parkBatch(deps, message, batch, pending.length, failedRuns, errorCode(error), conversation);
      }
      usage = extraction.usage;
      const eventTimes = new Map(newTurns.map((t) => [t.eventId, t.createdAt]));
      const written = await consolidate(deps, store, session, extraction.memories, eventTimes);
      created = written.created;
      merged = written.merged;
      superseded = written.superseded;
    }
    await deps.ledger.commitRun(storeId, sessionId, {
      watermarkEventId: batch[batch.length - 1]!.eventId,
      processedEvents: batch.length,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      memoriesWritten: created,
      conversationRecordsWritten: conversation,
      now: deps.clock.now(),
    });
    if (pending.length > batch.length) {
      // The rest of a long backlog: a follow-up job now rather than at the next window.
      const now = deps.clock.now();
      await deps.promotionQueue.enqueue({ ...message, windowStartedAt: now, dueAt: now }, 0);
    }
  }

  const summarized = await summarizeIfDue(
    deps,
    store,
    session.summary,
    session.ownerId,
    storeId,
    sessionId,
    session.events,
    overBudget,
  );
  usage = {
    inputTokens: usage.inputTokens + summarized.usage.inputTokens,
    outputTokens: usage.outputTokens + summarized.usage.outputTokens,
  };
  return {
    status: batch.length > 0 ? 'promoted' : 'nothing-new',
    processedEvents: batch.length,
    created,
    merged,
    superseded,
    conversation,
    summarized: summarized.events,
    usage,
  };
}

type Extraction =
  | { readonly ok: true; readonly memories: readonly ExtractedMemory[]; readonly usage: TokenUsage }
  | { readonly ok: false; readonly error: unknown; readonly usage: TokenUsage };

/** One extractor call, its tokens (failed calls' included) added to the store's count of the day. */
async function extractCharged(
  deps: PromotionDeps,
  store: StoreRecord,
  session: SessionMemory,
  before: readonly ScreenedTurn[],
  newTurns: readonly ScreenedTurn[],
): Promise<Extraction> {
  let extraction: Extraction;
  try {
    const result = await deps.extractor.extract({
      ownerId: session.ownerId,
      strategies: store.config.extractionStrategies,
      customTypes: store.config.customMemoryTypes.filter((t) => t.extractionStrategy?.enabled !== false),
      priorSummary: session.summary?.text,
      contextTurns: before,
      newTurns,
    });
    extraction = { ok: true, memories: result.memories, usage: result.usage };
  } catch (error) {
    extraction = { ok: false, error, usage: spentUsage(error) ?? NOTHING };
  }
  await chargeStore(deps, store.storeId, extraction.usage);
  return extraction;
}

/**
 * Skips a batch that failed {@link PARK_AFTER_FAILED_RUNS} runs in a row: the watermark moves past
 * it and the range is recorded as parked (visible in the promotion status) until an operator asks
 * for a retry. Its conversation records stay. The failed runs' tokens were recorded with each failure.
 */
async function parkBatch(
  deps: PromotionDeps,
  message: PromotionMessage,
  batch: readonly SessionEvent[],
  pendingCount: number,
  failures: number,
  code: string,
  conversation: number,
): Promise<PromotionOutcome> {
  const { storeId, sessionId } = message;
  const now = deps.clock.now();
  const park: ParkedRange = {
    firstEventId: batch[0]!.eventId,
    lastEventId: batch[batch.length - 1]!.eventId,
    events: batch.length,
    failures,
    lastErrorCode: code,
    parkedAt: now,
  };
  await deps.ledger.commitRun(storeId, sessionId, {
    watermarkEventId: park.lastEventId,
    processedEvents: 0,
    inputTokens: 0,
    outputTokens: 0,
    memoriesWritten: 0,
    conversationRecordsWritten: conversation,
    park,
    now,
  });
  deps.logger.warn('promotion batch parked after repeated extraction failures', {
    storeId,
    sessionId,
    events: batch.length,
    failures,
    code,
  });
  if (pendingCount > batch.length)
    await deps.promotionQueue.enqueue({ ...message, windowStartedAt: now, dueAt: now }, 0);
  return { ...emptyOutcome('parked'), processedEvents: 0, conversation };
}

/**
 * An operator's retry of a parked range: extracted again (conversation records are re-indexed, not
 * duplicated); on success it is no longer parked, and the watermark, already past it, stays. A
 * retry that fails for a reason a redelivery may fix is thrown (the request stays); otherwise the
 * range stays parked with one more failure and the request is cleared.
 */
async function retryParkedRange(
  deps: PromotionDeps,
  store: StoreRecord,
  session: SessionMemory,
  byArrival: readonly SessionEvent[],
  range: ParkedRange,
): Promise<PromotionOutcome> {
  const { storeId } = store;
  const { sessionId } = session;
  const start = byArrival.findIndex((e) => e.eventId >= range.firstEventId);
  const events = start < 0 ? [] : byArrival.slice(start).filter((e) => e.eventId <= range.lastEventId);
  const exclude = createExclusionFilter(store.config.longTermMemoryExclusions);
  const newTurns = screenTurns(events, start, exclude);
  let conversation = 0;
  let usage = NOTHING;
  let written = { created: 0, merged: 0, superseded: 0 };
  // Events that expired or were deleted since leave nothing to retry: the range is resolved.
  if (newTurns.length > 0) {
    const contextStart = Math.max(0, start - CONTEXT_TURNS);
    const before = screenTurns(byArrival.slice(contextStart, start), contextStart, exclude);
    conversation = await writeConversation(deps, store, session, newTurns, before);
    const extraction = await extractCharged(deps, store, session, before, newTurns);
    if (!extraction.ok) {
      if (isRetryable(extraction.error)) throw extraction.error;
      const code = errorCode(extraction.error);
      await deps.ledger.recordFailure(storeId, sessionId, {
        code,
        now: deps.clock.now(),
        ...extraction.usage,
      });
      const { retryRequestedAt: _cleared, ...rest } = range;
      await deps.ledger.saveParkedRange(storeId, sessionId, {
        ...rest,
        failures: range.failures + 1,
        lastErrorCode: code,
      });
      return { ...emptyOutcome('parked'), conversation };
    }
    usage = extraction.usage;
    const eventTimes = new Map(newTurns.map((t) => [t.eventId, t.createdAt]));
    written = await consolidate(deps, store, session, extraction.memories, eventTimes);
  }
  await deps.ledger.commitRun(storeId, sessionId, {
    processedEvents: events.length,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    memoriesWritten: written.created,
    conversationRecordsWritten: conversation,
    resolvedParkedRange: range.firstEventId,
    now: deps.clock.now(),
  });
  return {
    status: 'promoted',
    processedEvents: events.length,
    ...written,
    conversation,
    summarized: 0,
    usage,
  };
}

function emptyOutcome(status: PromotionOutcome['status']): PromotionOutcome {
  return {
    status,
    processedEvents: 0,
    created: 0,
    merged: 0,
    superseded: 0,
    conversation: 0,
    summarized: 0,
    usage: NOTHING,
  };
}

/**
 * Writes extracted memories, merging rather than piling up: an identical memory (same owner,
 * namespace and normalized text: its id is a hash of those) gains the new source events; a
 * near-duplicate with overlapping wording does too; a highly similar memory of opposite polarity
 * is superseded by the new one and kept as history.
 */
async function consolidate(
  deps: PromotionDeps,
  store: StoreRecord,
  session: { ownerId: string; namespace?: string; sessionId: string },
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
      await mergeSources(deps, storeId, current, record.sourceRefs ?? []);
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
      if (!other || other.supersededBy || other.memoryType !== record.memoryType) continue;
      const samePolarity = negated(other.text) === negated(record.text);
      if (
        hit.score >= NEAR_DUPLICATE_SIMILARITY &&
        samePolarity &&
        wordOverlap(other.text, record.text) >= MIN_WORD_OVERLAP
      ) {
        await mergeSources(deps, storeId, other, record.sourceRefs ?? []);
        merged += 1;
        handled = true;
        break;
      }
      if (hit.score >= CONTRADICTION_SIMILARITY && !samePolarity) {
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
  session: { ownerId: string; namespace?: string; sessionId: string },
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
  const id = `x${createHash('sha256')
    .update(JSON.stringify([session.ownerId, namespace?.toLowerCase() ?? null, normalize(text)]))
    .digest('hex')
    .slice(0, 31)}`;
  const record: Omit<StoredMemory, 'contentHash'> = {
    id,
    text,
    memoryType: memory.memoryType,
    sessionId: session.sessionId,
    ownerId: session.ownerId,
    ...(namespace ? { namespace } : {}),
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

function withSources(record: StoredMemory, sources: readonly string[]): StoredMemory {
  const merged = [...new Set([...(record.sourceRefs ?? []), ...sources])].slice(0, 100);
  return { ...record, sourceRefs: merged };
}

/** Adds source events to an existing memory (compare-and-set; a lost race only loses a reference). */
async function mergeSources(
  deps: PromotionDeps,
  storeId: string,
  current: StoredMemory,
  sources: readonly string[],
) {
  const next = withSources(current, sources);
  if (next.sourceRefs?.length === current.sourceRefs?.length) return;
  const outcome = await deps.records.replace(
    storeId,
    { ...next, updatedAt: Math.max(deps.clock.now(), current.updatedAt + 1) },
    current.updatedAt,
  );
  if (outcome === 'conflict')
    deps.logger.info('source merge lost a race; the other writer kept its sources', { storeId });
}

/** Folds older events into the session summary once the retained events reach the threshold. */
async function summarizeIfDue(
  deps: PromotionDeps,
  store: StoreRecord,
  prior: SessionSummary | undefined,
  ownerId: string,
  storeId: string,
  sessionId: string,
  events: readonly SessionEvent[],
  overBudget: boolean,
): Promise<{ events: number; usage: TokenUsage }> {
  const config = store.config.summarization;
  // Over budget, the summary waits for a later run (it only folds events; nothing is lost).
  if (!config?.enabled || overBudget) return { events: 0, usage: NOTHING };
  // Events are in createdAt order; the summary covers a prefix of them by position.
  const coveredUpTo = prior ? events.findIndex((e) => e.eventId === prior.summarizedUpToEventId) : -1;
  const retained = events.slice(coveredUpTo + 1);
  if (retained.length < config.eventCount.threshold) return { events: 0, usage: NOTHING };
  const fold = retained.slice(0, retained.length - config.eventCount.retainCount);
  if (fold.length === 0) return { events: 0, usage: NOTHING };
  const turns = screenTurns(fold, 0, createExclusionFilter(store.config.longTermMemoryExclusions));
  let result: Awaited<ReturnType<SessionSummarizer['summarize']>>;
  try {
    result = await deps.summarizer.summarize({ ownerId, priorSummary: prior?.text, turns });
  } catch (error) {
    await chargeStore(deps, storeId, spentUsage(error) ?? NOTHING);
    throw error;
  }
  await chargeStore(deps, storeId, result.usage);
  const now = new Date(deps.clock.now()).toISOString();
  const summary: SessionSummary = {
    text: result.text,
    summarizedUpToEventId: fold[fold.length - 1]!.eventId,
    createdAt: prior?.createdAt ?? now,
    updatedAt: now,
    metadata: {
      model: deps.summarizer.id,
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
    },
    summarizedEvents: (prior?.summarizedEvents ?? 0) + fold.length,
  };
  if (!(await deps.sessions.setSummary(storeId, sessionId, summary))) {
    throw new DependencyUnavailableError('The session disappeared while it was summarized');
  }
  return { events: fold.length, usage: result.usage };
}

/**
 * What promotion keeps of events: their text after the store's exclusions, with their arrival
 * position (`first` is the position of `events[0]`); dropped turns are left out.
 */
function screenTurns(
  events: readonly SessionEvent[],
  first: number,
  exclude: ReturnType<typeof createExclusionFilter>,
): ScreenedTurn[] {
  return events.flatMap((event, i): ScreenedTurn[] => {
    const { text } = exclude(event.content.map((part) => part.text).join('\n'));
    if (text === undefined) return [];
    return [
      {
        eventId: event.eventId,
        role: event.role,
        actorId: event.actorId,
        text,
        createdAt: Date.parse(event.createdAt),
        position: first + i,
      },
    ];
  });
}

/**
 * Writes the turns' conversation records and indexes them, when the store keeps them. Ids come
 * from (session, event): a retried run finds what an earlier try wrote and re-indexes it (that try
 * may have died between writing and indexing), so it never writes a second copy. One embedding
 * batch for the run's turns.
 */
async function writeConversation(
  deps: PromotionDeps,
  store: StoreRecord,
  session: { ownerId: string; namespace?: string; sessionId: string },
  turns: readonly ScreenedTurn[],
  before: readonly ScreenedTurn[],
): Promise<number> {
  const retention = conversationRetention(store.config);
  if (!retention.enabled) return 0;
  const records = conversationRecords({
    session,
    turns,
    now: deps.clock.now(),
    ttlSeconds: retention.ttlSeconds,
    embeddingModel: deps.embedder.model.id,
  }).map((r): StoredMemory => ({ ...r, contentHash: contentHash(r) }));
  if (records.length === 0) return 0;
  const indexTexts = conversationIndexTexts(
    records,
    before.filter(keepsTurn).map((t) => t.text.trim()),
  );
  const vectors = await embedTexts(deps.embedder, indexTexts);
  const vectorOf = new Map(records.map((r, i) => [r.id, vectors[i]!]));
  const indexTextOf = new Map(records.map((r, i) => [r.id, indexTexts[i]!]));
  const { created, ownerFull, overQuota } = await createIndexedRecords(
    deps,
    store.storeId,
    records,
    vectorOf,
    [],
    indexTextOf,
  );
  logQuotaDrop(deps.logger, store.storeId, 'conversation records', overQuota);
  logOwnerFull(deps.logger, store.storeId, 'conversation records', ownerFull.length);
  return created.length;
}

function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const NEGATION =
  /\b(not|no longer|never|no|doesn'?t|don'?t|isn'?t|wasn'?t|dislikes?|hates?|stopped|quit|cannot|can'?t)\b/i;

function negated(text: string): boolean {
  return NEGATION.test(text);
}

function wordOverlap(a: string, b: string): number {
  const wa = new Set(normalize(a).split(' '));
  const wb = new Set(normalize(b).split(' '));
  let common = 0;
  for (const w of wa) if (wb.has(w)) common += 1;
  return common / Math.max(1, Math.min(wa.size, wb.size));
}

/** One warning for records the owner's memory limit refused (ids and counts only, never text). */
function logOwnerFull(logger: PromotionDeps['logger'], storeId: string, what: string, dropped: number): void {
  if (dropped === 0) return;
  logger.warn(`owner memory limit reached; ${what} dropped`, {
    storeId,
    dropped,
    limit: LIMITS.memoriesPerOwner,
  });
}
