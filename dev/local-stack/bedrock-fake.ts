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
 * - `POST /model/{modelId}/converse` (and the streaming routes): 400 ValidationException, not
 *   implemented by the fake yet. Add a route to {@link ROUTES} / a model to {@link MODELS} to extend.
 *
 * Embeddings are meaningful, so that search quality measured through the fake is real: every text
 * is embedded by a 512-d base embedder (Universal Sentence Encoder Lite by default, see
 * lib/adapters/local/use-lite-embedder.ts) and mapped to the requested dimensions by a fixed random
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
 * than `latencyMs`, binary/int8 embedding types, image inputs, Converse and streaming.
 */

import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UseLiteEmbedder } from '../../lib/adapters/local/use-lite-embedder.js';
import type { Embedder } from '../../lib/ports/embedder.js';

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
}

export interface BedrockFakeOptions {
  /** Port to listen on; default: a free port chosen by the OS. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** The 512-d embedder behind every model; default a `UseLiteEmbedder` (pass one to share a loaded model). */
  baseEmbedder?: Embedder;
  /** Added to every answer, in milliseconds; default 0. */
  latencyMs?: number;
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

interface RequestContext {
  readonly modelId: string;
  readonly body: Buffer;
  readonly stats: BedrockFakeStats;
  readonly base: Embedder;
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
  { method: 'POST', pattern: /^\/model\/([^/]+)\/converse$/, handle: notImplemented('Converse') },
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

  const stats: BedrockFakeStats = { httpRequests: 0, faults: 0, rejected: 0, models: {} };
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
    let matched: { route: Route; modelId: string } | undefined;
    for (const route of ROUTES) {
      const match = route.method === request.method ? route.pattern.exec(path) : null;
      if (match) {
        matched = { route, modelId: decodeModelId(match[1]!) };
        break;
      }
    }
    if (!matched) throw new ServiceError(404, 'UnknownOperationException', 'Unknown operation');
    if (body === undefined) throw validation(`Request body exceeds ${MAX_BODY_BYTES} bytes`);

    const reply = await matched.route.handle({ modelId: matched.modelId, body, stats, base });
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
    },
    throttleNextRequests: (count) => failNextRequests(count, BEDROCK_FAULTS.throttling),
    failNextRequests,
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
