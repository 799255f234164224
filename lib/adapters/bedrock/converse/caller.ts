import type {
  BedrockRuntimeClient,
  ConverseCommandInput,
  ConverseCommandOutput,
  ToolConfiguration,
} from '@aws-sdk/client-bedrock-runtime';
import { DependencyUnavailableError, TooManyRequestsError } from '../../../domain/errors.js';
import type { TokenUsage } from '../../../ports/memory-extractor.js';
import { REJECTED_ERRORS, THROTTLING_ERRORS } from '../bedrock-errors.js';
import type { Reading } from './read-output.js';

/** The model's reply could not be used, twice: no tool call, an unparsable input, or a cut-off reply. */
export class ExtractionOutputError extends Error {
  readonly retryable = false;
  constructor(
    message: string,
    /** The tokens the unusable replies cost. */
    readonly usage: TokenUsage,
  ) {
    super(message);
    this.name = 'ExtractionOutputError';
  }
}

/** Bedrock refused the call for a reason a retry does not fix (model id, access, options, input size). */
export class ModelRequestRejectedError extends Error {
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelRequestRejectedError';
  }
}

/**
 * Throttling retries: before retry `n` (0-based) the ceiling is `min(maxMs, baseMs × 2^n)` and the
 * wait a uniformly random time between half the ceiling and the ceiling ("equal jitter"). A retry is
 * made only while `n < maxRetries` and, with a time budget, while the remaining time exceeds
 * `2 × ceiling + reserveMs`.
 */
export interface BackoffOptions {
  /** Default 1,000. */
  readonly baseMs?: number;
  /** Default 16,000. */
  readonly maxMs?: number;
  /** Default 4. */
  readonly maxRetries?: number;
  /** Default 5,000. */
  readonly reserveMs?: number;
}

export interface BedrockConverseOptions {
  readonly client: BedrockRuntimeClient;
  /** A model id or inference-profile id/ARN, e.g. `us.anthropic.claude-3-5-haiku-20241022-v1:0`. */
  readonly modelId: string;
  /** The reply's token limit; default 4,096 for extraction, 1,024 for summaries. */
  readonly maxTokens?: number;
  /** Remaining time of the invocation in ms (a Lambda's `getRemainingTimeInMillis`). */
  readonly timeBudgetMs?: () => number;
  /** Longest wait for one model call, in ms; default 90,000 (and never past the time budget). */
  readonly callTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
}

/** A call always gets this much time, even when the budget says less. */
const MIN_CALL_MS = 1_000;
/** Time kept back from the budget when bounding a call. */
const CALL_RESERVE_MS = 1_000;

/** One Converse request of this adapter: a system prompt, one user message, a tool or none. */
export interface ConverseRequestParts {
  readonly system: string;
  readonly user: string;
  readonly toolConfig?: ToolConfiguration;
}

/**
 * Converse calls with the retry policy of `bedrock-extractor.ts`'s module comment: throttling retried
 * with backoff while the budget allows, an unusable reply asked again once. The usage is that of
 * every call made. It also builds the request, the part the extractor and the summarizer share: one
 * model, a system prompt, one user message, `maxTokens` (the options' or the caller's default) and
 * `temperature: 0`.
 */
export class ConverseCaller {
  readonly modelId: string;
  readonly #client: BedrockRuntimeClient;
  readonly #maxTokens: number;
  readonly #timeBudgetMs: (() => number) | undefined;
  readonly #callTimeoutMs: number;
  readonly #backoff: Required<BackoffOptions>;

