import { appendFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BedrockRuntimeClient,
  InvokeModelCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BEDROCK_FAULTS, type BedrockFake, startBedrockFake } from '../../dev/local-stack/bedrock/server.js';
import { FileEmbeddingCache } from '../../dev/offline-models/file-embedding-cache.js';
import { loadUseLiteModel, UseLiteEmbedder } from '../../dev/offline-models/use-lite-embedder.js';
import { createBedrockRuntimeClient } from '../../lib/adapters/bedrock/bedrock-client.js';
import {
  BedrockCohereEmbedder,
  BedrockTitanEmbedder,
  EmbeddingRequestRejectedError,
  TITAN_EMBED_TEXT_V2,
} from '../../lib/adapters/bedrock/bedrock-embedders.js';
import { CachingEmbedder } from '../../lib/adapters/decorators/caching-embedder.js';
import {
  DependencyUnavailableError,
  TooManyRequestsError,
  ValidationError,
} from '../../lib/domain/errors.js';
import type { Embedder } from '../../lib/ports/embedder.js';

/** One model load for the whole file: the tests and the fake share it. */
const use = new UseLiteEmbedder();
let fake: BedrockFake;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  await loadUseLiteModel();
  fake = await startBedrockFake({ baseEmbedder: use });
  client = await createBedrockRuntimeClient({
    region: fake.region,
    endpoint: fake.url,
    credentials: fake.credentials,
  });
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await fake?.stop();
});

beforeEach(() => {
  fake?.failNextRequests(0);
});

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));

/** A text that must never surface in an error. */
const SECRET = 'Sapphire-Kestrel-4471 is my bank password';

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(Error);
  const error = outcome as Error;
  const fields = (error as Partial<ValidationError>).fields ?? [];
  for (const shown of [error.message, ...fields.map((field) => field.message)]) {
    expect(shown).not.toContain('Sapphire');
    expect(shown).not.toContain('password');
  }
  return error;
}

const requestsTo = (modelId: string) => fake.stats.models[modelId]?.requests ?? 0;

/** "The user is a vegetarian" must sit nearer "dietary restrictions" than "upcoming travel". */
async function expectSemanticOrder(embedder: Embedder): Promise<void> {
  const [fact, diet, travel] = await embedder.embedDocuments([
    'The user is a vegetarian',
    'dietary restrictions',
    'upcoming travel',
  ]);
  expect(dot(fact!, diet!)).toBeGreaterThan(dot(fact!, travel!) + 0.1);
  const query = await embedder.embedQuery('what food does the user avoid?');
  const [meat, flight] = await embedder.embedDocuments([
    'The user does not eat meat or fish',
    'The user is flying to Tokyo next week',
  ]);
  expect(dot(query, meat!)).toBeGreaterThan(dot(query, flight!));
}

describe('UseLiteEmbedder', () => {
  it('gives unit-length 512-d vectors', async () => {
    expect(use.model).toEqual({ id: 'use-lite-512', dimensions: 512 });
    const vectors = await use.embedDocuments(['hello world', 'The user lives in Lisbon', 'a']);
    expect(vectors).toHaveLength(3);
    for (const vector of vectors) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(512);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
  });

  it('is deterministic, alone or within a batch', async () => {
    const text = 'The user prefers window seats on long flights';
    const alone = await use.embedQuery(text);
    const again = await use.embedQuery(text);
    const [, inBatch] = await use.embedDocuments(['Something else entirely, and rather longer.', text, 'x']);
    expect(Array.from(again)).toEqual(Array.from(alone));
    for (let i = 0; i < 512; i++) expect(inBatch![i]).toBeCloseTo(alone[i]!, 5);
  });

  it('places related texts closer than unrelated ones', async () => {
    await expectSemanticOrder(use);
  });

  it('keeps input order across batches and concurrent calls', async () => {
    const texts = Array.from(
      { length: 40 },
      (_, i) => `Memory number ${i}: the user mentioned topic ${i * 7}`,
    );
    const [batched, singles] = await Promise.all([
      use.embedDocuments(texts),
      Promise.all(texts.map((text) => use.embedQuery(text))),
    ]);
    expect(batched).toHaveLength(40);
    batched.forEach((vector, i) => {
      expect(dot(vector, singles[i]!)).toBeCloseTo(1, 5);
    });
  });

  it('answers an empty batch with no vectors and refuses an empty text', async () => {
    expect(await use.embedDocuments([])).toEqual([]);
    const error = await failure(use.embedDocuments(['fine', '']));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields[0]?.field).toBe('texts[1]');
  });
});

