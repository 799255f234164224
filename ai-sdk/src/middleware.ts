import { type AddSessionEventInput, type AgentMemory, NotFoundError } from '@agent-memory/sdk';
import type { LanguageModelMiddleware } from 'ai';
import { renderMemoryBlock } from './render.js';

/*
 * Automatic memory: a language-model middleware (`wrapLanguageModel`) that recalls before each call
 * and records after it. The memory service is never on the answer's critical path for longer than
 * `recallTimeoutMs`, and never makes the answer fail: a recall that fails or is late is skipped, a
 * recording happens after the answer (retried, then reported).
 */

// The AI SDK's model-call types, taken from the middleware type of the `ai` peer dependency so that
// this package needs no direct dependency on `@ai-sdk/provider`.
type TransformParams = NonNullable<LanguageModelMiddleware['transformParams']>;
type CallOptions = Parameters<TransformParams>[0]['params'];
type PromptMessage = CallOptions['prompt'][number];
type GenerateResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware['wrapGenerate']>>>;
type StreamResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware['wrapStream']>>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;

export interface AutoMemoryOptions {
  /** The user: whose long-term memories are recalled, and the `actorId` of their recorded messages. */
  readonly ownerId: string;
  /**
   * The conversation. With it, its recent history is restored and each exchange recorded; without
   * it, only long-term memories are recalled and nothing is recorded.
   */
  readonly sessionId?: string;
  /** Narrows recall to a namespace; new sessions are recorded in it. */
  readonly namespace?: string;
  /** `actorId` of the recorded answers. Default `assistant`. */
  readonly assistantActorId?: string;
  /**
   * Estimated tokens the recalled memory may take (the memory prompt's `tokenBudget`, 256-100000).
   * Default 2000.
   */
  readonly tokenBudget?: number;
  /** Most long-term memories to search for (1-50; all are included only if they fit). Default 10. */
  readonly longTermLimit?: number;
  /** Longest wait for recall before the model is called without it. Default 2000 ms. */
  readonly recallTimeoutMs?: number;
  /** Time allowed for each attempt to record a message. Default 10000 ms. */
  readonly recordTimeoutMs?: number;
  /** Attempts to record each message (the first included) before it is reported. Default 4. */
  readonly recordAttempts?: number;
  /** Set `false` to record without recalling. */
  readonly recall?: boolean;
  /** Set `false` to recall without recording. */
  readonly record?: boolean;
  /**
   * Told about what memory could not do: a recall skipped (the call went ahead without it) or
   * messages left unrecorded after every attempt (`events` carries them with their idempotency
   * keys, so they can be sent again later without duplicates). Default: a one-line warning on the
   * console, without conversation text.
   */
  readonly onError?: (failure: AutoMemoryFailure) => void;
}

export type AutoMemoryFailure =
  | { readonly phase: 'recall'; readonly error: unknown; readonly sessionId?: string }
  | {
      readonly phase: 'record';
      readonly error: unknown;
      readonly sessionId: string;
      readonly events: ReadonlyArray<{
        readonly event: AddSessionEventInput;
        readonly idempotencyKey: string;
      }>;
    };

