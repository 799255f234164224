import type { Embedder } from '../../../lib/ports/embedder.js';

/* The fake's public types: its options and handle, faults, counters and the Converse script. */

/** An error answer the fake can be told to give, or `reset` to drop the connection unanswered. */
export type BedrockFakeFault = { status: number; errorType: string; message: string } | 'reset';

/** Faults as real Bedrock Runtime sends them. */
export const BEDROCK_FAULTS = {
  throttling: {
    status: 429,
    errorType: 'ThrottlingException',
    message: 'Too many requests, please wait before trying again.',
  },
  serviceUnavailable: {
    status: 503,
    errorType: 'ServiceUnavailableException',
    message: 'Service unavailable.',
  },
  internal: { status: 500, errorType: 'InternalServerException', message: 'Internal server error.' },
  modelTimeout: {
    status: 408,
    errorType: 'ModelTimeoutException',
    message: 'Model has timed out in processing the request.',
  },
  reset: 'reset',
} as const satisfies Record<string, BedrockFakeFault>;

export interface BedrockFakeModelStats {
  /** Requests that reached the model, refused ones included. */
  requests: number;
  /** Texts embedded, and their characters (refused requests not included). */
  texts: number;
  inputCharacters: number;
  /** Cohere requests by `input_type`. */
  inputTypes: Record<string, number>;
}

export interface BedrockFakeStats {
  /** HTTP requests received, all included. */
  httpRequests: number;
  /** Requests answered by an injected fault. */
  faults: number;
  /** Requests refused with a 4xx (validation, unknown model or route, no authorization). */
  rejected: number;
  /** By model id, as sent. */
  models: Record<string, BedrockFakeModelStats>;
  /** Converse requests; see {@link BedrockFakeConverseStats}. */
  converse: BedrockFakeConverseStats;
}

export interface BedrockFakeConverseStats {
  /** Converse requests that reached the route, refused ones included. */
  requests: number;
  /** Requests answered with a reply (HTTP 200). */
  answered: number;
  /** Requests answered by a scripted fault. */
  faults: number;
  /** Tokens of the answered requests, counted as in the answers' `usage`. */
  inputTokens: number;
  outputTokens: number;
  /** Requests by model id (decoded), refused ones included. */
  byModel: Record<string, number>;
}

/** A Converse request as the fake received it: given to scripted and default responders. */
export interface ConverseFakeRequest {
  /** The model id, decoded (an inference-profile id or ARN as the client gave it). */
  readonly modelId: string;
  /** The model id as it appeared in the path, still percent-encoded. */
  readonly encodedModelId: string;
  readonly messages: readonly ConverseFakeMessage[];
  /** The system `text` blocks, in order. */
  readonly system: readonly string[];
  readonly tools: readonly ConverseFakeTool[];
  readonly toolChoice:
    | { readonly auto: object }
    | { readonly any: object }
    | { readonly tool: { readonly name: string } }
    | undefined;
  /** The tool the model must call (`toolChoice.tool`), if any. */
  readonly forcedTool: string | undefined;
  readonly inferenceConfig: {
    readonly maxTokens?: number;
    readonly temperature?: number;
    readonly topP?: number;
    readonly stopSequences?: readonly string[];
  };
  /** The whole request body, as parsed JSON. */
  readonly body: Readonly<Record<string, unknown>>;
}

export interface ConverseFakeMessage {
  readonly role: 'user' | 'assistant';
  /** The content blocks as sent (`{text}`, `{toolUse}`, `{toolResult}`, `{cachePoint}`). */
  readonly content: readonly Readonly<Record<string, unknown>>[];
  /** The message's `text` blocks, joined by newlines. */
  readonly text: string;
}

export interface ConverseFakeTool {
  readonly name: string;
  readonly description: string | undefined;
  /** `toolSpec.inputSchema.json`. */
  readonly inputSchema: unknown;
}

/**
 * One Converse answer:
 * - a string, or `{text}`: an assistant text reply (`stopReason: 'end_turn'`);
 * - `{toolInput, toolName?}`: a `toolUse` block with that input (`'tool_use'`); the name defaults to
 *   the forced tool, else the first tool offered;
 * - `{fault}`: an error answer (e.g. {@link BEDROCK_FAULTS}`.throttling`), or `'reset'`;
 * - `{malformed: 'no-tool-use'}`: a text reply even though a tool was forced; `{malformed:
 *   'bad-tool-input'}`: a `toolUse` whose input is `{}`, missing every required property.
 */
export type ConverseFakeReply =
  | string
  | { readonly text: string }
  | { readonly toolInput: unknown; readonly toolName?: string }
  | { readonly fault: BedrockFakeFault }
  | { readonly malformed: 'no-tool-use' | 'bad-tool-input' };

export type ConverseFakeResponder = (
  request: ConverseFakeRequest,
) => ConverseFakeReply | Promise<ConverseFakeReply>;

/** A reply for the next request, replies for the next requests in order, or a responder for all of them. */
export type ConverseFakeScript = ConverseFakeReply | readonly ConverseFakeReply[] | ConverseFakeResponder;

export interface BedrockFakeOptions {
  /** Port to listen on; default: a free port chosen by the OS. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** The 512-d embedder behind every model; default a `UseLiteEmbedder` (pass one to share a loaded model). */
  baseEmbedder?: Embedder;
  /** Added to every answer, in milliseconds; default 0. */
  latencyMs?: number;
  /** Added to every Converse answer on top of `latencyMs` (a model's generation time); default 0. */
  converseLatencyMs?: number;
  /** The Converse responder used when nothing is scripted; see `setDefaultConverseResponder`. */
  defaultConverseResponder?: ConverseFakeResponder;
  /** Faults for the first requests, as if `failNextRequests(count, fault)` were called at start. */
  failNext?: { count: number; fault?: BedrockFakeFault };
}

export interface BedrockFake {
  /** The endpoint to give the SDK client, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** A region and dummy credentials that the client can sign with. */
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** Live counters, see {@link BedrockFakeStats}. */
  readonly stats: BedrockFakeStats;
  resetStats(): void;
  /** The next `count` requests are answered with 429 ThrottlingException. */
  throttleNextRequests(count: number): void;
  /** The next `count` requests are answered with `fault` (default throttling), replacing queued faults. */
  failNextRequests(count: number, fault?: BedrockFakeFault): void;
  /**
   * Scripts the Converse answers, replacing any script: one reply answers the next request, an array
   * the next requests in order, a function every request until the script is replaced; `[]` clears
   * it. Requests that the script does not cover go to the default responder. Requests refused as
   * invalid consume nothing.
   */
  scriptConverse(script: ConverseFakeScript): void;
  /** The responder for Converse requests that nothing is scripted for; `undefined` removes it. */
  setDefaultConverseResponder(responder: ConverseFakeResponder | undefined): void;
  /** Closes the server and its keep-alive connections. */
  stop(): Promise<void>;
}
