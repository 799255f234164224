import { createHash } from 'node:crypto';
import type { StoredMemory } from '../contracts/long-term-memory.js';
import type { GroupField, GroupValues, StoredSummaryView } from '../contracts/summary-views.js';
import { ValidationError } from './errors.js';

/** Bounds of summary views (README "Summary views"; decision record 0020). */
export const VIEW_LIMITS = {
  /** Views per store: every memory write reads the store's views to mark their partitions. */
  viewsPerStore: 50,
  /** Upper bound of a view's `maxPartitions` (each partition is one model call per refresh). */
  maxPartitions: 1_000,
  instructionsChars: 4_000,
  structuredFields: 20,
  defaultDebounceSeconds: 30,
  defaultReconcileSeconds: 3_600,
  /**
   * Index entries one full refresh (or a discovery) scans, newest first: the memories of a
   * partition beyond this are not seen. One owner's index is scanned when the partition or the
   * filters fix the owner, the store's otherwise.
   */
  scanEntries: 5_000,
  /** Memories given to the model in one refresh, newest first (the count covers all of them). */
  modelInputMemories: 200,
  /** Characters of one memory's text given to the model. */
  memoryTextChars: 2_000,
  /**
   * Changed memory ids kept per partition for an incremental refresh; past it the next refresh
   * reads the partition again in full.
   */
  changedIds: 500,
  /** Memory ids a partition response lists in `coverage.memoryIds`. */
  memoryIdsListed: 100,
  /** Characters of a text result (and of the JSON of a structured one). */
  resultChars: 8_000,
} as const;

/** Source refs of records written by document ingestion: such records are never in a view. */
export const DOCUMENT_SOURCE_PREFIX = 'doc:';

/** The memory fields a partition is keyed by, in a fixed order. */
const ORDER: readonly GroupField[] = ['ownerId', 'sessionId', 'namespace', 'memoryType'];

/** Whether a record is one the view reads (filters, document exclusion), ignoring the time window. */
export function viewSees(
  view: Pick<StoredSummaryView, 'filters'>,
  memory: Pick<StoredMemory, 'ownerId' | 'namespace' | 'sessionId' | 'memoryType' | 'topics' | 'sourceRefs'>,
): boolean {
  if (memory.sourceRefs?.some((ref) => ref.startsWith(DOCUMENT_SOURCE_PREFIX))) return false;
  const f = view.filters;
  if (f.ownerId !== undefined && memory.ownerId !== f.ownerId) return false;
  if (f.namespace !== undefined && memory.namespace?.toLowerCase() !== f.namespace.toLowerCase())
    return false;
  if (f.sessionId !== undefined && memory.sessionId !== f.sessionId) return false;
  if (f.memoryType !== undefined && memory.memoryType !== f.memoryType) return false;
  if (f.topics !== undefined && !f.topics.some((t) => memory.topics.includes(t))) return false;
  return true;
}

/** Whether the record is inside the view's time window at `now` (always, without one). */
export function inTimeWindow(
  view: Pick<StoredSummaryView, 'filters'>,
  createdAt: number,
  now: number,
): boolean {
  const window = view.filters.timeWindowSeconds;
  return window === undefined || createdAt >= now - window * 1000;
}

/**
 * The record's group values under the view's `groupBy`, or undefined when it has no value for one
 * of them (a memory without a session is in no partition of a view grouped by session).
 * Namespaces compare case-insensitively everywhere, so they are keyed lower-cased.
 */
export function groupOf(
  view: Pick<StoredSummaryView, 'groupBy'>,
  memory: Pick<StoredMemory, 'ownerId' | 'namespace' | 'sessionId' | 'memoryType'>,
): GroupValues | undefined {
  const group: Record<string, string> = {};
  for (const field of view.groupBy) {
    const value = field === 'namespace' ? memory.namespace?.toLowerCase() : memory[field];
    if (value === undefined) return undefined;
    group[field] = value;
  }
  return group as GroupValues;
}

/**
 * The group values a caller gives (GET one partition, refresh one), checked against the view:
 * exactly its `groupBy` fields. A 400 names the field that is missing or not grouped by.
 */
export function exactGroup(
  view: Pick<StoredSummaryView, 'groupBy'>,
  given: GroupValues,
  where: string,
): GroupValues {
  const fields = Object.keys(given).filter((k) => given[k as GroupField] !== undefined) as GroupField[];
  for (const field of fields) {
    if (!view.groupBy.includes(field)) {
      throw new ValidationError(`The view is not grouped by ${field}`, [
        { field: `${where}${field}`, rule: 'not-grouped', message: 'the view is not grouped by this field' },
      ]);
    }
  }
  for (const field of view.groupBy) {
    if (given[field] === undefined) {
      throw new ValidationError(`The view is grouped by ${field}: give its value`, [
        { field: `${where}${field}`, rule: 'required', message: 'the view is grouped by this field' },
      ]);
    }
  }
  return groupOf(view, given as Required<GroupValues>)!;
}

/** A partition's id: 32 hex of the SHA-256 of its group values in a fixed order. Safe in keys. */
export function partitionIdOf(group: GroupValues): string {
  const canonical = JSON.stringify(ORDER.map((field) => group[field] ?? null));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/**
 * The owner whose memories a partition reads, when one is fixed (by the group or the filters):
 * a refresh then scans that owner's index only.
 */
export function fixedOwner(
  view: Pick<StoredSummaryView, 'filters'>,
  group: GroupValues | undefined,
): string | undefined {
  return group?.ownerId ?? view.filters.ownerId;
}

/** Whether a change of definition alters results (so partitions become stale and are recomputed). */
export function changesResults(
  before: Pick<StoredSummaryView, 'filters' | 'output' | 'instructions'>,
  after: Pick<StoredSummaryView, 'filters' | 'output' | 'instructions'>,
): boolean {
  return (
    JSON.stringify([before.filters, before.output, before.instructions ?? null]) !==
    JSON.stringify([after.filters, after.output, after.instructions ?? null])
  );
}

/**
 * Whether a caller may see a view: shared views every key of the store, private views only keys
 * of the principal that created it (the store check is the route's, before this).
 */
export function mayUseView(
  view: Pick<StoredSummaryView, 'visibility' | 'ownerId'>,
  principal: string,
): boolean {
  return view.visibility === 'shared' || view.ownerId === principal;
}
