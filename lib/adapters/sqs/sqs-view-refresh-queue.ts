import type { SQSClient } from '@aws-sdk/client-sqs';
import { type ViewRefreshMessage, viewRefreshMessageSchema } from '../../contracts/summary-views.js';
import { DependencyUnavailableError } from '../../domain/errors.js';
import type { ViewRefreshQueue } from '../../ports/summary-views.js';

/** SQS's limit on a message's own delay. */
const MAX_DELAY_SECONDS = 900;

/** `ViewRefreshQueue` over an SQS standard queue: one JSON message per refresh. */
export class SqsViewRefreshQueue implements ViewRefreshQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async enqueue(message: ViewRefreshMessage, delaySeconds: number): Promise<void> {
    const parsed = viewRefreshMessageSchema.safeParse(message);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
      throw new Error(`refusing to enqueue an invalid view refresh message (${fields.join(', ')})`);
    }
    try {
      // Loaded here, not at module scope (see SqsPromotionQueue: bundles hoist static SDK imports).
      const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
      await this.#client.send(
        new SendMessageCommand({
          QueueUrl: this.#queueUrl,
          MessageBody: JSON.stringify(parsed.data),
          DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds || 0))),
        }),
      );
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'unknown error';
      throw new DependencyUnavailableError(
        `the view refresh queue did not accept a job (${reason})`,
        undefined,
        {
          cause: error,
        },
      );
    }
  }
}