describe('BedrockTitanEmbedder through the fake', () => {
  it.each([256, 512, 1024] as const)(
    'gives unit-length %i-d vectors, one request per text',
    async (dimensions) => {
      const titan = new BedrockTitanEmbedder({ client, dimensions });
      expect(titan.model).toEqual({ id: TITAN_EMBED_TEXT_V2, dimensions });
      const before = requestsTo(TITAN_EMBED_TEXT_V2);
      const vectors = await titan.embedDocuments([
        'The user is a vegetarian',
        'dietary restrictions',
        'upcoming travel',
      ]);
      expect(requestsTo(TITAN_EMBED_TEXT_V2) - before).toBe(3);
      for (const vector of vectors) {
        expect(vector).toHaveLength(dimensions);
        expect(norm(vector)).toBeCloseTo(1, 5);
      }
      expect(await titan.embedQuery('upcoming travel')).toHaveLength(dimensions);
      await expectSemanticOrder(titan);
    },
  );

  it('ranks like the base model at 512 and 1024 dimensions (the fake maps isometrically)', async () => {
    const texts = ['The user is a vegetarian', 'dietary restrictions'];
    const [a, b] = await use.embedDocuments(texts);
    for (const dimensions of [512, 1024] as const) {
      const [x, y] = await new BedrockTitanEmbedder({ client, dimensions }).embedDocuments(texts);
      expect(dot(x!, y!)).toBeCloseTo(dot(a!, b!), 5);
    }
  });

  it('runs a large batch in order with bounded concurrency', async () => {
    const titan = new BedrockTitanEmbedder({ client, dimensions: 256, concurrency: 3 });
    const texts = Array.from({ length: 20 }, (_, i) => `Fact ${i}: the user owns ${i} plants`);
    const vectors = await titan.embedDocuments(texts);
    const singles = await Promise.all(texts.map((text) => titan.embedQuery(text)));
    vectors.forEach((vector, i) => {
      expect(dot(vector, singles[i]!)).toBeCloseTo(1, 5);
    });
  });

  it('retries one throttled call, and maps persistent throttling to TooManyRequestsError', async () => {
    const titan = new BedrockTitanEmbedder({ client, dimensions: 256 });
    fake.throttleNextRequests(1);
    expect(await titan.embedQuery(SECRET)).toHaveLength(256);

    const faultsBefore = fake.stats.faults;
    fake.throttleNextRequests(3);
    const error = await failure(titan.embedDocuments([SECRET]));
    expect(error).toBeInstanceOf(TooManyRequestsError);
    expect((error as TooManyRequestsError).retryable).toBe(true);
    expect((error as TooManyRequestsError).message).toContain(TITAN_EMBED_TEXT_V2);
    expect(fake.stats.faults - faultsBefore).toBe(3); // the client's budget: 3 attempts
  });

  it('maps server failures and dropped connections to DependencyUnavailableError', async () => {
    const titan = new BedrockTitanEmbedder({ client, dimensions: 256 });
    for (const fault of [BEDROCK_FAULTS.serviceUnavailable, BEDROCK_FAULTS.reset]) {
      fake.failNextRequests(3, fault);
      const error = await failure(titan.embedQuery(SECRET));
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect((error as DependencyUnavailableError).retryable).toBe(true);
    }
  });

  it('refuses empty and over-long texts before sending them', async () => {
    const titan = new BedrockTitanEmbedder({ client, dimensions: 256 });
    const before = fake.stats.httpRequests;
    const tooLong = await failure(titan.embedDocuments([SECRET, `${SECRET} `.repeat(1_500)]));
    expect(tooLong).toBeInstanceOf(ValidationError);
    expect((tooLong as ValidationError).fields).toEqual([
      expect.objectContaining({ field: 'texts[1]', rule: 'max-length' }),
    ]);
    expect(tooLong.message).toMatch(/too long/);
    const empty = await failure(titan.embedQuery(''));
    expect((empty as ValidationError).fields[0]).toMatchObject({ field: 'query', rule: 'min-length' });
    expect(fake.stats.httpRequests).toBe(before);
  });

  it("turns Bedrock's too-many-tokens ValidationException into a clear ValidationError", async () => {
    const titan = new BedrockTitanEmbedder({ client, dimensions: 256 });
    // Under 50,000 characters, over 8,192 tokens: only the service can tell.
    const dense = 'pw is x. '.repeat(5_000);
    const rejectedBefore = fake.stats.rejected;
    const error = await failure(titan.embedDocuments(['fine', `${SECRET} ${dense}`]));
    expect(fake.stats.rejected - rejectedBefore).toBe(1);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(`text too long for embedding model ${TITAN_EMBED_TEXT_V2}`);
    expect((error as ValidationError).fields).toEqual([
      expect.objectContaining({ field: 'texts[1]', rule: 'max-length' }),
    ]);
    expect(error.cause).toBeInstanceOf(ValidationException);
  });

  it('reports an unknown model as a non-retryable refusal', async () => {
    const titan = new BedrockTitanEmbedder({
      client,
      modelId: 'amazon.titan-embed-text-v9:0',
      dimensions: 512,
    });
    const error = await failure(titan.embedQuery(SECRET));
    expect(error).toBeInstanceOf(EmbeddingRequestRejectedError);
    expect((error as EmbeddingRequestRejectedError).retryable).toBe(false);
    expect(error.message).toContain('amazon.titan-embed-text-v9:0');
    expect(error.message).toContain('ValidationException');
  });

  it('refuses dimensions Titan v2 does not offer', () => {
    expect(() => new BedrockTitanEmbedder({ client, dimensions: 300 as 256 })).toThrow(/256, 512 or 1024/);
  });
});

