import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import * as z from 'zod';
import {
  DependencyUnavailableError,
  type FieldError,
  TooManyRequestsError,
  ValidationError,
} from '../../domain/errors.js';
import type { Embedder, EmbeddingModelInfo } from '../../ports/embedder.js';
import { REJECTED_ERRORS, THROTTLING_ERRORS } from './bedrock-errors.js';

/*
 * Embedders over Bedrock Runtime's InvokeModel. The SDK is loaded inside the calls, never at module
 * scope: bundlers hoist static imports of the (external) SDK to the top of every bundle, and loading
 * it costs ~75 ms of cold start in functions that never embed. After the first call the import is a
 * module-cache hit.
 *
 * Errors, never with input text in a message (the SDK error stays reachable as `cause`):
 * - throttling (`ThrottlingException`, `ServiceQuotaExceededException`) → TooManyRequestsError;
 * - an input over the model's limit, found before sending or reported by Bedrock as a
 *   `ValidationException` → ValidationError naming the text by index (`texts[3]`, or `query`);
 * - any other refusal (unknown model, no model access, bad options: a deployment problem that a
 *   retry does not fix) → EmbeddingRequestRejectedError;
 * - everything else (5xx, model timeouts, network failures, malformed responses) →
 *   DependencyUnavailableError.
 * The client's own retries (3 attempts in all, see bedrock-client.ts) have run by then.
 */

/** Bedrock refused a request for a reason a retry does not fix (bad model id, no access, bad options). */
export class EmbeddingRequestRejectedError extends Error {
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddingRequestRejectedError';
  }
}

export const TITAN_EMBED_TEXT_V2 = 'amazon.titan-embed-text-v2:0';
export type TitanDimensions = 256 | 512 | 1024;
const TITAN_DIMENSIONS: readonly number[] = [256, 512, 1024];
/** Titan v2 takes at most 8,192 tokens or 50,000 characters per text. */
export const TITAN_MAX_CHARACTERS = 50_000;
/** The prefix of a longer text that is embedded: a safe bound for the 8,192-token limit. */
export const TITAN_MAX_EMBEDDED_CHARACTERS = 8_192;

const titanResponseSchema = z.object({
  embedding: z.array(z.number()),
  inputTextTokenCount: z.number().optional(),
});

/**
 * Amazon Titan Text Embeddings v2: 256, 512 or 1024 dimensions (default 1024), unit vectors
 * (`normalize: true`). The model takes one text per call, so a batch runs as parallel calls,
 * at most `concurrency` (default 8) at a time; on the first failure no further call starts.
 * Queries and documents are embedded alike.
 */
export class BedrockTitanEmbedder implements Embedder {
  readonly model: EmbeddingModelInfo;
  /** Titan v2 stops at 8,192 tokens; no tokenizer makes more tokens than characters of ordinary text. */
  readonly maxInputCharacters = TITAN_MAX_EMBEDDED_CHARACTERS;
  readonly #client: BedrockRuntimeClient;
  readonly #concurrency: number;

  constructor(options: {
    client: BedrockRuntimeClient;
    /** Default `amazon.titan-embed-text-v2:0`; another id or ARN must accept Titan v2's request body. */
    modelId?: string;
    dimensions?: TitanDimensions;
    concurrency?: number;
  }) {
    const dimensions = options.dimensions ?? 1024;
    if (!TITAN_DIMENSIONS.includes(dimensions)) {
      throw new Error(`Titan v2 embeds in 256, 512 or 1024 dimensions, not ${dimensions}`);
    }
    this.model = { id: options.modelId ?? TITAN_EMBED_TEXT_V2, dimensions };
    this.#client = options.client;
    this.#concurrency = Math.max(1, options.concurrency ?? 8);
  }

  async embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const fields = texts.map((_, index) => `texts[${index}]`);
    checkLengths(texts, fields, TITAN_MAX_CHARACTERS, this.model.id);
    return mapBounded(texts, this.#concurrency, (text, index) => this.#embed(text, fields[index]!));
  }

  async embedQuery(text: string): Promise<Float32Array> {
    checkLengths([text], ['query'], TITAN_MAX_CHARACTERS, this.model.id);
    return this.#embed(text, 'query');
  }

