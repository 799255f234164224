import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BedrockFake, startBedrockFake } from '../../dev/local-stack/bedrock/server.js';
import type { Embedder } from '../../lib/ports/embedder.js';

/*
 * The fake's answers against Bedrock Runtime answers in their real wire shape (fixtures/bedrock, see
 * its README for where each shape comes from): the same members, nested the same way, with values of
 * the same JSON types. Values are not compared: the fake's models are stand-ins.
 */

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/bedrock/${name}`, import.meta.url), 'utf8'));

type Shape = string | Shape[] | { [key: string]: Shape };

/** The JSON type of every member, recursively; an array by its first element. */
function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (value === null) return 'null';
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, member]) => [key, shapeOf(member)]),
    );
  }
  return typeof value;
}

/** Usage members of prompt caching and server-side tools, which the fake does not report (server.ts). */
const NOT_REPRODUCED = [
  'cacheReadInputTokenCount',
  'cacheReadInputTokens',
  'cacheWriteInputTokenCount',
  'cacheWriteInputTokens',
  'serverToolUsage',
];

function withoutUnreproduced(shape: Shape): Shape {
  if (typeof shape !== 'object' || Array.isArray(shape) || !('usage' in shape)) return shape;
  const usage = shape.usage as Record<string, Shape>;
  return {
    ...shape,
    usage: Object.fromEntries(Object.entries(usage).filter(([key]) => !NOT_REPRODUCED.includes(key))),
  };
}

// The fake's embedding models project a 512-d base vector; a fixed one keeps this test fast.
const stubBase: Embedder = {
  model: { id: 'stub', dimensions: 512 },
  embedDocuments: async (texts) => texts.map(() => Float32Array.from({ length: 512 }, (_, i) => i + 1)),
  embedQuery: async () => Float32Array.from({ length: 512 }, (_, i) => i + 1),
};

let fake: BedrockFake;
beforeAll(async () => {
  fake = await startBedrockFake({ baseEmbedder: stubBase });
});
afterAll(() => fake?.stop());

async function post(
  path: string,
  body: unknown,
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer fixture-test', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const converse = (body: Record<string, unknown>) =>
  post(`/model/${encodeURIComponent('us.anthropic.claude-3-5-haiku-20241022-v1:0')}/converse`, {
    messages: [{ role: 'user', content: [{ text: 'I am a vegetarian.' }] }],
    ...body,
  });

const RECORD_MEMORIES = {
  toolSpec: {
    name: 'record_memories',
    description: 'Records memories.',
    inputSchema: { json: { type: 'object', properties: { memories: { type: 'array' } } } },
  },
};

describe('the Bedrock fake answers in the real wire shape', () => {
  it('Converse, a text reply', async () => {
    const real = fixture('converse-text.json');
    fake.scriptConverse('The user is a vegetarian.');
    const answer = await converse({});
    expect(answer.status).toBe(200);
    expect(shapeOf(answer.body)).toEqual(withoutUnreproduced(shapeOf(real)));
  });

  it('Converse, a forced tool call', async () => {
    const real = fixture('converse-tool-use.json') as {
      output: { message: { content: [{ toolUse: { toolUseId: string; input: unknown } }] } };
    };
    const { toolUse } = real.output.message.content[0];
    fake.scriptConverse({ toolInput: toolUse.input });
    const answer = await converse({
      toolConfig: { tools: [RECORD_MEMORIES], toolChoice: { tool: { name: 'record_memories' } } },
    });
    expect(answer.status).toBe(200);
    expect(shapeOf(answer.body)).toEqual(shapeOf(real));
    const id = (answer.body as typeof real).output.message.content[0].toolUse.toolUseId;
    // Bedrock's ids: `tooluse_` and 22 URL-safe characters.
    expect(id).toMatch(/^tooluse_[\w-]{22}$/);
    expect(toolUse.toolUseId).toMatch(/^tooluse_[\w-]{22}$/);
  });

  it('Converse, a reply cut at maxTokens', async () => {
    const real = fixture('converse-max-tokens.json') as { stopReason: string };
    fake.scriptConverse('The user is planning a trip to Japan and wants vegetarian restaurants.');
    const answer = await converse({ inferenceConfig: { maxTokens: 5 } });
    expect(shapeOf(answer.body)).toEqual(shapeOf(real));
    expect((answer.body as typeof real).stopReason).toBe(real.stopReason);
  });

  it('InvokeModel, Titan Text Embeddings v2, with and without embeddingTypes', async () => {
    const real = fixture('titan-embed-text-v2.json');
    const path = `/model/${encodeURIComponent('amazon.titan-embed-text-v2:0')}/invoke`;
    for (const body of [
      { inputText: 'hello', dimensions: 256 },
      { inputText: 'hello', embeddingTypes: ['float'] },
    ]) {
      const answer = await post(path, body);
      expect(answer.status).toBe(200);
      expect(shapeOf(answer.body)).toEqual(shapeOf(real));
    }
  });

  it('InvokeModel, Cohere Embed v3, floats and by type', async () => {
    const path = `/model/${encodeURIComponent('cohere.embed-english-v3')}/invoke`;
    const texts = ['hello', 'world'];
    const floats = await post(path, { texts, input_type: 'search_document' });
    expect(shapeOf(floats.body)).toEqual(shapeOf(fixture('cohere-embed-v3-floats.json')));
    const byType = await post(path, { texts, input_type: 'search_query', embedding_types: ['float'] });
    expect(shapeOf(byType.body)).toEqual(shapeOf(fixture('cohere-embed-v3-by-type.json')));
  });

  it('a ValidationException: the body, the wording and the error-type header', async () => {
    const real = fixture('validation-error.json') as { message: string };
    const answer = await converse({
      toolConfig: { tools: [{ toolSpec: { ...RECORD_MEMORIES.toolSpec, name: 'record memories' } }] },
    });
    expect(answer.status).toBe(400);
    expect(shapeOf(answer.body)).toEqual(shapeOf(real));
    const wording =
      /^1 validation error detected: Value at '[\w.]+' failed to satisfy constraint: Member must satisfy regular expression pattern: \[a-zA-Z0-9_-\]\+$/;
    expect(real.message).toMatch(wording);
    expect((answer.body as typeof real).message).toMatch(wording);
    expect(answer.headers.get('x-amzn-errortype')).toMatch(/^ValidationException:/);
  });
});
