import type { PromotionMessage } from '../contracts/promotion-message.js';

/** Where appends hand off promotion work. Implemented over SQS. */
export interface PromotionQueue {
  /**
   * Sends one job, delivered no earlier than `delaySeconds` from now (0–900, SQS's limit).
   * Rejects when the queue did not accept it; callers decide whether that is fatal.
   */
  enqueue(message: PromotionMessage, delaySeconds: number): Promise<void>;
}