  async #embed(text: string, field: string): Promise<Float32Array> {
    const { id, dimensions } = this.model;
    const body = await invokeModel(this.#client, id, { inputText: text, dimensions, normalize: true }, () => [
      field,
    ]);
    const parsed = titanResponseSchema.safeParse(body);
    if (!parsed.success) throw malformed(id);
    return toUnitVector(parsed.data.embedding, dimensions, id);
  }
}

export const COHERE_EMBED_ENGLISH_V3 = 'cohere.embed-english-v3';
export const COHERE_EMBED_MULTILINGUAL_V3 = 'cohere.embed-multilingual-v3';
/** Cohere Embed v3 on Bedrock: at most 96 texts per call, each at most 2,048 characters. */
export const COHERE_MAX_TEXTS_PER_CALL = 96;
export const COHERE_MAX_CHARACTERS = 2_048;

const cohereResponseSchema = z.object({
  embeddings: z.array(z.array(z.number())),
  response_type: z.literal('embeddings_floats').optional(),
});

/**
 * Cohere Embed v3 (`cohere.embed-english-v3` by default, or `cohere.embed-multilingual-v3`), 1024
 * dimensions. Documents are sent as `search_document`, queries as `search_query` (the model embeds
 * them differently). Up to 96 texts per call; larger batches run as several calls, at most
 * `concurrency` (default 4) at a time. Vectors are normalized here: Cohere's are not unit length.
 *
 * With `truncate: 'END'` Cohere cuts a text to its 512-token window, but Bedrock refuses any text over
 * 2,048 characters outright; texts are therefore cut to their first 2,048 characters before sending,
 * which is what `END` would keep anyway (the vector reflects the start of a long text).
 */
export class BedrockCohereEmbedder implements Embedder {
  readonly model: EmbeddingModelInfo;
  readonly maxInputCharacters = COHERE_MAX_CHARACTERS;
  readonly #client: BedrockRuntimeClient;
  readonly #concurrency: number;

  constructor(options: {
    client: BedrockRuntimeClient;
    modelId?: string;
    /** Cohere Embed v3 has 1024 dimensions only. */
    dimensions?: 1024;
    concurrency?: number;
  }) {
    const dimensions = options.dimensions ?? 1024;
    if (dimensions !== 1024) throw new Error(`Cohere Embed v3 embeds in 1024 dimensions, not ${dimensions}`);
    this.model = { id: options.modelId ?? COHERE_EMBED_ENGLISH_V3, dimensions };
    this.#client = options.client;
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
  }

  async embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const fields = texts.map((_, index) => `texts[${index}]`);
    checkLengths(texts, fields, Number.POSITIVE_INFINITY, this.model.id);
    const chunks: { start: number; texts: readonly string[] }[] = [];
    for (let start = 0; start < texts.length; start += COHERE_MAX_TEXTS_PER_CALL) {
      chunks.push({ start, texts: texts.slice(start, start + COHERE_MAX_TEXTS_PER_CALL) });
    }
    const vectors = await mapBounded(chunks, this.#concurrency, (chunk) =>
      this.#embed(
        chunk.texts,
        'search_document',
        fields.slice(chunk.start, chunk.start + chunk.texts.length),
      ),
    );
    return vectors.flat();
  }

  async embedQuery(text: string): Promise<Float32Array> {
    checkLengths([text], ['query'], Number.POSITIVE_INFINITY, this.model.id);
    const [vector] = await this.#embed([text], 'search_query', ['query']);
    return vector!;
  }

  async #embed(
    texts: readonly string[],
    inputType: 'search_document' | 'search_query',
    fields: readonly string[],
  ): Promise<Float32Array[]> {
    const { id, dimensions } = this.model;
    const payload = {
      texts: texts.map((text) => cutToLength(text, COHERE_MAX_CHARACTERS)),
      input_type: inputType,
      truncate: 'END',
    };
    const body = await invokeModel(this.#client, id, payload, (message) => {
      // Bedrock names the offending text as `#/texts/3` in its messages.
      const index = /#\/texts\/(\d+)/.exec(message)?.[1];
      const field = index === undefined ? undefined : fields[Number(index)];
      return field ? [field] : [...fields];
    });
    const parsed = cohereResponseSchema.safeParse(body);
    if (!parsed.success || parsed.data.embeddings.length !== texts.length) throw malformed(id);
    return parsed.data.embeddings.map((values) => toUnitVector(values, dimensions, id));
  }
}

