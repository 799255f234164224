import type { SQSClient } from '@aws-sdk/client-sqs';
import type * as z from 'zod';
import { DependencyUnavailableError } from '../../domain/errors.js';

/** SQS's limit on a message's own delay. */
const MAX_DELAY_SECONDS = 900;

/**
 * One SQS queue that takes JSON messages of one schema: the sending the promotion, view-refresh and
 * document queues share (their adapters add only their message type and how a refusal reads).
 */
export class SqsJsonQueue<Schema extends z.ZodType> {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(
    options: { client: SQSClient; queueUrl: string },
    private readonly schema: Schema,
    /** What the queue is called in errors ("the promotion queue"). */
    private readonly name: string,
  ) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  /**
   * Sends one message, delayed by whole seconds in 0–900 (rounded up, so never delivered early).
   * `describe` names the job in the error a refusal becomes (ids only, never message content).
   */
  async send(message: z.input<Schema>, delaySeconds: number, describe: (parsed: z.output<Schema>) => string) {
    const parsed = this.schema.safeParse(message);
    if (!parsed.success) {
      // A bug in the caller, not a caller's bad input: name the fields, never their values.
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
      throw new Error(`refusing to enqueue an invalid message on ${this.name} (${fields.join(', ')})`);
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
        `${this.name} did not accept ${describe(parsed.data)} (${reason})`,
        undefined,
        { cause: error },
      );
    }
  }
}

function clampDelay(delaySeconds: number): number {
  if (Number.isNaN(delaySeconds)) return 0;
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));
}
