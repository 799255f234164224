/**
 * A local fake of the Bedrock Runtime API, so that the production `@aws-sdk/client-bedrock-runtime`
 * client (and the embedders over it) run unchanged in tests, benchmarks and `npm run dev`.
 *
 * Wire protocol, as the SDK's restJson1 serde speaks it:
 *
 * - `POST /model/{modelId}/invoke`, the model id URL-encoded (`amazon.titan-embed-text-v2%3A0`), a
 *   JSON body in the model's own format; the answer is the model's JSON, as `application/json`,
 *   with `x-amzn-RequestId`, `X-Amzn-Bedrock-Invocation-Latency` and `X-Amzn-Bedrock-Input-Token-Count`.
 * - Errors are an HTTP status, an `x-amzn-ErrorType: <Name>:http://internal.amazon.com/...` header
 *   (the SDK keeps the part before the colon) and a `{"message": ...}` body; the SDK throws its
 *   modelled exception of that name (`ValidationException`, `ThrottlingException`, ...) with
 *   `$fault` and `$metadata.httpStatusCode`.
 * - Requests must carry an `Authorization` header (SigV4 or bearer); it is not verified.
 * - HTTP/1.1 only. The SDK's default handler for this client is HTTP/2, so a client for the fake
 *   needs an HTTP/1.1 `NodeHttpHandler`, which `createBedrockRuntimeClient` always uses.
 *
 * Models:
 *
 * - `amazon.titan-embed-text-v2:0`: body `{inputText, dimensions?: 256|512|1024 (1024),
 *   normalize?: boolean (true), embeddingTypes?: ['float']}`; answers `{embedding, inputTextTokenCount}`.
 *   Refused (400 ValidationException): extra keys, an empty `inputText` or one over 50,000 characters,
 *   over 8,192 tokens, bad `dimensions`.
 * - `cohere.embed-english-v3`, `cohere.embed-multilingual-v3`: body `{texts (≤ 96, each ≤ 2,048
 *   characters), input_type: search_document|search_query|classification|clustering, truncate?:
 *   NONE|START|END (NONE), embedding_types?: ['float']}`; answers `{id, texts, embeddings,
 *   response_type: 'embeddings_floats'}` (or `embeddings_by_type` with `{float: [...]}`). Over 512
 *   tokens is refused with `truncate: NONE`, otherwise cut at the end or the start.
 * - Anything else: 400 ValidationException "The provided model identifier is invalid."
 * - `POST /model/{modelId}/converse`: see below. The streaming routes: 400 ValidationException, not
 *   implemented by the fake yet. Add a route to {@link ROUTES} / a model to {@link MODELS} to extend.
 *
 * Converse (`POST /model/{modelId}/converse`, the id URL-encoded: an inference-profile ARN arrives as
 * `arn%3Aaws%3Abedrock%3A...%3Ainference-profile%2Fus.anthropic...`):
 *
 * - Any model id or ARN is taken as a chat model, except the embedding models above (400 "This action
 *   doesn't support the model that you provided..."). The fake has no model of its own: replies come
 *   from a script (`scriptConverse`, for tests) or else from a default responder
 *   (`setDefaultConverseResponder`, e.g. an offline extractor); with neither, 400 ValidationException.
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
 *
 * Embeddings are meaningful, so that search quality measured through the fake is real: every text
 * is embedded by a 512-d base embedder (Universal Sentence Encoder Lite by default, see
 * dev/offline-models/use-lite-embedder.ts) and mapped to the requested dimensions by a fixed random
 * projection seeded by (model id, dimensions): zero-padded to a power of two, rotated by a seeded
 * random orthogonal map (three rounds of permutation, random signs and Walsh–Hadamard transform, a
 * cheap stand-in for a dense random rotation) and cut to the requested dimensions:
 * - to 512 or 1024 dimensions nothing is cut, the map is an isometry: cosine similarities, hence
 *   rankings, are exactly the base model's;
 * - to 256 it is an orthogonal projection onto a random subspace: similarities are approximated
 *   (as a smaller real model would approximate its larger self);
 * - each model id gets its own map, so vectors of different models do not compare, as in reality.
 * Titan vectors are then normalized (unless `normalize: false`); Cohere vectors are given a fixed
 * non-unit length of {@link COHERE_VECTOR_LENGTH}, so clients must normalize them, as with the real model.
 * Query and document input types are embedded alike (USE is symmetric) but counted apart in `stats`.
 *
 * Not reproduced: real model quality (USE-Lite is a small 2018 model, English only, so the
 * multilingual id is English-only here), the real tokenizers (token counts are an estimate: about
 * one token per six characters of a word, one per punctuation mark), signature checking, model
 * access (`AccessDeniedException`), quotas and throttling other than injected faults, latency other
 * than `latencyMs`, binary/int8 embedding types, image inputs and streaming. For Converse: any model
 * behaviour (replies are scripted or come from the default responder), real tokenizers, per-model
 * limits (context window, largest `maxTokens`), stop sequences, prompt caching (cache points are
 * accepted, no cache tokens are reported), guardrails and `additionalModelResponseFields`.
 */