describe('BedrockCohereEmbedder through the fake', () => {
  const cohereId = 'cohere.embed-english-v3';

  it('normalizes 1024-d vectors and sends documents and queries with their input types', async () => {
    const cohere = new BedrockCohereEmbedder({ client });
    expect(cohere.model).toEqual({ id: cohereId, dimensions: 1024 });
    const before = { ...fake.stats.models[cohereId]?.inputTypes };
    const documents = await cohere.embedDocuments(['The user is a vegetarian', 'upcoming travel']);
    const query = await cohere.embedQuery('dietary restrictions');
    for (const vector of [...documents, query]) {
      expect(vector).toHaveLength(1024);
      expect(norm(vector)).toBeCloseTo(1, 5); // the fake answers vectors of length 2.5
    }
    const after = fake.stats.models[cohereId]!.inputTypes;
    expect((after.search_document ?? 0) - (before.search_document ?? 0)).toBe(1);
    expect((after.search_query ?? 0) - (before.search_query ?? 0)).toBe(1);
    await expectSemanticOrder(cohere);
  });

  it('sends at most 96 texts per call, keeping order', async () => {
    const cohere = new BedrockCohereEmbedder({ client, modelId: 'cohere.embed-multilingual-v3' });
    const texts = Array.from(
      { length: 100 },
      (_, i) => `Note ${i}: prefers tea ${i % 3 === 0 ? 'hot' : 'iced'}`,
    );
    const before = requestsTo('cohere.embed-multilingual-v3');
    const vectors = await cohere.embedDocuments(texts);
    expect(requestsTo('cohere.embed-multilingual-v3') - before).toBe(2);
    expect(vectors).toHaveLength(100);
    for (const i of [0, 95, 96, 99]) {
      expect(dot(vectors[i]!, await cohere.embedQuery(texts[i]!))).toBeCloseTo(1, 5);
    }
  });

  it('cuts texts over 2,048 characters instead of failing', async () => {
    const cohere = new BedrockCohereEmbedder({ client });
    const before = fake.stats.models[cohereId]?.inputCharacters ?? 0;
    const [vector] = await cohere.embedDocuments(['The user is a vegetarian. '.repeat(200)]);
    expect(vector).toHaveLength(1024);
    expect(fake.stats.models[cohereId]!.inputCharacters - before).toBe(2_048);
  });

  it('maps throttling to TooManyRequestsError without echoing texts', async () => {
    const cohere = new BedrockCohereEmbedder({ client });
    fake.throttleNextRequests(3);
    expect(await failure(cohere.embedDocuments([SECRET, 'other']))).toBeInstanceOf(TooManyRequestsError);
  });
});

