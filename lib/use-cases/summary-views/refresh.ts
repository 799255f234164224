import type { StoredMemory } from '../../contracts/long-term-memory.js';
import type { StoredSummaryView, ViewRefreshMessage } from '../../contracts/summary-views.js';
import { DomainError } from '../../domain/errors.js';
import { deferralEnd, utcDay } from '../../domain/promotion/window.js';
import {
  fixedOwner,
  groupOf,
  inTimeWindow,
  partitionIdOf,
  VIEW_LIMITS,
  viewSees,
} from '../../domain/summary-views.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../ports/clock.js';
import { spentUsage, type TokenUsage } from '../../ports/memory-extractor.js';
import type { MemoryListing, MemoryRecords } from '../../ports/memory-record-store.js';
import type { ExtractionBudget } from '../../ports/promotion-ledger.js';
import type { StoreLookup } from '../../ports/registry.js';
import type {
  PartitionView,
  StoredPartition,
  SummaryViewStore,
  ViewMemory,
  ViewRefreshQueue,
  ViewSummarizer,
} from '../../ports/summary-views.js';
import { requireStore } from '../shared/require-store.js';

export interface RefreshDeps {
  readonly views: SummaryViewStore;
  readonly viewQueue: ViewRefreshQueue;
  readonly records: MemoryRecords & MemoryListing;
  readonly viewSummarizer: ViewSummarizer;
  readonly budget: ExtractionBudget;
  readonly stores: StoreLookup;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type RefreshOutcome =
  | { status: 'gone' | 'current' | 'deferred' | 'over-cap' }
  | { status: 'discovered'; partitions: number; queued: number }
  | { status: 'refreshed'; mode: 'full' | 'incremental'; memories: number; usage: TokenUsage }
  | { status: 'failed'; code: string };

/** Index entries read per scan call. */
const SCAN_PAGE = 500;

/**
 * The refresh queue's consumer: one partition, or a whole view (find its partitions, then queue a
 * refresh of each that needs one). A failed model call leaves the partition `failed` with the error;
 * a retryable failure is also rethrown so SQS delivers the message again.
 */
export async function handleViewRefresh(
  deps: RefreshDeps,
  message: ViewRefreshMessage,
): Promise<RefreshOutcome> {
  const view = await deps.views.getView(message.storeId, message.viewId);
  if (!view) return { status: 'gone' };
  if (message.partitionId === undefined) return discoverPartitions(deps, message.storeId, view, message);
  return refreshPartition(deps, message.storeId, view, message.partitionId);
}

/**
 * Scans the view's memories, creates the partitions it finds (up to the view's cap) and queues a
 * refresh of every partition that is not current (never computed, failed, changed since, an older
 * revision, or a count that no longer matches what the scan found) or, for a request, of all.
 */
async function discoverPartitions(
  deps: RefreshDeps,
  storeId: string,
  view: StoredSummaryView,
  message: ViewRefreshMessage,
): Promise<RefreshOutcome> {
  const now = deps.clock.now();
  const found = new Map<string, { group: NonNullable<ReturnType<typeof groupOf>>; count: number }>();
  for (const memory of await scanMemories(deps, storeId, fixedOwner(view, undefined), now)) {
    if (!viewSees(view, memory) || !inTimeWindow(view, memory.createdAt, now)) continue;
    const group = groupOf(view, memory);
    if (!group) continue;
    const id = partitionIdOf(group);
    const entry = found.get(id) ?? { group, count: 0 };
    entry.count++;
    found.set(id, entry);
  }
  for (const [id, { group }] of found) {
    await deps.views.ensurePartition(storeId, view.id, id, group, view.maxPartitions);
  }
  const partitions = await deps.views.allPartitions(storeId, view.id);
  let queued = 0;
  for (const partition of partitions) {
    const seen = found.get(partition.partitionId)?.count ?? 0;
    const current =
      partition.state === 'ready' && partition.revision === view.revision && partition.memoryCount === seen;
    if (current && message.reason !== 'request') {
      const detail = await deps.views.getPartition(storeId, view.id, partition.partitionId);
      if (detail && detail.newerCount === 0) continue;
    }
    await deps.viewQueue.enqueue(
      {
        version: 1,
        kind: 'view-refresh',
        storeId,
        viewId: view.id,
        partitionId: partition.partitionId,
        reason: message.reason,
      },
      0,
    );
    queued++;
  }
  return { status: 'discovered', partitions: partitions.length, queued };
}

async function refreshPartition(
  deps: RefreshDeps,
  storeId: string,
  view: StoredSummaryView,
  partitionId: string,
): Promise<RefreshOutcome> {
  const [store, partition] = await Promise.all([
    requireStore(deps, storeId),
    deps.views.getPartition(storeId, view.id, partitionId),
  ]);
  if (!partition) return { status: 'gone' };
  const now = deps.clock.now();
  // The store's extraction budget counts view refreshes as it counts promotion: once it is spent,
  // the refresh waits (deferred, not failed) until the budget resets or SQS's longest delay.
  const spent = await deps.budget.storeTokens(storeId, utcDay(now));
  if (spent >= store.config.extractionBudget.tokensPerDay) {
    const until = deferralEnd(now);
    await deps.viewQueue.enqueue(
      { version: 1, kind: 'view-refresh', storeId, viewId: view.id, partitionId, reason: 'write' },
      Math.max(1, Math.ceil((until - now) / 1000)),
    );
    deps.logger.info('view refresh deferred: store extraction budget spent for the day', { storeId });
    return { status: 'deferred' };
  }

  const changed = await deps.views.changedIds(storeId, view.id, partitionId);
  const upToDate = partition.state === 'ready' && partition.revision === view.revision;
  if (upToDate && changed.length === 0 && view.filters.timeWindowSeconds === undefined) {
    await deps.views.savePartition(storeId, view.id, partition, { releaseLatch: true });
    return { status: 'current' };
  }
  const plan = await planRefresh(deps, storeId, view, partition, changed, upToDate, now);

  let result: Awaited<ReturnType<ViewSummarizer['summarize']>>;
  try {
    result =
      plan.full && plan.memories.length === 0
        ? // Nothing to summarize: an empty result, and no model call.
          {
            ...(view.output.format === 'text' ? { text: '' } : { fields: {} }),
            usage: { inputTokens: 0, outputTokens: 0 },
          }
        : await deps.viewSummarizer.summarize({
            output: view.output,
            instructions: view.instructions,
            group: partition.group,
            prior: plan.full
              ? undefined
              : {
                  ...(partition.text !== undefined ? { text: partition.text } : {}),
                  ...(partition.fields ? { fields: partition.fields } : {}),
                },
            memories: plan.memories,
          });
  } catch (error) {
    const usage = spentUsage(error);
    if (usage) await charge(deps, storeId, usage);
    const code = error instanceof DomainError ? error.code : error instanceof Error ? error.name : 'error';
    const failed: StoredPartition = {
      ...stored(partition),
      state: 'failed',
      error: {
        code,
        message: 'The model call of the refresh failed; the previous result, if any, is kept',
        at: now,
      },
    };
    await deps.views.savePartition(storeId, view.id, failed, { releaseLatch: true });
    deps.logger.warn('view refresh failed', { storeId, viewId: view.id, code });
    if ((error as { retryable?: unknown }).retryable === true) throw error;
    return { status: 'failed', code };
  }
  await charge(deps, storeId, result.usage);

  const next: StoredPartition = {
    partitionId,
    group: partition.group,
    state: 'ready',
    memoryCount: plan.memoryCount,
    computedAt: deps.clock.now(),
    ...(result.text !== undefined ? { text: result.text.slice(0, VIEW_LIMITS.resultChars) } : {}),
    ...(result.fields !== undefined ? { fields: result.fields } : {}),
    usage: result.usage,
    revision: view.revision,
    refreshes: partition.refreshes + 1,
  };
  const waiting = await deps.views.commitRefresh(storeId, view.id, {
    partition: next,
    processedIds: changed,
    full: plan.full,
    coveredAdd: plan.coveredAdd,
    coveredRemove: [],
  });
  // Writes that landed during the refresh found the latch taken and queued nothing: queue for them.
  if (waiting > 0 && view.refresh.mode === 'continuous') {
    const [outcome] = await deps.views.markChanges(storeId, [
      {
        viewId: view.id,
        partitionId,
        group: partition.group,
        maxPartitions: view.maxPartitions,
        memoryIds: [],
        latchSeconds: view.refresh.debounceSeconds + 300,
      },
    ]);
    if (outcome === 'queue-refresh') {
      await deps.viewQueue.enqueue(
        { version: 1, kind: 'view-refresh', storeId, viewId: view.id, partitionId, reason: 'write' },
        view.refresh.debounceSeconds,
      );
    }
  }
  return {
    status: 'refreshed',
    mode: plan.full ? 'full' : 'incremental',
    memories: plan.memories.length,
    usage: result.usage,
  };
}

interface RefreshPlan {
  readonly full: boolean;
  /** Oldest first. */
  readonly memories: ViewMemory[];
  readonly memoryCount: number;
  readonly coveredAdd: Array<{ id: string; createdAt: number }>;
}

/**
 * Incremental when it can be: the partition has a current result and every change since is a new
 * memory of the partition (reading only those, and folding them into the result). A change to or a
 * removal of a covered memory cannot be folded in (its old text is in the result), an overflowed
 * change set says nothing about what changed and a time window moves on by itself: those read the
 * partition in full.
 */
async function planRefresh(
  deps: RefreshDeps,
  storeId: string,
  view: StoredSummaryView,
  partition: PartitionView,
  changed: readonly string[],
  upToDate: boolean,
  now: number,
): Promise<RefreshPlan> {
  const belongs = (m: StoredMemory) =>
    viewSees(view, m) &&
    inTimeWindow(view, m.createdAt, now) &&
    (() => {
      const group = groupOf(view, m);
      return group !== undefined && partitionIdOf(group) === partition.partitionId;
    })();
  if (
    upToDate &&
    !changed.includes('*') &&
    view.filters.timeWindowSeconds === undefined &&
    changed.length > 0
  ) {
    const [records, covered] = await Promise.all([
      deps.records.getMany(storeId, changed, now),
      deps.views.coveredIds(storeId, view.id, partition.partitionId),
    ]);
    const allNew = records.every((r, i) => r !== undefined && belongs(r) && !covered.has(changed[i]!));
    if (allNew) {
      const added = (records as StoredMemory[]).sort((a, b) => a.createdAt - b.createdAt);
      return {
        full: false,
        memories: added.slice(-VIEW_LIMITS.modelInputMemories).map(toViewMemory),
        memoryCount: covered.size + added.length,
        coveredAdd: added.map((m) => ({ id: m.id, createdAt: m.createdAt })),
      };
    }
  }
  const owner = fixedOwner(view, partition.group);
  const matched = (await scanMemories(deps, storeId, owner, now)).filter(belongs);
  matched.sort((a, b) => a.createdAt - b.createdAt);
  return {
    full: true,
    memories: matched.slice(-VIEW_LIMITS.modelInputMemories).map(toViewMemory),
    memoryCount: matched.length,
    coveredAdd: matched.map((m) => ({ id: m.id, createdAt: m.createdAt })),
  };
}

/** The newest `VIEW_LIMITS.scanEntries` index entries of one owner (or of the store), as records. */
async function scanMemories(
  deps: Pick<RefreshDeps, 'records'>,
  storeId: string,
  ownerId: string | undefined,
  now: number,
): Promise<StoredMemory[]> {
  // The first page gives the index size; when it holds more than the scan reads, start over from
  // the newest entries the scan may read.
  const first = await deps.records.scanByCreated(storeId, { ownerId, offset: 0, count: SCAN_PAGE, now });
  const start = Math.max(0, first.total - VIEW_LIMITS.scanEntries);
  const out: StoredMemory[] = [];
  if (start === 0) for (const record of first.records) if (record) out.push(record);
  for (let offset = start === 0 ? SCAN_PAGE : start; offset < first.total; offset += SCAN_PAGE) {
    const page = await deps.records.scanByCreated(storeId, { ownerId, offset, count: SCAN_PAGE, now });
    for (const record of page.records) if (record) out.push(record);
    if (page.records.length === 0) break;
  }
  return out;
}

function toViewMemory(m: StoredMemory): ViewMemory {
  return {
    id: m.id,
    text: m.text.slice(0, VIEW_LIMITS.memoryTextChars),
    memoryType: m.memoryType,
    topics: m.topics,
    createdAt: m.createdAt,
  };
}

function stored(p: PartitionView): StoredPartition {
  const { newerCount: _n, overflow: _o, coveredIds: _c, ...rest } = p;
  return rest;
}

async function charge(deps: Pick<RefreshDeps, 'budget' | 'clock'>, storeId: string, usage: TokenUsage) {
  const tokens = usage.inputTokens + usage.outputTokens;
  if (tokens > 0) await deps.budget.addStoreTokens(storeId, utcDay(deps.clock.now()), tokens);
}