/** Recordings still in flight, per integration (`flush()` waits for them). */
export class PendingRecordings {
  readonly #inFlight = new Set<Promise<void>>();
  /** The last recording per session: the next one starts after it, so turns stay in order. */
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `work` after the session's earlier recordings. */
  enqueue(sessionId: string, work: () => Promise<void>): void {
    const run = (this.#tails.get(sessionId) ?? Promise.resolve()).then(work, work).catch(() => {});
    this.#tails.set(sessionId, run);
    this.#inFlight.add(run);
    void run.finally(() => {
      this.#inFlight.delete(run);
      if (this.#tails.get(sessionId) === run) this.#tails.delete(sessionId);
    });
  }

  /** Settles when the session's recordings so far have finished (successfully or not). */
  settled(sessionId: string): Promise<void> {
    return this.#tails.get(sessionId) ?? Promise.resolve();
  }

  /** Settles when every recording started so far has finished. */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }
}

/** What the middleware learnt about a call before it ran, for recording after it. */
interface Turn {
  /** The latest user message's text ('' when it has none). */
  readonly text: string;
  /** The prompt ends with that message: this call starts the turn (else it is a tool-loop step). */
  readonly starts: boolean;
  readonly at: Date;
  /** Idempotency keys of this call's events derive from it. */
  readonly id: string;
}

const DEFAULTS = {
  tokenBudget: 2_000,
  longTermLimit: 10,
  recallTimeoutMs: 2_000,
  recordTimeoutMs: 10_000,
  recordAttempts: 4,
  assistantActorId: 'assistant',
} as const;

/** The service's query limit (MEMORY_TEXT_MAX); a longer message is searched by its start. */
const QUERY_MAX_CHARS = 50_000;
/** Recalls kept for the later steps of a tool loop (whose prompts the AI SDK rebuilds without ours). */
const RECALL_CACHE = { entries: 64, ttlMs: 10 * 60_000 } as const;

function defaultOnError(failure: AutoMemoryFailure): void {
  // The error's name and HTTP status only: a message may quote the request (the user's words), and
  // conversation text never goes to logs. The whole error reaches a caller's own `onError`.
  const status = (failure.error as { status?: unknown } | undefined)?.status;
  const error =
    failure.error instanceof Error
      ? `${failure.error.name}${typeof status === 'number' ? ` ${status}` : ''}`
      : 'unknown';
  const what =
    failure.phase === 'recall'
      ? 'recall skipped, the model was called without memory'
      : `${failure.events.length} message(s) of session ${failure.sessionId} not recorded`;
  console.warn(`[agent-memory] ${what} (${error})`);
}

function textOf(message: PromptMessage): string {
  if (message.role !== 'user') return '';
  return message.content
    .flatMap((part) => (part.type === 'text' ? [part.text] : []))
    .join('\n')
    .trim();
}

function newId(): string {
  return globalThis.crypto.randomUUID();
}

/** Rejects when the signal aborts (with its reason); never settles otherwise. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export function createAutoMemoryMiddleware(
  client: AgentMemory,
  pending: PendingRecordings,
  options: AutoMemoryOptions,
): LanguageModelMiddleware {
  const settings = { ...DEFAULTS, ...options };
  const onError = (failure: AutoMemoryFailure) => {
    try {
      (options.onError ?? defaultOnError)(failure);
    } catch {
      // A failing callback must not fail the model call either.
    }
  };
  const turns = new WeakMap<CallOptions, Turn>();
  const recalled = new Map<string, { block: string | undefined; at: number }>();

  async function recall(query: string, withHistory: boolean, callSignal?: AbortSignal) {
    const deadline = AbortSignal.timeout(settings.recallTimeoutMs);
    const signal = callSignal ? AbortSignal.any([deadline, callSignal]) : deadline;
    const sessionId = withHistory ? settings.sessionId : undefined;
    // The previous turn may still be being recorded: wait for it (within the deadline) so the
    // history restored now includes it.
    if (sessionId !== undefined) {
      await Promise.race([pending.settled(sessionId), aborted(signal)]);
    }
    const request = {
      query: query.slice(0, QUERY_MAX_CHARS),
      ownerId: settings.ownerId,
      ...(settings.namespace !== undefined ? { namespace: settings.namespace } : {}),
      tokenBudget: settings.tokenBudget,
      longTermLimit: settings.longTermLimit,
    };
    const call = { signal, retry: false as const };
    try {
      return await client.memoryPrompt(sessionId ? { ...request, sessionId } : request, call);
    } catch (error) {
      // A conversation's first turn: its session does not exist until the turn is recorded.
      if (sessionId !== undefined && error instanceof NotFoundError) {
        return await client.memoryPrompt(request, call);
      }
      throw error;
    }
  }

  function cached(key: string): string | undefined | null {
    const hit = recalled.get(key);
    if (!hit || Date.now() - hit.at > RECALL_CACHE.ttlMs) return null;
    return hit.block;
  }
  function remember(key: string, block: string | undefined): void {
    recalled.delete(key);
    recalled.set(key, { block, at: Date.now() });
    while (recalled.size > RECALL_CACHE.entries) recalled.delete(recalled.keys().next().value as string);
  }

  function record(turn: Turn, answer: string): void {
    const sessionId = settings.sessionId;
    if (sessionId === undefined || settings.record === false) return;
    const events: Array<{ event: AddSessionEventInput; idempotencyKey: string }> = [];
    const common = {
      sessionId,
      ...(settings.namespace !== undefined ? { namespace: settings.namespace } : {}),
    };
    if (turn.starts && turn.text !== '') {
      events.push({
        event: {
          ...common,
          actorId: settings.ownerId,
          role: 'USER',
          content: [{ text: turn.text }],
          createdAt: turn.at,
        },
        idempotencyKey: `${turn.id}-user`,
      });
    }
    if (answer.trim() !== '') {
      events.push({
        event: {
          ...common,
          actorId: settings.assistantActorId,
          role: 'ASSISTANT',
          content: [{ text: answer }],
          createdAt: new Date(),
        },
        idempotencyKey: `${turn.id}-assistant`,
      });
    }
    if (events.length === 0) return;
    pending.enqueue(sessionId, async () => {
      // In order: an answer is never stored without the message it answers.
      for (const [i, { event, idempotencyKey }] of events.entries()) {
        try {
          await client.addSessionEvent(event, {
            idempotencyKey,
            timeoutMs: settings.recordTimeoutMs,
            retry: { maxAttempts: settings.recordAttempts },
          });
        } catch (error) {
          onError({ phase: 'record', error, sessionId, events: events.slice(i) });
          return;
        }
      }
    });
  }

  return {
    specificationVersion: 'v4',

    async transformParams({ params }) {
      const prompt = params.prompt;
      let index = prompt.length - 1;
      while (index >= 0 && prompt[index]!.role !== 'user') index--;
      const latest = index >= 0 ? prompt[index]! : undefined;
      const turn: Turn = {
        text: latest ? textOf(latest) : '',
        starts: latest !== undefined && index === prompt.length - 1,
        at: new Date(),
        id: newId(),
      };
      if (latest?.role !== 'user' || turn.text === '' || settings.recall === false) {
        turns.set(params, turn);
        return params;
      }

      // A caller that sends the conversation itself needs only long-term memories; so does a later
      // step of a tool loop whose first step's recall has expired (the session now holds this turn).
      const carriesHistory = prompt.slice(0, index).some((m) => m.role === 'assistant');
      const key = `${settings.sessionId ?? ''}\u0000${turn.text}`;
      let block = turn.starts ? null : cached(key);
      if (block === null) {
        try {
          const answer = await recall(turn.text, turn.starts && !carriesHistory, params.abortSignal);
          block = renderMemoryBlock(answer.messages);
          remember(key, block);
        } catch (error) {
          if (!params.abortSignal?.aborted) onError({ phase: 'recall', error, ...sessionOf(settings) });
          block = undefined;
        }
      }
      if (block === undefined) {
        turns.set(params, turn);
        return params;
      }
      const withMemory: CallOptions = {
        ...params,
        prompt: prompt.map((message, i) =>
          i === index && message.role === 'user'
            ? { ...message, content: [{ type: 'text' as const, text: block }, ...message.content] }
            : message,
        ),
      };
      turns.set(withMemory, turn);
      return withMemory;
    },

    async wrapGenerate({ doGenerate, params }): Promise<GenerateResult> {
      const result = await doGenerate();
      const turn = turns.get(params);
      if (turn) {
        const answer = result.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
        record(turn, answer);
      }
      return result;
    },

    async wrapStream({ doStream, params }): Promise<StreamResult> {
      const { stream, ...rest } = await doStream();
      const turn = turns.get(params);
      if (!turn) return { stream, ...rest };
      let answer = '';
      let finished = false;
      // The answer is recorded once the stream has finished (a stream cut short records nothing).
      const recorder = new TransformStream<StreamPart, StreamPart>({
        transform(part, controller) {
          if (part.type === 'text-delta') answer += part.delta;
          else if (part.type === 'finish') finished = true;
          controller.enqueue(part);
        },
        flush() {
          if (finished) record(turn, answer);
        },
      });
      return { stream: stream.pipeThrough(recorder), ...rest };
    },
  };
}

function sessionOf(settings: { sessionId?: string }): { sessionId?: string } {
  return settings.sessionId !== undefined ? { sessionId: settings.sessionId } : {};
}
