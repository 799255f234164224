import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  type PromotionMessage,
  promotionJobId,
  promotionMessageSchema,
} from '../../contracts/promotion-message.js';
import { DependencyUnavailableError } from '../../domain/errors.js';
import type { PromotionQueue } from '../../ports/promotion-queue.js';

/** SQS's limit on a message's own delay. */
const MAX_DELAY_SECONDS = 900;

/** `PromotionQueue` over an SQS standard queue: one JSON message per job. */
export class SqsPromotionQueue implements PromotionQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async enqueue(message: PromotionMessage, delaySeconds: number): Promise<void> {
    const parsed = promotionMessageSchema.safeParse(message);
    if (!parsed.success) {
      // A bug in the caller, not a caller's bad input: name the fields, never their values.
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
      throw new Error(`refusing to enqueue an invalid promotion message (${fields.join(', ')})`);
    }
    try {
      // Loaded here, not at module scope: bundlers hoist static imports of the (external) SDK to
      // the top of every bundle, and importing it costs ~75 ms of cold start in functions that
      // never send. After the first call this is a module-cache hit.
      const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
      await this.#client.send(
        new SendMessageCommand({
          QueueUrl: this.#queueUrl,
          MessageBody: JSON.stringify(parsed.data),
          DelaySeconds: clampDelay(delaySeconds),
        }),
      );
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'unknown error';
      throw new DependencyUnavailableError(
        `the promotion queue did not accept job ${promotionJobId(parsed.data)} (${reason})`,
        undefined,
        { cause: error },
      );
    }
  }
}

/** Whole seconds in 0–900, rounded up so the job is never delivered early. */
function clampDelay(delaySeconds: number): number {
  if (Number.isNaN(delaySeconds)) return 0;
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));
}
