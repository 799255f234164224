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
}

export interface RunRecord {
  readonly watermarkEventId: string;
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
  /** Advances the watermark and adds the run's counters, clearing the last error. */
  commitRun(storeId: string, sessionId: string, run: RunRecord): Promise<void>;
  /** Records a failed run's error code (never its message: it may quote conversation text). */
  recordFailure(storeId: string, sessionId: string, code: string, now: number): Promise<void>;
  /** When the session's open window is due, if one is open. */
  dueAt(storeId: string, sessionId: string): Promise<number | undefined>;
}