import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Embedder } from '../../lib/ports/embedder.js';
import { UseLiteEmbedder } from '../offline-models/use-lite-embedder.js';

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

/** An error answer in Bedrock's format. */
class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

const validation = (message: string) => new ServiceError(400, 'ValidationException', message);
const malformed = (detail: string) =>
  validation(`Malformed input request: ${detail}, please reformat your input and try again.`);

interface Reply {
  readonly body: unknown;
  readonly inputTokens?: number;
}

/** Answered by dropping the connection unanswered (a `'reset'` fault). */
class ConnectionReset extends Error {}

interface RequestContext {
  readonly modelId: string;
  /** The model id as it appeared in the path, still percent-encoded. */
  readonly encodedModelId: string;
  readonly body: Buffer;
  readonly stats: BedrockFakeStats;
  readonly base: Embedder;
  readonly converse: ConverseState;
  /** `performance.now()` when the request arrived. */
  readonly started: number;
}

/** The fake's Converse settings: its script, default responder and latency. */
interface ConverseState {
  /** Replies queued for the next requests, or a responder for every request. */
  script: ConverseFakeReply[] | ConverseFakeResponder;
  defaultResponder: ConverseFakeResponder | undefined;
  readonly latencyMs: number;
}

interface Route {
  readonly method: string;
  /** Matched against the raw (still percent-encoded) path; group 1 is the model id. */
  readonly pattern: RegExp;
  handle(context: RequestContext): Promise<Reply>;
}

const notImplemented = (operation: string) => async (): Promise<Reply> => {
  throw validation(`${operation} is not implemented by the fake Bedrock Runtime yet.`);
};

const ROUTES: readonly Route[] = [
  { method: 'POST', pattern: /^\/model\/([^/]+)\/invoke$/, handle: invokeModel },
  {
    method: 'POST',
    pattern: /^\/model\/([^/]+)\/invoke-with-response-stream$/,
    handle: notImplemented('InvokeModelWithResponseStream'),
  },
  { method: 'POST', pattern: /^\/model\/([^/]+)\/converse$/, handle: converse },
  {
    method: 'POST',
    pattern: /^\/model\/([^/]+)\/converse-stream$/,
    handle: notImplemented('ConverseStream'),
  },
];

type FakeModel = (payload: unknown, context: RequestContext) => Promise<Reply>;

const MODELS: Readonly<Record<string, FakeModel>> = {
  'amazon.titan-embed-text-v2:0': titanTextV2,
  'cohere.embed-english-v3': cohereEmbedV3,
  'cohere.embed-multilingual-v3': cohereEmbedV3,
};

const MAX_BODY_BYTES = 25 * 1024 * 1024;