  constructor(options: BedrockConverseOptions, defaultMaxTokens: number) {
    if (!options.modelId) throw new Error('a Bedrock model id is required');
    this.#client = options.client;
    this.modelId = options.modelId;
    this.#maxTokens = options.maxTokens ?? defaultMaxTokens;
    this.#timeBudgetMs = options.timeBudgetMs;
    this.#callTimeoutMs = options.callTimeoutMs ?? 90_000;
    this.#backoff = {
      baseMs: options.backoff?.baseMs ?? 1_000,
      maxMs: options.backoff?.maxMs ?? 16_000,
      maxRetries: options.backoff?.maxRetries ?? 4,
      reserveMs: options.backoff?.reserveMs ?? 5_000,
    };
  }

  async call<T>(
    parts: ConverseRequestParts,
    read: (output: ConverseCommandOutput) => Reading<T>,
    expected: string,
  ): Promise<{ value: T; usage: TokenUsage }> {
    const { ConverseCommand } = await import('@aws-sdk/client-bedrock-runtime');
    const request: ConverseCommandInput = {
      modelId: this.modelId,
      system: [{ text: parts.system }],
      messages: [{ role: 'user', content: [{ text: parts.user }] }],
      ...(parts.toolConfig ? { toolConfig: parts.toolConfig } : {}),
      inferenceConfig: { maxTokens: this.#maxTokens, temperature: 0 },
    };
    const usage = { inputTokens: 0, outputTokens: 0 };
    let throttled = 0;
    let unusable = 0;
    for (;;) {
      const timeoutMs = this.#callTimeout();
      let output: ConverseCommandOutput;
      try {
        output = await this.#client.send(new ConverseCommand(request), {
          abortSignal: AbortSignal.timeout(timeoutMs),
          // The handler's own limit only warns; past the abort, so that it never does first.
          requestTimeout: timeoutMs + 1_000,
        });
      } catch (error) {
        const name = error instanceof Error ? error.name : 'unknown error';
        if (!THROTTLING_ERRORS.has(name)) throw withUsage(this.#toDomainError(error, name, timeoutMs), usage);
        const ceiling = Math.min(this.#backoff.maxMs, this.#backoff.baseMs * 2 ** throttled);
        if (!this.#roomToRetry(throttled, ceiling)) {
          throw withUsage(
            new TooManyRequestsError(
              `Bedrock is throttling calls to model ${this.modelId} (${name}, ${throttled + 1} attempts)`,
              Math.ceil(ceiling / 1000),
            ),
            usage,
          );
        }
        throttled++;
        await sleep(ceiling / 2 + Math.random() * (ceiling / 2));
        continue;
      }
      usage.inputTokens += output.usage?.inputTokens ?? 0;
      usage.outputTokens += output.usage?.outputTokens ?? 0;
      const reading = read(output);
      if (reading.ok) return { value: reading.value, usage };
      unusable++;
      if (unusable >= 2) {
        throw new ExtractionOutputError(
          `model ${this.modelId} gave no usable ${expected} in ${unusable} replies; last: ${reading.problem}`,
          usage,
        );
      }
    }
  }

  /** The call's time limit: `callTimeoutMs`, within the budget less a reserve, but at least 1 s. */
  #callTimeout(): number {
    const remaining = this.#timeBudgetMs?.();
    if (remaining === undefined) return this.#callTimeoutMs;
    return Math.max(MIN_CALL_MS, Math.min(this.#callTimeoutMs, remaining - CALL_RESERVE_MS));
  }

  #roomToRetry(retriesSoFar: number, ceiling: number): boolean {
    if (retriesSoFar >= this.#backoff.maxRetries) return false;
    const remaining = this.#timeBudgetMs?.();
    return remaining === undefined || remaining > 2 * ceiling + this.#backoff.reserveMs;
  }

  #toDomainError(error: unknown, name: string, timeoutMs: number): Error {
    const modelId = this.modelId;
    if (name === 'AbortError') {
      return new DependencyUnavailableError(
        `model ${modelId} did not answer within ${timeoutMs} ms`,
        undefined,
        {
          cause: error,
        },
      );
    }
    if (REJECTED_ERRORS.has(name)) {
      return new ModelRequestRejectedError(
        `Bedrock refused the call to model ${modelId} (${name}); check the model id, model access, the options and the input size`,
        { cause: error },
      );
    }
    return new DependencyUnavailableError(`model ${modelId} is unavailable (${name})`, undefined, {
      cause: error,
    });
  }
}

/**
 * Gives an error the tokens that earlier calls of the same request spent (an unusable reply, then a
 * failure on asking again), so the run's cost is recorded although it failed; see `spentUsage`.
 */
function withUsage(error: Error, usage: TokenUsage): Error {
  if (usage.inputTokens + usage.outputTokens === 0 || 'usage' in error) return error;
  return Object.defineProperty(error, 'usage', { value: { ...usage }, enumerable: true });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
