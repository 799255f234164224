import type {
  GroupValues,
  StoredSummaryView,
  ViewOutput,
  ViewRefreshMessage,
} from '../contracts/summary-views.js';
import type { TokenUsage } from './memory-extractor.js';

/** A partition as stored (the response adds coverage and the shown state). Times in epoch ms. */
export interface StoredPartition {
  readonly partitionId: string;
  readonly group: GroupValues;
  /** `stale` is derived when read (a result with newer changes), never stored. */
  readonly state: 'pending' | 'ready' | 'failed';
  readonly memoryCount: number;
  readonly computedAt?: number;
  readonly text?: string;
  readonly fields?: Record<string, unknown>;
  readonly usage?: TokenUsage;
  readonly error?: { readonly code: string; readonly message: string; readonly at: number };
  /** The view revision the result was computed for (a result-changing edit makes it stale). */
  readonly revision?: number;
  readonly refreshes: number;
}

/** A partition with what the response needs from its other keys. */
export interface PartitionView extends StoredPartition {
  /** Changed memory ids waiting (the overflow marker counts as many). */
  readonly newerCount: number;
  /** Whether the changed set overflowed (the next refresh reads everything). */
  readonly overflow: boolean;
  /** Newest covered ids, at most `VIEW_LIMITS.memoryIdsListed`. */
  readonly coveredIds: readonly string[];
}

/** One partition's memory changes, as a memory write reports them. */
export interface PartitionMark {
  readonly viewId: string;
  readonly partitionId: string;
  readonly group: GroupValues;
  readonly maxPartitions: number;
  readonly memoryIds: readonly string[];
  /** Continuous views: seconds the debounce latch holds (a refresh is queued by whoever takes it). */
  readonly latchSeconds: number | undefined;
}

export type MarkOutcome = 'queue-refresh' | 'recorded' | 'over-cap';

/** What a refresh writes back. */
export interface RefreshCommit {
  readonly partition: StoredPartition;
  /** The changed ids the refresh read (removed from the changed set; newer ones stay). */
  readonly processedIds: readonly string[];
  readonly full: boolean;
  readonly coveredAdd: ReadonlyArray<{ readonly id: string; readonly createdAt: number }>;
  readonly coveredRemove: readonly string[];
}

/** Definitions, partitions and their change bookkeeping (Redis: UpstashSummaryViewStore). */
export interface SummaryViewStore {
  /** `full`: the store holds `VIEW_LIMITS.viewsPerStore` views already. */
  createView(storeId: string, view: StoredSummaryView): Promise<'created' | 'full'>;
  replaceView(storeId: string, view: StoredSummaryView): Promise<void>;
  getView(storeId: string, viewId: string): Promise<StoredSummaryView | undefined>;
  /** Every view of the store (at most `VIEW_LIMITS.viewsPerStore`), oldest first. */
  listViews(storeId: string): Promise<StoredSummaryView[]>;
  /** Removes the view, its partitions and their bookkeeping; false when it did not exist. */
  deleteView(storeId: string, viewId: string): Promise<boolean>;

  getPartition(storeId: string, viewId: string, partitionId: string): Promise<PartitionView | undefined>;
  /** Partitions ordered by id, `limit` from `offset`, and how many there are. */
  listPartitions(
    storeId: string,
    viewId: string,
    offset: number,
    limit: number,
  ): Promise<{ items: PartitionView[]; total: number }>;
  /** Every partition id of the view with its stored record (bounded by the view's cap). */
  allPartitions(storeId: string, viewId: string): Promise<StoredPartition[]>;
  /** Creates a pending partition unless it exists; `over-cap` when the view has no room. */
  ensurePartition(
    storeId: string,
    viewId: string,
    partitionId: string,
    group: GroupValues,
    maxPartitions: number,
  ): Promise<'exists' | 'created' | 'over-cap'>;
  /** Records changes in several partitions at once (one round trip). */
  markChanges(storeId: string, marks: readonly PartitionMark[]): Promise<MarkOutcome[]>;
  /** The changed ids waiting in a partition (`*` among them when it overflowed). */
  changedIds(storeId: string, viewId: string, partitionId: string): Promise<string[]>;
  /** The covered ids with their createdAt. */
  coveredIds(storeId: string, viewId: string, partitionId: string): Promise<Map<string, number>>;
  /** Writes a refresh result; @returns how many changes wait still. */
  commitRefresh(storeId: string, viewId: string, commit: RefreshCommit): Promise<number>;
  /** Writes a partition record as is (a failure), opening its debounce latch with `releaseLatch`. */
  savePartition(
    storeId: string,
    viewId: string,
    partition: StoredPartition,
    options?: { releaseLatch?: boolean },
  ): Promise<void>;
  /** When maintenance last reconciled each view (ms; absent: never). */
  reconciledAt(storeId: string): Promise<Map<string, number>>;
  markReconciled(storeId: string, viewId: string, at: number): Promise<void>;
}

/** Where refresh work is handed off (SQS in AWS and locally). */
export interface ViewRefreshQueue {
  /** Delivered no earlier than `delaySeconds` (0–900). Rejects when the queue did not accept it. */
  enqueue(message: ViewRefreshMessage, delaySeconds: number): Promise<void>;
}

/** One memory as the summarizer reads it. */
export interface ViewMemory {
  readonly id: string;
  readonly text: string;
  readonly memoryType: string;
  readonly topics: readonly string[];
  /** Epoch ms. */
  readonly createdAt: number;
}

export interface ViewSummaryInput {
  readonly output: ViewOutput;
  /** The view's instructions: data the model is told to consider, never rules above its own. */
  readonly instructions: string | undefined;
  readonly group: GroupValues;
  /** The previous result (incremental refresh), or undefined (full). */
  readonly prior: { readonly text?: string; readonly fields?: Record<string, unknown> } | undefined;
  /** The memories to summarize (full) or to fold into `prior` (incremental), oldest first. */
  readonly memories: readonly ViewMemory[];
}

export interface ViewSummaryResult {
  readonly text?: string;
  readonly fields?: Record<string, unknown>;
  readonly usage: TokenUsage;
}

/** Summarizes a view partition's memories. Bedrock Converse in AWS and locally (the fake's offline model). */
export interface ViewSummarizer {
  readonly id: string;
  summarize(input: ViewSummaryInput): Promise<ViewSummaryResult>;
}
