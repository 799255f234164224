import type { PromotionMessage } from '../contracts/promotion-message.js';
import type { ParkedRange } from '../domain/promotion/parked-range.js';

export interface DueWindow {
  readonly sessionId: string;
  readonly dueAt: number;
}

/** What promotion has done for one session (the extraction status clients can read). */
export interface PromotionState {
  /** The last event (in arrival order) whose turns were extracted; later ones are pending. */
  readonly watermarkEventId: string | undefined;
  readonly processedEvents: number;
  readonly runs: number;
  readonly lastRunAt: number | undefined;
  readonly lastError: { readonly code: string; readonly at: number } | undefined;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly memoriesWritten: number;
  readonly conversationRecordsWritten: number;
  /** Until when the store's extraction budget holds this session's jobs back, if it does. */
  readonly deferredUntil: number | undefined;
}

export type { ParkedRange } from '../domain/promotion/parked-range.js';

export interface FailureRecord {
  readonly code: string;
  readonly now: number;
  /** Tokens the failed run spent (model calls are billed whether or not their reply was usable). */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** First event of the batch that failed: failures from the same unmoved watermark are counted. */
  readonly batchFirstEventId?: string;
}

export interface RunRecord {
  /** Absent for the retry of a parked range: it lies behind the watermark, which stays put. */
  readonly watermarkEventId?: string;
  /** A batch skipped instead of extracted; recorded in the same step that moves the watermark. */
  readonly park?: ParkedRange;
  /** First event id of a parked range this run extracted on retry (no longer parked). */
  readonly resolvedParkedRange?: string;
  readonly processedEvents: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly memoriesWritten: number;
  readonly conversationRecordsWritten: number;
  readonly now: number;
}

/** The promotion windows of sessions: which are due, which a job has closed. */
export interface PromotionWindows {
  /**
   * Records that a job arrived and closes its window, so the next append opens a new one.
   * @returns false when the session no longer exists (deleted or expired).
   */
  recordJobReceived(message: PromotionMessage, now: number): Promise<boolean>;
  /** Windows of one store whose due time is before `before` (their job is late or was never sent). */
  overdueWindows(storeId: string, before: number, limit: number): Promise<DueWindow[]>;
  /** Pushes a still-open window's due time forward (after its job was re-sent). */
  postponeWindow(storeId: string, sessionId: string, dueAt: number): Promise<void>;
  /** When the session's open window is due, if one is open. */
  dueAt(storeId: string, sessionId: string): Promise<number | undefined>;
}

/** One promotion worker per session at a time. */
export interface PromotionLock {
  /**
   * Takes the session's promotion lock for `holder`, or returns false when another worker holds
   * it. The lock expires after `ttlMs` if its holder dies.
   */
  acquireLock(storeId: string, sessionId: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Releases the lock if `holder` still holds it. */
  releaseLock(storeId: string, sessionId: string, holder: string): Promise<void>;
}

/** What promotion has done for a session: watermark, counters, failures, parked ranges, deferral. */
export interface PromotionProgress {
  readState(storeId: string, sessionId: string): Promise<PromotionState>;
  /** Advances the watermark and adds the run's counters, clearing the last error and any deferral. */
  commitRun(storeId: string, sessionId: string, run: RunRecord): Promise<void>;
  /**
   * Records a failed run's error code (never its message: it may quote conversation text) and the
   * tokens it spent.
   * @returns how many runs in a row failed on the batch starting at `batchFirstEventId` (0 without one).
   */
  recordFailure(storeId: string, sessionId: string, failure: FailureRecord): Promise<number>;
  /** The session's parked ranges, oldest first. */
  parkedRanges(storeId: string, sessionId: string): Promise<ParkedRange[]>;
  /** Replaces one parked range's record (a retry request, a retry that failed again). */
  saveParkedRange(storeId: string, sessionId: string, range: ParkedRange): Promise<void>;
  /** Records that the store's extraction budget postponed this session's job until `until`. */
  recordDeferral(storeId: string, sessionId: string, until: number, now: number): Promise<void>;
}

/** The store's model tokens per UTC day, which its extraction budget caps. */
export interface ExtractionBudget {
  /** Model tokens promotion spent for the store on a UTC day (`YYYY-MM-DD`). */
  storeTokens(storeId: string, day: string): Promise<number>;
  /** Adds to the store's tokens of the day (atomic, expiring); @returns the new total. */
  addStoreTokens(storeId: string, day: string, tokens: number): Promise<number>;
}

/**
 * Per-session promotion bookkeeping, all of it (the Upstash adapter implements it in one class).
 * Use cases ask for the narrow parts they use.
 */
export interface PromotionLedger
  extends PromotionWindows,
    PromotionLock,
    PromotionProgress,
    ExtractionBudget {}
