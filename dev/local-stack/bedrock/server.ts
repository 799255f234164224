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
 *   normalize?: boolean (true), embeddingTypes?: ['float']}`; answers `{embedding, embeddingsByType:
 *   {float}, inputTextTokenCount}` (`embeddingsByType` always, as the real model).
 *   Refused (400 ValidationException): extra keys, an empty `inputText` or one over 50,000 characters,
 *   over 8,192 tokens, bad `dimensions`.
 * - `cohere.embed-english-v3`, `cohere.embed-multilingual-v3`: body `{texts (≤ 96, each ≤ 2,048
 *   characters), input_type: search_document|search_query|classification|clustering, truncate?:
 *   NONE|START|END (NONE), embedding_types?: ['float']}`; answers `{id, texts, embeddings,
 *   response_type: 'embeddings_floats'}` (or `embeddings_by_type` with `{float: [...]}`). Over 512
 *   tokens is refused with `truncate: NONE`, otherwise cut at the end or the start.
 * - Anything else: 400 ValidationException "The provided model identifier is invalid."
 * - `POST /model/{modelId}/converse`: see converse.ts. The streaming routes: 400 ValidationException,
 *   not implemented by the fake yet. Add a route to {@link ROUTES} / a model to `EMBEDDING_MODELS`
 *   (invoke.ts) to extend.
 *
 * Embeddings are meaningful (a base embedder behind a fixed random projection per model), see
 * projection.ts.
 *
 * Not reproduced: real model quality (USE-Lite is a small 2018 model, English only, so the
 * multilingual id is English-only here), the real tokenizers (token counts are an estimate: about
 * one token per six characters of a word, one per punctuation mark), signature checking, model
 * access (`AccessDeniedException`), quotas and throttling other than injected faults, latency other
 * than `latencyMs`, binary/int8 embedding types, image inputs and streaming. For Converse: any model
 * behaviour (replies are scripted or come from the default responder), real tokenizers, per-model
 * limits (context window, largest `maxTokens`), stop sequences, prompt caching (cache points are
 * accepted, no cache tokens are reported), guardrails and `additionalModelResponseFields`.
 *
 * The parts: types.ts (the fake's public types), context.ts (what a route gets), service-error.ts
 * (error answers), invoke.ts + titan.ts + cohere.ts + tokens.ts + projection.ts (InvokeModel),
 * converse.ts + converse-request.ts (Converse).
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UseLiteEmbedder } from '../../offline-models/use-lite-embedder.js';
import { type ConverseState, emptyConverseStats, type Reply, type RequestContext } from './context.js';
import { converse } from './converse.js';
import { invokeModel } from './invoke.js';
import { BASE_DIMENSIONS } from './projection.js';
import { ConnectionReset, ServiceError, validation } from './service-error.js';
import {
  BEDROCK_FAULTS,
  type BedrockFake,
  type BedrockFakeFault,
  type BedrockFakeOptions,
  type BedrockFakeStats,
  type ConverseFakeReply,
} from './types.js';

export { COHERE_VECTOR_LENGTH } from './cohere.js';
export { estimateTokens } from './tokens.js';
export * from './types.js';

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
