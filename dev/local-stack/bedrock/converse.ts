import { randomUUID } from 'node:crypto';
import type { Reply, RequestContext } from './context.js';
import { parseConverseRequest } from './converse-request.js';
import { EMBEDDING_MODELS } from './invoke.js';
import { ConnectionReset, isRecord, ServiceError, validation } from './service-error.js';
import type { ConverseFakeReply, ConverseFakeRequest } from './types.js';

/*
 * Converse (`POST /model/{modelId}/converse`, the id URL-encoded: an inference-profile ARN arrives as
 * `arn%3Aaws%3Abedrock%3A...%3Ainference-profile%2Fus.anthropic...`):
 *
 * - Any model id or ARN is taken as a chat model, except the embedding models (invoke.ts; 400 "This action
 *   doesn't support the model that you provided..."). The fake has no model of its own: replies come
 *   from a script (`scriptConverse`, for tests) or else from a default responder
 *   (`setDefaultConverseResponder`, e.g. the local stack's offline-converse-responder.ts); with neither, 400 ValidationException.
 * - The request is checked as Bedrock checks it: `messages` (roles `user`/`assistant`, starting with
 *   `user` and alternating, non-empty content of `text`, `toolUse`, `toolResult` or `cachePoint`
 *   blocks, no blank text), `system` (`text`/`cachePoint` blocks), `toolConfig` (`tools` of unique
 *   `toolSpec`s with a name of 1-64 `[a-zA-Z0-9_-]` and a JSON-object `inputSchema.json`; `toolChoice`
 *   one of `auto`/`any`/`tool` naming an offered tool; required when messages carry tool blocks),
 *   `inferenceConfig` (`maxTokens` ≥ 1, `temperature` and `topP` in [0, 1], `stopSequences`).
 *   `additionalModelRequestFields`, `requestMetadata`, `performanceConfig` and `serviceTier` are
 *   accepted and ignored; guardrails, prompt variables, output config and image, document, video,
 *   audio or reasoning blocks are refused as not implemented.
 * - The answer has the real shape: `{output: {message: {role: 'assistant', content}}, stopReason,
 *   usage: {inputTokens, outputTokens, totalTokens}, metrics: {latencyMs}}`, the content a `toolUse`
 *   block `{toolUseId, name, input}` (`stopReason: 'tool_use'`) or a `text` block (`'end_turn'`).
 * - Tokens are counted as one per four characters, rounded up: input over the system texts, message
 *   texts, tool-use inputs and tool results (JSON), and tool specs (JSON); output over the reply text or
 *   the tool input's JSON. An output over `maxTokens` (default 4,096) is cut: text to `maxTokens × 4`
 *   characters, a tool input to `{}`, with `stopReason: 'max_tokens'` (an approximation of a real
 *   truncated reply).
 * - `converseLatencyMs` is added to every Converse answer, on top of `latencyMs`.
 */

/** `maxTokens` when the request sets none. */
const CONVERSE_DEFAULT_MAX_TOKENS = 4_096;

/** Converse token counts: one token per four characters, rounded up (see above). */
const converseTokens = (characters: number) => Math.ceil(characters / 4);

export async function converse(context: RequestContext): Promise<Reply> {
  const stats = context.stats.converse;
  stats.requests++;
  stats.byModel[context.modelId] = (stats.byModel[context.modelId] ?? 0) + 1;
  if (EMBEDDING_MODELS[context.modelId]) {
    throw validation(
      "This action doesn't support the model that you provided. Try again with a supported text or chat model.",
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(context.body.toString('utf8'));
  } catch {
    throw validation('Malformed input request, please reformat your input and try again.');
  }
  const request = parseConverseRequest(payload, context);

  const state = context.converse;
  if (state.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));
  const scripted = typeof state.script === 'function' ? state.script : state.script.shift();
  let reply: ConverseFakeReply;
  if (scripted !== undefined) {
    reply = typeof scripted === 'function' ? await scripted(request) : scripted;
  } else if (state.defaultResponder) {
    reply = await state.defaultResponder(request);
  } else {
    throw validation(
      'No Converse reply is scripted and no default responder is configured: model replies are not implemented by the fake Bedrock Runtime itself (see scriptConverse and setDefaultConverseResponder).',
    );
  }
  return converseAnswer(reply, request, context);
}

function converseAnswer(
  reply: ConverseFakeReply,
  request: ConverseFakeRequest,
  context: RequestContext,
): Reply {
  const stats = context.stats.converse;
  let answer = typeof reply === 'string' ? { text: reply } : reply;
  if ('fault' in answer) {
    stats.faults++;
    context.stats.faults++;
    if (answer.fault === 'reset') throw new ConnectionReset();
    throw new ServiceError(answer.fault.status, answer.fault.errorType, answer.fault.message);
  }
  if ('malformed' in answer) {
    answer =
      answer.malformed === 'no-tool-use'
        ? { text: "I'm sorry, but I can't help with that request." }
        : { toolInput: {} };
  }
  const maxTokens = request.inferenceConfig.maxTokens ?? CONVERSE_DEFAULT_MAX_TOKENS;
  let content: Record<string, unknown>[];
  let stopReason: string;
  let outputCharacters: number;
  if ('text' in answer) {
    const cut = converseTokens(answer.text.length) > maxTokens;
    const text = cut ? answer.text.slice(0, maxTokens * 4) : answer.text;
    content = [{ text }];
    stopReason = cut ? 'max_tokens' : 'end_turn';
    outputCharacters = text.length;
  } else {
    const name = answer.toolName ?? request.forcedTool ?? request.tools[0]?.name;
    if (name === undefined || !request.tools.some((tool) => tool.name === name)) {
      throw validation(
        `fake script error: a toolUse of ${name ?? 'a tool'} was scripted, but the request offers no such tool.`,
      );
    }
    const json = JSON.stringify(answer.toolInput ?? null);
    const cut = converseTokens(json.length) > maxTokens;
    const toolUseId = `tooluse_${randomUUID().replaceAll('-', '').slice(0, 22)}`;
    content = [{ toolUse: { toolUseId, name, input: cut ? {} : (answer.toolInput ?? null) } }];
    stopReason = cut ? 'max_tokens' : 'tool_use';
    outputCharacters = cut ? 2 : json.length;
  }
  const inputTokens = converseTokens(converseInputCharacters(request));
  const outputTokens = converseTokens(outputCharacters);
  stats.answered++;
  stats.inputTokens += inputTokens;
  stats.outputTokens += outputTokens;
  return {
    body: {
      output: { message: { role: 'assistant', content } },
      stopReason,
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      metrics: { latencyMs: Math.round(performance.now() - context.started) },
    },
  };
}

/** The characters that count as input: system texts, message texts, tool inputs and results, tool specs. */
function converseInputCharacters(request: ConverseFakeRequest): number {
  let characters = 0;
  for (const text of request.system) characters += text.length;
  for (const message of request.messages) {
    for (const block of message.content) {
      if (typeof block.text === 'string') characters += block.text.length;
      else if (isRecord(block.toolUse)) characters += JSON.stringify(block.toolUse.input ?? null).length;
      else if (isRecord(block.toolResult)) characters += JSON.stringify(block.toolResult.content).length;
    }
  }
  for (const tool of request.tools) {
    characters +=
      tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.inputSchema).length;
  }
  return characters;
}