describe('the fake speaks Bedrock Runtime errors as the SDK expects them', () => {
  const invoke = (modelId: string, body: unknown, sender = client) =>
    sender.send(
      new InvokeModelCommand({ modelId, contentType: 'application/json', body: JSON.stringify(body) }),
    );

  it('400 ValidationException for unknown models, bad dimensions, extra keys and empty input', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['no.such-model', { inputText: 'x' }, /model identifier is invalid/],
      [
        TITAN_EMBED_TEXT_V2,
        { inputText: 'x', dimensions: 300 },
        /#\/dimensions: 300 is not a valid enum value/,
      ],
      [TITAN_EMBED_TEXT_V2, { inputText: 'x', extra: 1 }, /extraneous key \[extra\]/],
      [TITAN_EMBED_TEXT_V2, { inputText: '' }, /#\/inputText: expected minLength: 1/],
      ['cohere.embed-english-v3', { texts: ['x'] }, /required key \[input_type\]/],
    ];
    for (const [modelId, body, message] of cases) {
      const error = await invoke(modelId, body).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationException);
      expect(error).toMatchObject({ name: 'ValidationException', $fault: 'client' });
      expect((error as ValidationException).$metadata.httpStatusCode).toBe(400);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('429 ThrottlingException', async () => {
    const once = await createBedrockRuntimeClient({
      region: fake.region,
      endpoint: fake.url,
      credentials: fake.credentials,
      maxAttempts: 1,
    });
    try {
      fake.throttleNextRequests(1);
      const error = await invoke(TITAN_EMBED_TEXT_V2, { inputText: 'x' }, once).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ThrottlingException);
      expect((error as ThrottlingException).$metadata.httpStatusCode).toBe(429);
    } finally {
      once.destroy();
    }
  });

  it('the raw Titan and Cohere response bodies', async () => {
    const titan = await invoke(TITAN_EMBED_TEXT_V2, { inputText: 'hello there', dimensions: 256 });
    const titanBody = JSON.parse(titan.body.transformToString());
    expect(titan.contentType).toBe('application/json');
    // embeddingsByType is always there, `float` included, as the AWS docs describe the V2 response.
    expect(titanBody).toEqual({
      embedding: expect.any(Array),
      embeddingsByType: { float: titanBody.embedding },
      inputTextTokenCount: 2,
    });
    expect(titanBody.embedding).toHaveLength(256);

    const cohere = await invoke('cohere.embed-english-v3', { texts: ['a', 'b'], input_type: 'search_query' });
    const cohereBody = JSON.parse(cohere.body.transformToString());
    expect(cohereBody).toMatchObject({
      id: expect.any(String),
      texts: ['a', 'b'],
      response_type: 'embeddings_floats',
    });
    expect(cohereBody.embeddings).toHaveLength(2);
    expect(cohereBody.embeddings[0]).toHaveLength(1024);
  });
});