/** Refuses empty texts and texts over `maxCharacters`, before anything is sent. */
function checkLengths(
  texts: readonly string[],
  fields: readonly string[],
  maxCharacters: number,
  modelId: string,
): void {
  const problems: FieldError[] = [];
  texts.forEach((text, index) => {
    const field = fields[index]!;
    if (text.length === 0) {
      problems.push({ field, rule: 'min-length', message: 'must not be empty' });
    } else if (text.length > maxCharacters) {
      problems.push({
        field,
        rule: 'max-length',
        message: `has ${text.length} characters; embedding model ${modelId} takes at most ${maxCharacters}`,
      });
    }
  });
  if (problems.length === 0) return;
  const tooLong = problems.some((problem) => problem.rule === 'max-length');
  throw new ValidationError(
    tooLong
      ? `text too long for embedding model ${modelId} (at most ${maxCharacters} characters)`
      : 'cannot embed an empty text',
    problems,
  );
}

/** Messages of Bedrock `ValidationException`s that mean "this input is too long". */
const TOO_LONG_MESSAGE = /too many (input )?tokens|maxLength|too long|exceeds? the max/i;

/**
 * One InvokeModel call with a JSON body; answers the parsed JSON response. `fieldsFor` names the
 * input fields to blame when Bedrock reports an input as too long (given the service's message).
 */
async function invokeModel(
  client: BedrockRuntimeClient,
  modelId: string,
  payload: object,
  fieldsFor: (message: string) => string[],
): Promise<unknown> {
  const { InvokeModelCommand } = await import('@aws-sdk/client-bedrock-runtime');
  let text: string;
  try {
    const output = await client.send(
      new InvokeModelCommand({
        modelId,
        contentType: 'application/json',
        accept: 'application/json',
        body: JSON.stringify(payload),
      }),
    );
    text = output.body.transformToString();
  } catch (error) {
    throw toDomainError(error, modelId, fieldsFor);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw malformed(modelId);
  }
}

function toDomainError(error: unknown, modelId: string, fieldsFor: (message: string) => string[]): Error {
  const name = error instanceof Error ? error.name : 'unknown error';
  if (THROTTLING_ERRORS.has(name)) {
    return new TooManyRequestsError(`Bedrock is throttling calls to embedding model ${modelId} (${name})`);
  }
  if (name === 'ValidationException' && error instanceof Error && TOO_LONG_MESSAGE.test(error.message)) {
    const fields = fieldsFor(error.message).map((field) => ({
      field,
      rule: 'max-length',
      message: `exceeds the input limit of embedding model ${modelId}`,
    }));
    const validation = new ValidationError(`text too long for embedding model ${modelId}`, fields);
    validation.cause = error;
    return validation;
  }
  if (REJECTED_ERRORS.has(name)) {
    return new EmbeddingRequestRejectedError(
      `Bedrock refused the request to embedding model ${modelId} (${name}); check the model id, its options and model access`,
      { cause: error },
    );
  }
  return new DependencyUnavailableError(`embedding model ${modelId} is unavailable (${name})`, undefined, {
    cause: error,
  });
}

function malformed(modelId: string): DependencyUnavailableError {
  return new DependencyUnavailableError(`embedding model ${modelId} returned a malformed response`);
}

function toUnitVector(values: readonly number[], dimensions: number, modelId: string): Float32Array {
  if (values.length !== dimensions) throw malformed(modelId);
  let sumOfSquares = 0;
  for (const value of values) sumOfSquares += value * value;
  const norm = Math.sqrt(sumOfSquares);
  if (!(norm > 0) || !Number.isFinite(norm)) throw malformed(modelId);
  const vector = new Float32Array(dimensions);
  for (let i = 0; i < dimensions; i++) vector[i] = values[i]! / norm;
  return vector;
}

/** The first `max` UTF-16 code units of `text`, without splitting a surrogate pair. */
function cutToLength(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** `fn` over `items`, at most `limit` at a time, results in input order; no new call starts after a failure. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