/** Starts the fake; resolves once it listens and its base embedder is loaded. */
export async function startBedrockFake(options: BedrockFakeOptions = {}): Promise<BedrockFake> {
  const base = options.baseEmbedder ?? new UseLiteEmbedder();
  if (base.model.dimensions !== BASE_DIMENSIONS) {
    throw new Error(`the fake needs a ${BASE_DIMENSIONS}-d base embedder, not ${base.model.dimensions}-d`);
  }
  await base.embedDocuments(['warm up']);

  const stats: BedrockFakeStats = {
    httpRequests: 0,
    faults: 0,
    rejected: 0,
    models: {},
    converse: emptyConverseStats(),
  };
  const converseState: ConverseState = {
    script: [],
    defaultResponder: options.defaultConverseResponder,
    latencyMs: options.converseLatencyMs ?? 0,
  };
  let faults: BedrockFakeFault[] = [];
  const failNextRequests = (count: number, fault: BedrockFakeFault = BEDROCK_FAULTS.throttling) => {
    faults = Array.from({ length: Math.max(0, count) }, () => fault);
  };
  if (options.failNext) failNextRequests(options.failNext.count, options.failNext.fault);

  const respond = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string>,
  ) => {
    const json = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
      'x-amzn-requestid': randomUUID(),
      ...headers,
    });
    response.end(json);
  };
  const respondError = (response: ServerResponse, error: ServiceError) => {
    if (error.status < 500 && error.status !== 429) stats.rejected++;
    respond(
      response,
      error.status,
      { message: error.message },
      { 'x-amzn-errortype': `${error.errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
    );
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    stats.httpRequests++;
    const started = performance.now();
    const body = await readBody(request);
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));

    const fault = faults.shift();
    if (fault !== undefined) {
      stats.faults++;
      if (fault === 'reset') request.socket.destroy();
      else respondError(response, new ServiceError(fault.status, fault.errorType, fault.message));
      return;
    }
    if (!request.headers.authorization) {
      throw new ServiceError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    let matched: { route: Route; modelId: string; encodedModelId: string } | undefined;
    for (const route of ROUTES) {
      const match = route.method === request.method ? route.pattern.exec(path) : null;
      if (match) {
        matched = { route, modelId: decodeModelId(match[1]!), encodedModelId: match[1]! };
        break;
      }
    }
    if (!matched) throw new ServiceError(404, 'UnknownOperationException', 'Unknown operation');
    if (body === undefined) throw validation(`Request body exceeds ${MAX_BODY_BYTES} bytes`);

    const { route, modelId, encodedModelId } = matched;
    const reply = await route.handle({
      modelId,
      encodedModelId,
      body,
      stats,
      base,
      converse: converseState,
      started,
    });
    respond(response, 200, reply.body, {
      'x-amzn-bedrock-invocation-latency': String(Math.round(performance.now() - started)),
      ...(reply.inputTokens === undefined
        ? {}
        : { 'x-amzn-bedrock-input-token-count': String(reply.inputTokens) }),
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent || request.socket.destroyed) {
        response.destroy();
      } else if (error instanceof ConnectionReset) {
        request.socket.destroy();
      } else if (error instanceof ServiceError) {
        respondError(response, error);
      } else {
        respondError(
          response,
          new ServiceError(500, 'InternalServerException', `fake failure: ${(error as Error).message}`),
        );
      }
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'fake-access-key', secretAccessKey: 'fake-secret-key' },
    stats,
    resetStats() {
      stats.httpRequests = 0;
      stats.faults = 0;
      stats.rejected = 0;
      stats.models = {};
      stats.converse = emptyConverseStats();
    },
    throttleNextRequests: (count) => failNextRequests(count, BEDROCK_FAULTS.throttling),
    failNextRequests,
    scriptConverse(script) {
      converseState.script =
        typeof script === 'function'
          ? script
          : Array.isArray(script)
            ? [...(script as readonly ConverseFakeReply[])]
            : [script as ConverseFakeReply];
    },
    setDefaultConverseResponder(responder) {
      converseState.defaultResponder = responder;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function decodeModelId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw validation('The provided model identifier is invalid.');
  }
}

async function invokeModel(context: RequestContext): Promise<Reply> {
  const model = MODELS[context.modelId];
  if (!model) throw validation('The provided model identifier is invalid.');
  modelStats(context).requests++;
  let payload: unknown;
  try {
    payload = JSON.parse(context.body.toString('utf8'));
  } catch {
    throw validation('Malformed input request, please reformat your input and try again.');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw malformed('#: expected type: JSONObject');
  }
  return model(payload, context);
}

function modelStats(context: RequestContext): BedrockFakeModelStats {
  context.stats.models[context.modelId] ??= { requests: 0, texts: 0, inputCharacters: 0, inputTypes: {} };
  return context.stats.models[context.modelId]!;
}

function countEmbedded(context: RequestContext, texts: readonly string[]): void {
  const stats = modelStats(context);
  stats.texts += texts.length;
  for (const text of texts) stats.inputCharacters += text.length;
}

// --- Titan Text Embeddings v2 -------------------------------------------------------------------

const TITAN_MAX_CHARACTERS = 50_000;
const TITAN_MAX_TOKENS = 8_192;

async function titanTextV2(payload: unknown, context: RequestContext): Promise<Reply> {
  const body = payload as Record<string, unknown>;
  rejectExtraKeys(body, ['inputText', 'dimensions', 'normalize', 'embeddingTypes']);
  const { inputText, dimensions = 1024, normalize = true, embeddingTypes } = body;
  if (typeof inputText !== 'string') {
    throw malformed(
      inputText === undefined
        ? '#: required key [inputText] not found'
        : '#/inputText: expected type: String',
    );
  }
  if (inputText.length === 0) throw malformed('#/inputText: expected minLength: 1, actual: 0');
  if (inputText.length > TITAN_MAX_CHARACTERS) {
    throw malformed(`#/inputText: expected maxLength: ${TITAN_MAX_CHARACTERS}, actual: ${inputText.length}`);
  }
  if (dimensions !== 256 && dimensions !== 512 && dimensions !== 1024) {
    throw malformed(`#/dimensions: ${JSON.stringify(dimensions)} is not a valid enum value`);
  }
  if (typeof normalize !== 'boolean') throw malformed('#/normalize: expected type: Boolean');
  if (embeddingTypes !== undefined && !isFloatOnly(embeddingTypes)) {
    throw validation('Only the float embedding type is implemented by the fake Bedrock Runtime.');
  }
  const tokens = estimateTokens(inputText);
  if (tokens > TITAN_MAX_TOKENS) {
    throw validation(
      `400 Bad Request: Too many input tokens. Max input tokens: ${TITAN_MAX_TOKENS}, request input token count: ${tokens}`,
    );
  }
  const [baseVector] = await context.base.embedDocuments([inputText]);
  const embedding = scaled(project(baseVector!, context.modelId, dimensions), normalize ? 1 : undefined);
  countEmbedded(context, [inputText]);
  return {
    body: {
      embedding,
      ...(embeddingTypes === undefined ? {} : { embeddingsByType: { float: embedding } }),
      inputTextTokenCount: tokens,
    },
    inputTokens: tokens,
  };
}

// --- Cohere Embed v3 ----------------------------------------------------------------------------

const COHERE_MAX_TEXTS = 96;
const COHERE_MAX_CHARACTERS = 2_048;
const COHERE_MAX_TOKENS = 512;
const COHERE_DIMENSIONS = 1024;
const COHERE_INPUT_TYPES = ['search_document', 'search_query', 'classification', 'clustering'];
/** The length of the fake's Cohere vectors: deliberately not 1. */
export const COHERE_VECTOR_LENGTH = 2.5;

async function cohereEmbedV3(payload: unknown, context: RequestContext): Promise<Reply> {
  const body = payload as Record<string, unknown>;
  rejectExtraKeys(body, ['texts', 'images', 'input_type', 'truncate', 'embedding_types']);
  const { texts, input_type: inputType, truncate = 'NONE', embedding_types: embeddingTypes } = body;
  if (body.images !== undefined)
    throw validation('Image inputs are not implemented by the fake Bedrock Runtime.');
  if (!Array.isArray(texts)) {
    throw malformed(
      texts === undefined ? '#: required key [texts] not found' : '#/texts: expected type: JSONArray',
    );
  }
  if (texts.length > COHERE_MAX_TEXTS) {
    throw malformed(`#/texts: expected maximum item count: ${COHERE_MAX_TEXTS}, found: ${texts.length}`);
  }
  texts.forEach((text, index) => {
    if (typeof text !== 'string') throw malformed(`#/texts/${index}: expected type: String`);
    if (text.length > COHERE_MAX_CHARACTERS) {
      throw malformed(
        `#/texts/${index}: expected maxLength: ${COHERE_MAX_CHARACTERS}, actual: ${text.length}`,
      );
    }
  });
  if (inputType === undefined) throw malformed('#: required key [input_type] not found');
  if (typeof inputType !== 'string' || !COHERE_INPUT_TYPES.includes(inputType)) {
    throw malformed(`#/input_type: ${JSON.stringify(inputType)} is not a valid enum value`);
  }
  if (truncate !== 'NONE' && truncate !== 'START' && truncate !== 'END') {
    throw malformed(`#/truncate: ${JSON.stringify(truncate)} is not a valid enum value`);
  }
  if (embeddingTypes !== undefined && !isFloatOnly(embeddingTypes)) {
    throw validation('Only the float embedding type is implemented by the fake Bedrock Runtime.');
  }
  const strings = texts as string[];
  let totalTokens = 0;
  const windows = strings.map((text) => {
    const tokens = estimateTokens(text);
    totalTokens += Math.min(tokens, COHERE_MAX_TOKENS);
    if (tokens <= COHERE_MAX_TOKENS) return text;
    if (truncate === 'NONE') {
      throw validation(
        `invalid request: too many tokens: total number of tokens in the prompt cannot exceed ${COHERE_MAX_TOKENS} - received ${tokens}. Try using a shorter prompt, or enabling prompt truncating.`,
      );
    }
    return cutToTokens(text, COHERE_MAX_TOKENS, truncate);
  });
  // USE refuses empty strings; a lone space stands for "nothing" (Bedrock accepts empty texts here).
  const baseVectors = await context.base.embedDocuments(
    windows.map((text) => (text.length === 0 ? ' ' : text)),
  );
  const embeddings = baseVectors.map((vector) =>
    scaled(project(vector, context.modelId, COHERE_DIMENSIONS), COHERE_VECTOR_LENGTH),
  );
  countEmbedded(context, strings);
  const stats = modelStats(context);
  stats.inputTypes[inputType] = (stats.inputTypes[inputType] ?? 0) + 1;
  return {
    body:
      embeddingTypes === undefined
        ? { id: randomUUID(), texts: strings, embeddings, response_type: 'embeddings_floats' }
        : {
            id: randomUUID(),
            texts: strings,
            embeddings: { float: embeddings },
            response_type: 'embeddings_by_type',
          },
    inputTokens: totalTokens,
  };
}

// --- Converse -----------------------------------------------------------------------------------

/** Request members that the fake refuses as not implemented (the others it accepts and ignores). */
const CONVERSE_NOT_IMPLEMENTED = [
  'guardrailConfig',
  'promptVariables',
  'outputConfig',
  'additionalModelResponseFieldPaths',
];
/** Content block types of the real API that the fake does not implement. */
const CONVERSE_UNIMPLEMENTED_BLOCKS = [
  'image',
  'document',
  'video',
  'audio',
  'reasoningContent',
  'guardContent',
  'citationsContent',
  'searchResult',
  'toolAddition',
  'toolRemoval',
];
/** `maxTokens` when the request sets none. */
const CONVERSE_DEFAULT_MAX_TOKENS = 4_096;
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Converse token counts: one token per four characters, rounded up (see the module comment). */
const converseTokens = (characters: number) => Math.ceil(characters / 4);

function emptyConverseStats(): BedrockFakeConverseStats {
  return { requests: 0, answered: 0, faults: 0, inputTokens: 0, outputTokens: 0, byModel: {} };
}

async function converse(context: RequestContext): Promise<Reply> {
  const stats = context.stats.converse;
  stats.requests++;
  stats.byModel[context.modelId] = (stats.byModel[context.modelId] ?? 0) + 1;
  if (MODELS[context.modelId]) {
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

/** A constraint violation worded as Bedrock words them. */
const invalidMember = (path: string, constraint: string) =>
  validation(`1 validation error detected: Value at '${path}' failed to satisfy constraint: ${constraint}`);

const notImplementedByFake = (what: string) =>
  validation(`${what} is not implemented by the fake Bedrock Runtime.`);

/** Checks a Converse body as Bedrock does (see the module comment) and gives it to responders. */
function parseConverseRequest(payload: unknown, context: RequestContext): ConverseFakeRequest {
  if (!isRecord(payload))
    throw validation('Malformed input request, please reformat your input and try again.');
  for (const key of CONVERSE_NOT_IMPLEMENTED) {
    if (payload[key] !== undefined) throw notImplementedByFake(`Converse's ${key}`);
  }

  const { messages: rawMessages } = payload;
  if (rawMessages === undefined) throw invalidMember('messages', 'Member must not be null');
  if (!Array.isArray(rawMessages)) throw invalidMember('messages', 'Member must be a list');
  let usesTools = false;
  const messages = rawMessages.map((message: unknown, i): ConverseFakeMessage => {
    if (!isRecord(message)) throw invalidMember(`messages.${i + 1}.member`, 'Member must be a structure');
    const { role, content } = message;
    if (role !== 'user' && role !== 'assistant') {
      throw invalidMember(
        `messages.${i + 1}.member.role`,
        'Member must satisfy enum value set: [user, assistant]',
      );
    }
    if (!Array.isArray(content) || content.length === 0) {
      throw validation(
        `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`,
      );
    }
    const texts: string[] = [];
    content.forEach((block: unknown, j) => {
      const where = `messages.${i}.content.${j}`;
      const keys = isRecord(block) ? Object.keys(block).filter((key) => block[key] !== undefined) : [];
      if (!isRecord(block) || keys.length !== 1) {
        throw validation(`The ContentBlock object at ${where} must set exactly one of its members.`);
      }
      const [type] = keys as [string];
      const value = block[type];
      if (type === 'text') {
        if (typeof value !== 'string') throw invalidMember(`${where}.text`, 'Member must be a string');
        if (value.trim() === '') {
          throw validation(
            `The text field in the ContentBlock object at ${where} is blank. Add text to the text field, and try again.`,
          );
        }
        texts.push(value);
      } else if (type === 'toolUse') {
        if (!isRecord(value) || typeof value.toolUseId !== 'string' || typeof value.name !== 'string') {
          throw invalidMember(`${where}.toolUse`, 'Member must have a toolUseId, a name and an input');
        }
        usesTools = true;
      } else if (type === 'toolResult') {
        if (!isRecord(value) || typeof value.toolUseId !== 'string' || !Array.isArray(value.content)) {
          throw invalidMember(`${where}.toolResult`, 'Member must have a toolUseId and a content list');
        }
        usesTools = true;
      } else if (type !== 'cachePoint') {
        throw CONVERSE_UNIMPLEMENTED_BLOCKS.includes(type)
          ? notImplementedByFake(`The ${type} content block`)
          : validation(`The ContentBlock object at ${where} has an unknown member ${type}.`);
      }
    });
    return { role, content: content as Record<string, unknown>[], text: texts.join('\n') };
  });
  if (messages.length === 0 || messages[0]!.role !== 'user') {
    throw validation(
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    );
  }
  if (messages.some((message, i) => i > 0 && message.role === messages[i - 1]!.role)) {
    throw validation(
      'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
    );
  }

  const system: string[] = [];
  if (payload.system !== undefined) {
    if (!Array.isArray(payload.system)) throw invalidMember('system', 'Member must be a list');
    payload.system.forEach((block: unknown, i) => {
      if (isRecord(block) && typeof block.text === 'string') {
        if (block.text.trim() === '') {
          throw validation(
            `The text field in the SystemContentBlock object at system.${i} is blank. Add text to the text field, and try again.`,
          );
        }
        system.push(block.text);
      } else if (isRecord(block) && block.guardContent !== undefined) {
        throw notImplementedByFake('The guardContent system block');
      } else if (!isRecord(block) || block.cachePoint === undefined) {
        throw invalidMember(`system.${i + 1}.member`, 'Member must be a text or cachePoint block');
      }
    });
  }

  const tools: ConverseFakeTool[] = [];
  let toolChoice: ConverseFakeRequest['toolChoice'];
  const { toolConfig } = payload;
  if (toolConfig !== undefined) {
    if (!isRecord(toolConfig)) throw invalidMember('toolConfig', 'Member must be a structure');
    if (!Array.isArray(toolConfig.tools) || toolConfig.tools.length === 0) {
      throw invalidMember('toolConfig.tools', 'Member must have length greater than or equal to 1');
    }
    toolConfig.tools.forEach((tool: unknown, i) => {
      const where = `toolConfig.tools.${i + 1}.member`;
      if (isRecord(tool) && tool.cachePoint !== undefined) return;
      if (isRecord(tool) && tool.systemTool !== undefined) throw notImplementedByFake('A systemTool');
      const spec = isRecord(tool) ? tool.toolSpec : undefined;
      if (!isRecord(spec)) throw invalidMember(where, 'Member must be a toolSpec or cachePoint block');
      if (typeof spec.name !== 'string' || !TOOL_NAME.test(spec.name)) {
        throw invalidMember(
          `${where}.toolSpec.name`,
          'Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+',
        );
      }
      if (
        spec.description !== undefined &&
        (typeof spec.description !== 'string' || spec.description === '')
      ) {
        throw invalidMember(
          `${where}.toolSpec.description`,
          'Member must have length greater than or equal to 1',
        );
      }
      const schema = isRecord(spec.inputSchema) ? spec.inputSchema.json : undefined;
      if (!isRecord(schema)) {
        throw validation(
          `The inputSchema of tool ${spec.name} must be a JSON schema object (inputSchema.json).`,
        );
      }
      if (tools.some((known) => known.name === spec.name)) {
        throw validation(`The toolConfig field has more than one tool named ${spec.name}.`);
      }
      tools.push({
        name: spec.name,
        description: spec.description as string | undefined,
        inputSchema: schema,
      });
    });
    const choice = toolConfig.toolChoice;
    if (choice !== undefined) {
      const keys = isRecord(choice) ? Object.keys(choice).filter((key) => choice[key] !== undefined) : [];
      if (!isRecord(choice) || keys.length !== 1 || !['auto', 'any', 'tool'].includes(keys[0]!)) {
        throw invalidMember('toolConfig.toolChoice', 'Member must set exactly one of auto, any, tool');
      }
      if (isRecord(choice.tool)) {
        const name = choice.tool.name;
        if (typeof name !== 'string' || !tools.some((tool) => tool.name === name)) {
          throw validation('The tool named in toolConfig.toolChoice.tool is not in toolConfig.tools.');
        }
        toolChoice = { tool: { name } };
      } else if (choice.tool !== undefined) {
        throw invalidMember('toolConfig.toolChoice.tool', 'Member must be a structure');
      } else {
        toolChoice = choice.auto !== undefined ? { auto: {} } : { any: {} };
      }
    }
  } else if (usesTools) {
    throw validation(
      'The toolConfig field must be defined when using toolUse and toolResult content blocks.',
    );
  }

  const inferenceConfig: {
    maxTokens?: number;
    temperature?: number;
    topP?: number;
    stopSequences?: string[];
  } = {};
  const { inferenceConfig: config } = payload;
  if (config !== undefined) {
    if (!isRecord(config)) throw invalidMember('inferenceConfig', 'Member must be a structure');
    const { maxTokens, temperature, topP, stopSequences } = config;
    if (maxTokens !== undefined) {
      if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) {
        throw invalidMember('inferenceConfig.maxTokens', 'Member must have value greater than or equal to 1');
      }
      inferenceConfig.maxTokens = maxTokens as number;
    }
    for (const [name, value] of [
      ['temperature', temperature],
      ['topP', topP],
    ] as const) {
      if (value === undefined) continue;
      if (typeof value !== 'number' || value < 0 || value > 1) {
        throw invalidMember(`inferenceConfig.${name}`, 'Member must have value between 0 and 1');
      }
      inferenceConfig[name] = value;
    }
    if (stopSequences !== undefined) {
      if (!Array.isArray(stopSequences) || !stopSequences.every((stop) => typeof stop === 'string')) {
        throw invalidMember('inferenceConfig.stopSequences', 'Member must be a list of strings');
      }
      inferenceConfig.stopSequences = stopSequences;
    }
  }

  return {
    modelId: context.modelId,
    encodedModelId: context.encodedModelId,
    messages,
    system,
    tools,
    toolChoice,
    forcedTool: toolChoice && 'tool' in toolChoice ? toolChoice.tool.name : undefined,
    inferenceConfig,
    body: payload,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// --- shared -------------------------------------------------------------------------------------

function rejectExtraKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(body).find((key) => !allowed.includes(key));
  if (extra !== undefined) throw malformed(`extraneous key [${extra}] is not permitted`);
}

function isFloatOnly(types: unknown): boolean {
  return Array.isArray(types) && types.length > 0 && types.every((type) => type === 'float');
}

/** Words (≈ one token per six characters) and punctuation marks (one token each). */
const TOKEN_PATTERN = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

function tokenSpans(text: string): { index: number; end: number; tokens: number }[] {
  return [...text.matchAll(TOKEN_PATTERN)].map((match) => ({
    index: match.index,
    end: match.index + match[0].length,
    tokens: Math.ceil(match[0].length / 6),
  }));
}

/** An estimate of a text's token count; see the module comment. */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const span of tokenSpans(text)) tokens += span.tokens;
  return tokens;
}

/** The first (`END`: the end is dropped) or last (`START`) `maxTokens` tokens of `text`. */
function cutToTokens(text: string, maxTokens: number, drop: 'START' | 'END'): string {
  const spans = tokenSpans(text);
  if (drop === 'START') spans.reverse();
  let total = 0;
  for (const span of spans) {
    total += span.tokens;
    if (total > maxTokens) return drop === 'END' ? text.slice(0, span.index) : text.slice(span.end);
  }
  return text;
}

/** `vector` scaled to `length`, or as is when `length` is undefined; as plain numbers for JSON. */
function scaled(vector: Float64Array, length: number | undefined): number[] {
  if (length === undefined) return Array.from(vector);
  let sumOfSquares = 0;
  for (const value of vector) sumOfSquares += value * value;
  const factor = length / Math.sqrt(sumOfSquares);
  return Array.from(vector, (value) => value * factor);
}

// --- fixed random projections -------------------------------------------------------------------

const BASE_DIMENSIONS = 512;
const ROUNDS = 3;

/**
 * A fixed random orthogonal map of R^size (size a power of two, ≥ 512): `ROUNDS` times a seeded
 * permutation, seeded random signs and a normalized Walsh–Hadamard transform, each orthogonal.
 */
interface Projection {
  readonly size: number;
  readonly permutations: Uint32Array[];
  readonly signs: Int8Array[];
}

const projections = new Map<string, Projection>();

/**
 * `vector` (512-d) mapped to `dimensions` by the fixed map of (`modelId`, `dimensions`): padded with
 * zeros to `size`, rotated, and cut to its first `dimensions` coordinates. For 512 and 1024 nothing is
 * cut, so the map is an isometry; for 256 it is an orthogonal projection onto a random subspace.
 */
function project(vector: Float32Array, modelId: string, dimensions: number): Float64Array {
  const key = `${modelId}\u0000${dimensions}`;
  let projection = projections.get(key);
  if (!projection) {
    let size = BASE_DIMENSIONS;
    while (size < dimensions) size *= 2;
    const uniform = seededUniform(key);
    const permutations: Uint32Array[] = [];
    const signs: Int8Array[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const permutation = Uint32Array.from({ length: size }, (_, i) => i);
      for (let i = size - 1; i > 0; i--) {
        const j = Math.floor(uniform() * (i + 1));
        [permutation[i], permutation[j]] = [permutation[j]!, permutation[i]!];
      }
      permutations.push(permutation);
      signs.push(Int8Array.from({ length: size }, () => (uniform() < 0.5 ? -1 : 1)));
    }
    projection = { size, permutations, signs };
    projections.set(key, projection);
  }
  const { size, permutations, signs } = projection;
  let current = new Float64Array(size);
  current.set(vector);
  const scale = 1 / Math.sqrt(size);
  for (let round = 0; round < ROUNDS; round++) {
    const permutation = permutations[round]!;
    const sign = signs[round]!;
    const next = new Float64Array(size);
    for (let i = 0; i < size; i++) next[i] = current[permutation[i]!]! * sign[i]!;
    walshHadamard(next);
    for (let i = 0; i < size; i++) next[i]! *= scale;
    current = next;
  }
  return current.slice(0, dimensions);
}

/** In-place fast Walsh–Hadamard transform (unnormalized); `values.length` is a power of two. */
function walshHadamard(values: Float64Array): void {
  for (let half = 1; half < values.length; half *= 2) {
    for (let start = 0; start < values.length; start += half * 2) {
      for (let i = start; i < start + half; i++) {
        const a = values[i]!;
        const b = values[i + half]!;
        values[i] = a + b;
        values[i + half] = a - b;
      }
    }
  }
}

/** Uniform draws in (0, 1) from sfc32 seeded by sha256(seed). */
function seededUniform(seed: string): () => number {
  const state = createHash('sha256').update(seed).digest();
  let a = state.readUInt32LE(0);
  let b = state.readUInt32LE(4);
  let c = state.readUInt32LE(8);
  let d = state.readUInt32LE(12);
  const uniform = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return ((t >>> 0) + 0.5) / 4294967296;
  };
  for (let i = 0; i < 16; i++) uniform(); // sfc32's customary warm-up
  return uniform;
}

/** The body, or undefined once it passes {@link MAX_BODY_BYTES} (the rest is drained and dropped). */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.once('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks, size)));
    request.once('error', reject);
  });
}
