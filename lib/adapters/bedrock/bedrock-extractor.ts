import type {
  ExtractionInput,
  ExtractionResult,
  MemoryExtractor,
  SessionSummarizer,
  SummaryInput,
  TokenUsage,
} from '../../ports/memory-extractor.js';
import { type BedrockConverseOptions, ConverseCaller } from './converse/caller.js';
import {
  extractionSystemPrompt,
  extractionUserMessage,
  SUMMARY_RULES,
  summaryUserMessage,
} from './converse/prompts.js';
import { cutToLength, readMemories, readText, readToolInput } from './converse/read-output.js';
import {
  allowedTypes,
  RECORD_MEMORIES_TOOL,
  recordMemoriesToolConfig,
  SUMMARY_MAX_CHARACTERS,
} from './converse/tool-schema.js';

export {
  type BackoffOptions,
  type BedrockConverseOptions,
  ExtractionOutputError,
  ModelRequestRejectedError,
} from './converse/caller.js';
export { turnLine } from './converse/prompts.js';
export {
  EXTRACTED_ENTITIES_MAX,
  EXTRACTED_TEXT_MAX_CHARACTERS,
  EXTRACTED_TOPICS_MAX,
  RECORD_MEMORIES_TOOL,
  SUMMARY_MAX_CHARACTERS,
} from './converse/tool-schema.js';

/*
 * Memory extraction and session summaries over Bedrock Runtime's Converse API, for any chat model
 * that supports tool use (Claude, Nova, ...), by model id or inference-profile id/ARN. As in
 * bedrock-embedders.ts, the SDK is loaded inside the calls, never at module scope (bundlers hoist
 * static imports of the external SDK, which costs ~75 ms of cold start where nothing is extracted).
 *
 * Extraction forces one tool call (`record_memories`) whose input is parsed with zod; what the
 * model invents is filtered out (see `BedrockConverseExtractor`). The conversation is data: turn
 * texts and the prior summary go in as JSON string literals inside tagged sections, so no turn can
 * forge a line, a turn id or a section end, and both prompts say that instructions inside the
 * conversation are not to be followed.
 *
 * The parts, under `converse/`: `prompts.ts` (system prompts and user messages), `tool-schema.ts`
 * (the forced tool and its limits), `read-output.ts` (reading a reply), `caller.ts` (the request,
 * the retry policy below and the errors).
 *
 * Errors (never with conversation text or model output in a message; the SDK error stays reachable
 * as `cause`):
 * - throttling (`ThrottlingException`, `ServiceQuotaExceededException`, `TooManyRequestsException`):
 *   retried here with exponential backoff and jitter while the time budget allows (see
 *   {@link BackoffOptions}), then TooManyRequestsError;
 * - a reply without the expected tool call or text, one that does not parse, or one cut short at
 *   `maxTokens`: asked again once (same request), then ExtractionOutputError (not retryable: the
 *   same conversation would fail the same way, so its message should end in the DLQ);
 * - a refusal that a retry does not fix (unknown model, no model access, bad options, input too
 *   long for the model) → ModelRequestRejectedError (not retryable);
 * - everything else (5xx, model timeouts and errors, network failures, a call cut at the time
 *   budget) → DependencyUnavailableError.
 * The client's own retries (3 attempts in all, see bedrock-client.ts) run inside each call.
 */

/**
 * Extracts memories with one forced `record_memories` tool call per input (two when the first reply
 * is unusable). The request: a system prompt with the rules, the allowed memory types and the custom
 * types; one user message with the owner, the prior summary, the context turns and the new turns;
 * `temperature: 0`. Memories the model invents are filtered out, see `readMemories`. No new turns,
 * or nothing to extract (no strategy, no custom type), makes no call.
 */
export class BedrockConverseExtractor implements MemoryExtractor {
  readonly id: string;
  readonly #caller: ConverseCaller;

  constructor(options: BedrockConverseOptions) {
    this.#caller = new ConverseCaller(options, 4_096);
    this.id = options.modelId;
  }

  async extract(input: ExtractionInput): Promise<ExtractionResult> {
    const types = allowedTypes(input);
    if (input.newTurns.length === 0 || types.length === 0) {
      return { memories: [], usage: { inputTokens: 0, outputTokens: 0 } };
    }
    const { value, usage } = await this.#caller.call(
      {
        system: extractionSystemPrompt(input),
        user: extractionUserMessage(input),
        toolConfig: recordMemoriesToolConfig(input, types),
      },
      (output) => {
        const toolInput = readToolInput(output, RECORD_MEMORIES_TOOL);
        return toolInput.ok ? readMemories(toolInput.value, input) : toolInput;
      },
      `${RECORD_MEMORIES_TOOL} tool call`,
    );
    return { memories: value, usage };
  }
}

/**
 * Folds turns into a session's running summary with one plain-text Converse call (no tools), the
 * reply trimmed and cut to 4,000 characters. An empty or cut-off reply is asked again once, then
 * ExtractionOutputError. No turns makes no call: the prior summary is returned as is.
 */
export class BedrockConverseSummarizer implements SessionSummarizer {
  readonly id: string;
  readonly #caller: ConverseCaller;

  constructor(options: BedrockConverseOptions) {
    this.#caller = new ConverseCaller(options, 1_024);
    this.id = options.modelId;
  }

  async summarize(input: SummaryInput): Promise<{ text: string; usage: TokenUsage }> {
    if (input.turns.length === 0) {
      return { text: input.priorSummary ?? '', usage: { inputTokens: 0, outputTokens: 0 } };
    }
    const { value, usage } = await this.#caller.call(
      { system: SUMMARY_RULES, user: summaryUserMessage(input) },
      readText,
      'summary text',
    );
    return { text: cutToLength(value, SUMMARY_MAX_CHARACTERS), usage };
  }
}
