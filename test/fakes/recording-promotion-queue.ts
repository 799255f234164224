import type { PromotionMessage } from '../../lib/contracts/promotion-message.js';
import type { PromotionQueue } from '../../lib/ports/promotion-queue.js';

/** Keeps what was sent; `failing` makes every send reject, as an unreachable queue would. */
export class RecordingPromotionQueue implements PromotionQueue {
  readonly sent: Array<{ message: PromotionMessage; delaySeconds: number }> = [];
  failing = false;

  async enqueue(message: PromotionMessage, delaySeconds: number): Promise<void> {
    if (this.failing) throw new Error('queue unavailable');
    if (delaySeconds < 0 || delaySeconds > 900) throw new RangeError(`delay ${delaySeconds} outside 0–900`);
    this.sent.push({ message, delaySeconds });
  }
}
