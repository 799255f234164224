import type { PromotionMessage } from '../contracts/promotion-message.js';

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

/** A batch the model failed to extract several times in a row, skipped so later turns still promote. */
export interface ParkedRange {
  readonly firstEventId: string;
  readonly lastEventId: string;
  readonly events: number;
  readonly failures: number;
  readonly lastErrorCode: string;
  readonly parkedAt: number;
  /** Set by an operator's retry request: the next run extracts the range again. */
  readonly retryRequestedAt?: number;
}

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

/** Per-session promotion bookkeeping: which windows are due and what the consumer has received. */
export interface PromotionLedger {
  /**
   * Records that a job arrived and closes its window, so the next append opens a new one.
   * @returns false when the session no longer exists (deleted or expired).
   */
  recordJobReceived(message: PromotionMessage, now: number): Promise<boolean>;
  /** Windows of one store whose due time is before `before` (their job is late or was never sent). */
  overdueWindows(storeId: string, before: number, limit: number): Promise<DueWindow[]>;
  /** Pushes a still-open window's due time forward (after its job was re-sent). */
  postponeWindow(storeId: string, sessionId: string, dueAt: number): Promise<void>;
  /**
   * Takes the session's promotion lock (one worker per session at a time), or reports who-knows-
   * who holds it by returning false. The lock expires after `ttlMs` if its holder dies.
   */
  acquireLock(storeId: string, sessionId: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Releases the lock if `holder` still holds it. */
  releaseLock(storeId: string, sessionId: string, holder: string): Promise<void>;
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
  /** Model tokens promotion spent for the store on a UTC day (`YYYY-MM-DD`). */
  storeTokens(storeId: string, day: string): Promise<number>;
  /** Adds to the store's tokens of the day (atomic, expiring); @returns the new total. */
  addStoreTokens(storeId: string, day: string, tokens: number): Promise<number>;
  /** When the session's open window is due, if one is open. */
  dueAt(storeId: string, sessionId: string): Promise<number | undefined>;
}