describe('CachingEmbedder', () => {
  const titanRequests = () => requestsTo(TITAN_EMBED_TEXT_V2);

  it('embeds only the misses, once each, in one batch', async () => {
    const inner = new BedrockTitanEmbedder({ client, dimensions: 512 });
    const calls: number[] = [];
    const counting: Embedder = {
      model: inner.model,
      embedDocuments: (texts) => {
        calls.push(texts.length);
        return inner.embedDocuments(texts);
      },
      embedQuery: (text) => inner.embedQuery(text),
    };
    const cached = new CachingEmbedder({ inner: counting });
    expect(cached.model).toEqual(inner.model);

    let before = titanRequests();
    const first = await cached.embedDocuments(['alpha fact', 'beta fact', 'alpha fact']);
    expect(titanRequests() - before).toBe(2);
    expect(Array.from(first[2]!)).toEqual(Array.from(first[0]!));

    before = titanRequests();
    const second = await cached.embedDocuments(['beta fact', 'gamma fact', 'alpha fact']);
    expect(titanRequests() - before).toBe(1);
    expect(calls).toEqual([2, 1]);
    expect(Array.from(second[2]!)).toEqual(Array.from(first[0]!));

    // Queries are cached apart from documents.
    before = titanRequests();
    await cached.embedQuery('alpha fact');
    await cached.embedQuery('alpha fact');
    expect(titanRequests() - before).toBe(1);
    // A repeat within one call is neither a hit nor a second miss.
    expect(cached.stats).toEqual({ memoryHits: 3, storeHits: 0, misses: 4 });
  });

  // Security review 2026-12, finding 10: a shared cache lets one store time another's embeddings.
  it('keeps the cached vectors of each store apart', async () => {
    // Prepare
    const inner = new BedrockTitanEmbedder({ client, dimensions: 512 });
    const embedded: string[] = [];
    const counting: Embedder = {
      model: inner.model,
      embedDocuments: (texts) => {
        embedded.push(...texts);
        return inner.embedDocuments(texts);
      },
      embedQuery: (text) => {
        embedded.push(text);
        return inner.embedQuery(text);
      },
    };
    const cached = new CachingEmbedder({ inner: counting });
    const storeA = cached.forScope('store-a');
    const storeB = cached.forScope('store-b');

    // Act
    const fromA = await storeA.embedDocuments(['a private fact']);
    await storeA.embedQuery('a private question');
    const fromB = await storeB.embedDocuments(['a private fact']);
    await storeB.embedQuery('a private question');
    await storeB.embedDocuments(['a private fact']);
    await storeB.embedQuery('a private question');

    // Assess: B's first embedding of each text reached the model, its repeats did not.
    expect(embedded).toEqual([
      'a private fact',
      'a private question',
      'a private fact',
      'a private question',
    ]);
    expect(cached.stats).toEqual({ memoryHits: 2, storeHits: 0, misses: 4 });
    expect(Array.from(fromB[0]!)).toEqual(Array.from(fromA[0]!));
  });

  it('returns copies and evicts the least recently used entry', async () => {
    const cached = new CachingEmbedder({ inner: use, maxEntries: 2 });
    const [a] = await cached.embedDocuments(['one']);
    a!.fill(0);
    const [again] = await cached.embedDocuments(['one']);
    expect(norm(again!)).toBeCloseTo(1, 5);
    await cached.embedDocuments(['two']);
    await cached.embedDocuments(['one']); // now "two" is the oldest
    await cached.embedDocuments(['three']);
    const misses = cached.stats.misses;
    await cached.embedDocuments(['one', 'three']);
    expect(cached.stats.misses).toBe(misses);
    await cached.embedDocuments(['two']);
    expect(cached.stats.misses).toBe(misses + 1);
  });

  it('keeps vectors in a file that a new instance reads back', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'embedding-cache-'));
    try {
      const inner = new BedrockTitanEmbedder({ client, dimensions: 256 });
      const texts = ['the user likes jazz', 'the user dislikes olives', 'the user has two cats'];
      const first = new CachingEmbedder({
        inner,
        store: new FileEmbeddingCache({ directory, model: inner.model }),
      });
      let before = titanRequests();
      const vectors = await first.embedDocuments(texts);
      expect(titanRequests() - before).toBe(3);

      const file = new FileEmbeddingCache({ directory, model: inner.model });
      expect((await stat(file.path)).size).toBe(20 + 3 * (32 + 256 * 4));
      // A torn append from an interrupted run is cut off, and later appends stay aligned.
      await appendFile(file.path, Buffer.alloc(100, 7));
      const second = new CachingEmbedder({ inner, store: file });
      before = titanRequests();
      const reread = await second.embedDocuments([...texts, 'the user plays chess']);
      expect(titanRequests() - before).toBe(1);
      expect(second.stats).toEqual({ memoryHits: 0, storeHits: 3, misses: 1 });
      reread.slice(0, 3).forEach((vector, i) => {
        expect(Array.from(vector)).toEqual(Array.from(vectors[i]!));
      });

      const third = new CachingEmbedder({
        inner,
        store: new FileEmbeddingCache({ directory, model: inner.model }),
      });
      before = titanRequests();
      await third.embedDocuments(['the user plays chess', ...texts]);
      expect(titanRequests() - before).toBe(0);
      expect(third.stats.storeHits).toBe(4);

      // Another model's vectors live in another file.
      const other = new FileEmbeddingCache({ directory, model: { id: 'use-lite-512', dimensions: 512 } });
      expect(other.path).not.toBe(file.path);
      expect(await other.getMany(['anything'])).toEqual([undefined]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
