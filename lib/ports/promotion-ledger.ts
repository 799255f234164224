import type { PromotionMessage } from '../contracts/promotion-message.js';

export interface DueWindow {
  readonly sessionId: string;
  readonly dueAt: number;
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
}
