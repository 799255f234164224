import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type HttpRouteDefinition, httpRoutes } from '../../functions/catalog.js';
import { operationContractOf } from '../../lib/contracts/operations.js';
import { LIMITS } from '../../lib/domain/limits.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

/**
 * Hostile input through the real handlers (issue 7, "Hostile input"): every route of the data API
 * gets arbitrary JSON, wrong types for each known field, raw text and bytes under every content
 * type, and bodies that are empty, huge, deeply nested or oversized. Whatever arrives, the answer is
 * a 2xx with the route's contract shape or a 4xx with a problem body; never a 5xx, never a crash.
 *
 * Reproduce a failure with FUZZ_SEED=<seed> (printed at the start); FUZZ_RUNS scales every property.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_124);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
/**
 * Runs per property on a November alias (functions/catalog.ts `irisAliasOf`): the same function and
 * operation as its v1 route, which gets RUNS. The alias runs check that the other path family
 * reaches the same parsing and answers; a fifth of the runs does that without doubling the suite.
 * The November family's own routes (append to a path session, start a session) get RUNS.
 */
const ALIAS_RUNS = Number(process.env.FUZZ_ALIAS_RUNS ?? Math.max(10, Math.round(RUNS / 5)));
const FUZZ_TIMEOUT_MS = 60_000;
/** https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (synchronous invocation). */
const LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024;

const stack = useLocalStack();

const CUSTOM_TYPE = {
  name: 'fuzz_type',
  description: 'Every custom field type, so attribute checks run on fuzzed values',
  fields: [
    { name: 'label', description: 'A label', type: 'str' },
    { name: 'count', description: 'A count', type: 'int' },
    { name: 'ratio', description: 'A ratio', type: 'float' },
    { name: 'flag', description: 'A flag', type: 'bool' },
    { name: 'tags', description: 'Tags', type: 'list[str]' },
    { name: 'scores', description: 'Scores', type: 'list[float]' },
    { name: 'extra', description: 'Anything', type: 'object' },
  ],
} as const;

let storeId = '';
let apiKey = '';
let eventId = '';
let viewId = '';
let namespaceId = '';

const SESSION_ID = 'fuzz-session';
const MEMORY_ID = 'fuzz-memory';
/** Ids the destructive routes use, so fuzzing them never removes the seeded data. */
const SCRATCH_ID = 'fuzz-scratch';

beforeAll(async () => {
  console.info(`fuzz: seed ${SEED}, ${RUNS} runs per property (set FUZZ_SEED / FUZZ_RUNS to change)`);
  storeId = uniqueStoreId('fuzz');
  await stack().createStore(storeId, { customMemoryTypes: [CUSTOM_TYPE as never] });
  apiKey = await stack().mintApiKey({ [storeId]: ['read', 'write'] });
  const api = apiClient(stack().apiUrl, apiKey);
  const appended = await api.post(
    `/v1/stores/${storeId}/session-memory/events`,
    validBodies['add-session-event'],
  );
  expect(appended.status).toBe(201);
  eventId = appended.body.event.eventId;
  const created = await api.post(`/v1/stores/${storeId}/long-term-memory`, {
    memories: [{ ...validMemory, id: MEMORY_ID }],
  });
  expect(created.body).toEqual({ created: [MEMORY_ID], errors: [] });
  const view = await api.post(`/v1/stores/${storeId}/summary-views`, validBodies['create-summary-view']);
  expect(view.status).toBe(201);
  viewId = view.body.id;
  const namespace = await api.post(`/v1/stores/${storeId}/namespaces`, { name: 'fuzz', scope: 'SHARED' });
  expect(namespace.status).toBe(201);
  namespaceId = namespace.body.namespace.namespaceId;
});

// ---- what a valid request of each route looks like, and which fields it has ----

const validMemory = {
  id: 'fuzz-new',
  text: 'The user prefers window seats on long flights.',
  memoryType: 'fuzz_type',
  sessionId: SESSION_ID,
  ownerId: 'alice',
  namespace: 'travel',
  topics: ['travel'],
  attributes: {
    label: 'seat',
    count: 2,
    ratio: 0.5,
    flag: true,
    tags: ['a'],
    scores: [1.5],
    extra: { k: 1 },
  },
  sourceRefs: ['session:1'],
  occurredAt: '2026-06-25T18:00:00Z',
  entities: ['window seat'],
};

const validEvent = {
  actorId: 'alice',
  namespace: 'travel',
  role: 'USER',
  content: [{ text: 'I prefer window seats.' }],
  createdAt: '2026-06-25T18:00:00Z',
  metadata: { client: 'fuzz', nested: { list: [1, 'two', null] } },
};

/** A valid body of each operation (functions/catalog.ts: a route and its alias share one). */
const validBodies: Record<string, Record<string, unknown>> = {
  'add-session-event': { sessionId: SESSION_ID, ...validEvent },
  // The path names SESSION_ID too; fuzzing the body's sessionId tries the mismatch rule.
  'append-session-event': { sessionId: SESSION_ID, ...validEvent },
  'create-session': validEvent,
  'bulk-create-memories': { memories: [validMemory] },
  'bulk-delete-memories': { memoryIds: [SCRATCH_ID] },
  'search-memories': {
    text: 'seat preference',
    similarityThreshold: 0.1,
    filter: {
      ownerId: { eq: 'alice' },
      sessionId: { ne: 'other' },
      namespace: { in: ['travel'] },
      topics: { all: ['travel'] },
      memoryType: { eq: 'fuzz_type' },
      createdAt: { gte: '2020-01-01T00:00:00Z', lt: '2100-01-01T00:00:00Z' },
      attributes: {
        label: { string: 'seat' },
        count: { number: 2 },
        flag: { boolean: true },
        tags: { list: ['a'] },
      },
    },
    filterOp: 'all',
    limit: 5,
    searchMode: 'hybrid',
    includeScores: true,
    recency: { weight: 0.2, halfLifeDays: 10, field: 'createdAt' },
  },
  'memory-prompt': {
    query: 'Which seat should I book?',
    sessionId: SESSION_ID,
    ownerId: 'alice',
    namespace: 'travel',
    tokenBudget: 2000,
    longTermLimit: 5,
    filter: {
      topics: { all: ['travel'] },
      memoryType: { eq: 'fuzz_type' },
      createdAt: { gte: '2020-01-01T00:00:00Z' },
      attributes: { label: { string: 'seat' } },
    },
    searchMode: 'hybrid',
    similarityThreshold: 0.1,
    recency: { weight: 0.2, halfLifeDays: 10, field: 'createdAt' },
  },
  'update-memory': {
    text: 'The user prefers aisle seats now.',
    memoryType: 'fuzz_type',
    topics: ['travel', 'seats'],
    namespace: 'travel',
    ownerId: 'alice',
    sessionId: SESSION_ID,
  },
  'update-memory-fields': {
    memoryType: 'fuzz_type',
    namespace: 'travel',
    text: 'The user prefers aisle seats.',
    attributes: { label: 'aisle', count: 3 },
  },
  'move-memories': { memoryIds: [SCRATCH_ID], namespaceRef: { namespaceId: 'fuzz-namespace' } },
  'create-namespace': { path: 'fuzz/made', scope: 'PERSONAL', ownerId: 'alice' },
  'update-namespace': { name: 'fuzz-renamed', state: 'ACTIVE' },
  'delete-namespace': {},
  'delete-session-memory': {},
  'delete-session-event': {},
  'delete-document': {},
  // A well-formed extractor id the store does not have: the body is parsed in full, nothing is queued.
  'submit-document': {
    ownerId: 'alice',
    namespace: 'handbook',
    extractorId: `e${'0'.repeat(31)}`,
    title: 'Fuzz',
    format: 'markdown',
    text: '# Fuzz\n\nA rule of the fuzz handbook.\n',
    metadata: { version: 1, nested: { list: [1, 'two', null] } },
  },
  'promote-session-now': {},
  'erase-owner': {},
  'import-memories': { id: 'fuzz-imported', text: 'The user imports things.', ownerId: 'alice' },
  'retry-parked-ranges': {},
  'create-summary-view': {
    name: 'fuzz view',
    groupBy: ['ownerId', 'namespace'],
    filters: { namespace: 'travel', topics: ['travel'], memoryType: 'fuzz_type', timeWindowSeconds: 86_400 },
    output: {
      format: 'structured',
      schema: { fields: [{ name: 'seats', description: 'Seat preferences', type: 'list[str]' }] },
    },
    instructions: 'Say which seats the user likes.',
    refresh: { mode: 'continuous', debounceSeconds: 30, reconcileIntervalSeconds: 3600 },
    maxPartitions: 10,
    visibility: 'shared',
  },
  'update-summary-view': {
    name: 'fuzz view renamed',
    filters: { namespace: 'travel' },
    output: { format: 'text' },
    instructions: null,
    refresh: { mode: 'manual' },
    maxPartitions: 20,
    visibility: 'private',
  },
  'delete-summary-view': {},
  'refresh-summary-view': { group: { ownerId: 'alice', namespace: 'travel' } },
  mcp: {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'search_long_term_memory', arguments: { text: 'seat preference', limit: 5 } },
  },
};

/** Every leaf and branch of a value, as dotted paths (array indices included). */
function fieldPaths(value: unknown, prefix: readonly (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...fieldPaths(child, [...prefix, key])]);
}

/** A copy of `body` with the value at `path` replaced (or removed when `value` is `REMOVE`). */
const REMOVE = Symbol('remove');
function withField(body: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === REMOVE) delete parent[last];
  else parent[last] = value;
  return copy;
}

// ---- requests ----

// The erase route erases an owner that holds nothing here (the other routes' data stays); GetErasure
// asks for a job id no store has (a 404, as any unknown id).
/** A well-formed document id no document has (fuzzing must not queue real ingestion work). */
const NO_DOCUMENT = `d${'0'.repeat(31)}`;
const STORE_PARAMS = () => ({
  storeId,
  sessionId: SESSION_ID,
  eventId,
  memoryId: MEMORY_ID,
  viewId,
  namespaceId,
  ownerId: 'fuzz-erased-owner',
  jobId: 'f'.repeat(32),
  documentId: NO_DOCUMENT,
});
const SCRATCH_PARAMS = () => ({
  storeId,
  viewId: SCRATCH_ID,
  sessionId: SCRATCH_ID,
  eventId: 'a'.repeat(32),
  memoryId: SCRATCH_ID,
  namespaceId: SCRATCH_ID,
  documentId: NO_DOCUMENT,
});

function pathOf(route: HttpRouteDefinition): string {
  const params: Record<string, string> = route.method === 'DELETE' ? SCRATCH_PARAMS() : STORE_PARAMS();
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no fuzz value for path parameter ${name} of ${route.name}`);
    return encodeURIComponent(value);
  });
}

interface RawRequest {
  readonly body?: Uint8Array | undefined;
  /** `undefined`: no content-type header at all (fetch adds none for byte bodies). */
  readonly contentType?: string | undefined;
  /** Raw query string, without `?`. */
  readonly query?: string | undefined;
}

interface RawResponse {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

async function send(route: HttpRouteDefinition, request: RawRequest): Promise<RawResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
  // An MCP client accepts both answers of Streamable HTTP; without them every request is a 406.
  if (route.operation === 'mcp') headers.accept = 'application/json, text/event-stream';
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  const query = request.query ? `?${request.query}` : '';
  const response = await fetch(`${stack().apiUrl}${pathOf(route)}${query}`, {
    method: route.method,
    headers,
    body: request.body,
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: await response.text(),
  };
}

/** A value nested `depth` levels deep, spliced into the JSON text (JSON.stringify would overflow on it). */
class Deep {
  constructor(
    readonly depth: number,
    readonly kind: 'array' | 'object',
  ) {}
}

function json(value: unknown): Uint8Array {
  const deep: Deep[] = [];
  const text =
    JSON.stringify(value, (_, v: unknown) => (v instanceof Deep ? `@@deep${deep.push(v) - 1}@@` : v)) ??
    'null';
  return Buffer.from(
    text.replace(/"@@deep(\d+)@@"/g, (_, i: string) => nested(deep[Number(i)]!.depth, deep[Number(i)]!.kind)),
    'utf8',
  );
}

// ---- what every answer must look like ----

const problemSchema = z
  .object({
    type: z.string().regex(/^\/errors\/[a-z-]+$/),
    title: z.string().min(1),
    status: z.number().int().min(400).max(499),
    detail: z.string(),
    instance: z.string().optional(),
    fields: z
      .array(z.object({ field: z.string(), rule: z.string(), message: z.string() }).strict())
      .optional(),
  })
  .strict();

/**
 * The 2xx body of each route: its contract in lib/contracts/operations.ts (absent: no body, 204),
 * the one the OpenAPI document is generated from.
 */
const successSchemaOf = (route: HttpRouteDefinition) =>
  operationContractOf(route.operation)?.response ?? null;

/** The MCP transport answers malformed JSON-RPC with a JSON-RPC error (no id) rather than a problem. */
const jsonRpcErrorSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.null(),
  error: z.object({ code: z.number().int(), message: z.string() }).passthrough(),
});

/** Counts answers by status class, for the figures in the report. */
const tally = new Map<string, number>();

function expectContract(route: HttpRouteDefinition, response: RawResponse, what: string): void {
  const label = `${route.method} ${route.path} (${what}) -> ${response.status} ${response.text.slice(0, 300)}`;
  tally.set(
    `${Math.floor(response.status / 100)}xx`,
    (tally.get(`${Math.floor(response.status / 100)}xx`) ?? 0) + 1,
  );
  expect(response.status, label).toBeGreaterThanOrEqual(200);
  expect(response.status, label).toBeLessThan(500);
  expect(response.status >= 300 && response.status < 400, label).toBe(false);
  // On AWS a function answer past Lambda's 6 MB payload limit becomes a 502 (the local gateway
  // does not enforce it, so the suite does).
  expect(Buffer.byteLength(response.text), label.slice(0, 200)).toBeLessThan(LAMBDA_RESPONSE_BYTES);
  const schema = successSchemaOf(route);
  if (route.operation === 'mcp' && response.status === 202) {
    // A JSON-RPC notification or response (no id to answer): accepted, no body.
    expect(response.text, label).toBe('');
    return;
  }
  if (response.status === 204 || (response.status < 300 && schema === null)) {
    expect(response.status, label).toBe(204);
    expect(response.text, label).toBe('');
    return;
  }
  if (response.status < 300 && operationContractOf(route.operation)?.mediaType === 'application/x-ndjson') {
    // NDJSON (export): every line is one record of the contract's line schema.
    expect(response.contentType ?? '', label).toMatch(/^application\/x-ndjson/);
    for (const line of response.text.split('\n').filter((l) => l !== '')) {
      const parsed = schema?.safeParse(JSON.parse(line));
      expect(parsed?.success, `${label}\n${parsed?.error?.message ?? ''}`).toBe(true);
    }
    return;
  }
  expect(response.contentType ?? '', label).toMatch(/^application\/json/);
  let body: unknown;
  expect(() => {
    body = JSON.parse(response.text);
  }, label).not.toThrow();
  if (response.status >= 400 && route.operation === 'mcp' && (body as { jsonrpc?: unknown })?.jsonrpc) {
    const rpcError = jsonRpcErrorSchema.safeParse(body);
    expect(rpcError.success, `${label}\n${rpcError.error?.message ?? ''}`).toBe(true);
    return;
  }
  if (response.status >= 400) {
    const problem = problemSchema.safeParse(body);
    expect(problem.success, `${label}\n${problem.error?.message ?? ''}`).toBe(true);
    expect(problem.data?.status, label).toBe(response.status);
    return;
  }
  const success = schema?.safeParse(body);
  expect(success?.success, `${label}\n${success?.error?.message ?? ''}`).toBe(true);
}

// ---- arbitraries ----

/** One validation issue per entry, wherever a record or array is expected: the answer must stay small. */
const manyBadEntries = Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`k${i}`, 0]));

const nested = (depth: number, kind: 'array' | 'object'): string =>
  kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Values of every JSON type, including the awkward ones: huge, deep, unicode, lone surrogates. */
const anyJsonValue = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(), // NaN and ±Infinity serialize as null
  fc.constantFrom(0, -1, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, 0.5),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff',
    'a\ud83d',
    '../..',
    '%2F',
    '{}',
    '*',
    '2026-13-45T99:99:99Z',
  ),
  fc.constant('x'.repeat(70_000)),
  fc.constant('🙂'.repeat(30_000)),
  fc.constant(Array.from({ length: 20_000 }, (_, i) => i)),
  fc.constant(Array.from({ length: 5_000 }, () => 'topic')),
  fc.array(anyJsonValue, { maxLength: 5 }),
  fc.dictionary(fc.string({ unit: 'binary', maxLength: 10 }), anyJsonValue, { maxKeys: 5 }),
  fc.constant(JSON.parse(nested(60, 'object'))),
  fc
    .tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('array' as const, 'object' as const))
    .map(([depth, kind]) => new Deep(depth, kind)),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}}')),
  fc.constant(REMOVE),
);

/** Content types a client might send; only JSON ones (and none at all) may reach the parser. */
const contentType = fc.oneof(
  fc.constantFrom(
    undefined,
    '',
    'application/json',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-16',
    'application/json; charset=latin1',
    'APPLICATION/JSON',
    'application/problem+json',
    'application/vnd.api+json',
    'application/json-patch+json',
    'application/jsonp',
    'text/json',
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=----fuzz',
    'application/octet-stream',
    'application/x-ndjson',
    '*/*',
  ),
  fc.stringMatching(/^[!#-~]{1,40}$/),
);

/** Raw body text or bytes, most of it not valid JSON, some of it almost. */
function rawBody(valid: Record<string, unknown>): fc.Arbitrary<Uint8Array> {
  const validText = JSON.stringify(valid);
  const keys = Object.keys(valid);
  return fc.oneof(
    // arbitrary text, lone surrogates included (encoded as U+FFFD on the wire)
    fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s, 'utf8')),
    // arbitrary bytes: invalid UTF-8
    fc.uint8Array({ maxLength: 300 }),
    // valid JSON with invalid UTF-8 bytes inside a string
    fc
      .tuple(
        fc.constantFrom(...(keys.length > 0 ? keys : ['x'])),
        fc.uint8Array({ minLength: 1, maxLength: 20 }),
      )
      .map(([key, bytes]) =>
        Buffer.concat([
          Buffer.from(`{"${key}":"`),
          Buffer.from(bytes),
          Buffer.from(`",${validText.slice(1)}`),
        ]),
      ),
    // lone surrogates as JSON escapes: they survive JSON.parse as unpaired UTF-16
    fc
      .tuple(
        fc.constantFrom(...(keys.length > 0 ? keys : ['x'])),
        fc.constantFrom('\\ud800', '\\udfff', 'a\\ud83d', '\\u0000'),
      )
      .map(([key, sequence]) =>
        Buffer.from(JSON.stringify({ ...valid, [key]: 'x' }).replace('"x"', `"${sequence}"`)),
      ),
    // duplicate keys: the same field twice, the second with another type
    fc
      .tuple(fc.constantFrom(...(keys.length > 0 ? keys : ['x'])), anyJsonValue)
      .map(([key, value]) =>
        Buffer.from(
          `${validText.slice(0, -1)}${keys.length > 0 ? ',' : ''}"${key}":${JSON.stringify(value)}}`,
        ),
      ),
    fc
      .constantFrom('__proto__', 'constructor', 'prototype')
      .map((key) => Buffer.from(`{"${key}":{"polluted":true},${validText.slice(1)}`)),
    // truncated JSON
    fc.nat({ max: validText.length }).map((n) => Buffer.from(validText.slice(0, n))),
    // form and multipart payloads
    fc.constant(Buffer.from('actorId=alice&role=USER&content=hi')),
    fc.constant(
      Buffer.from(
        '------fuzz\r\nContent-Disposition: form-data; name="body"\r\n\r\n' +
          `${validText}\r\n------fuzz--\r\n`,
      ),
    ),
    // nesting from shallow to far past what a recursive serializer survives
    fc
      .tuple(
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom('array' as const, 'object' as const),
        fc.boolean(),
      )
      .map(([depth, kind, inField]) =>
        Buffer.from(inField ? `{"${keys[0] ?? 'x'}":${nested(depth, kind)}}` : nested(depth, kind)),
      ),
    fc
      .constantFrom('', ' ', '\n', 'null', 'true', '0', '""', '[]', '{}', '\ufeff{}', '{}{}', '{} x')
      .map((s) => Buffer.from(s)),
  );
}

/** Query strings: known names with wrong values, unknown names, repeats, broken escapes. */
const queryName = fc.constantFrom(
  'limit',
  'pageToken',
  'filterOwnerId',
  'includeAll',
  'sortBy',
  'sortOrder',
  'includeSummarisedEvents',
  'scope',
  'ownerId',
  'parentId',
  'namespaceRef',
  'x',
  '__proto__',
  'constructor',
  'hasOwnProperty',
);
const queryValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom(
    'true',
    'false',
    '',
    '0',
    '-1',
    '1',
    '1000',
    '1001',
    '1e3',
    '0x10',
    'Infinity',
    'NaN',
    ' 5',
    'asc',
  ),
  fc.constantFrom('updatedAt', 'createdAt', 'sessionId', 'desc', 'alice', '../x', 'a'.repeat(65)),
  fc.constantFrom('PERSONAL', 'SHARED', 'personal'),
  fc.constant('p'.repeat(LIMITS.pageTokenChars + 1)),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s).toString('base64url')),
);
const structuredQuery = fc
  .array(fc.tuple(queryName, queryValue), { maxLength: 6 })
  .map((pairs) => new URLSearchParams(pairs).toString());
const brokenQuery = fc
  .array(
    fc.constantFrom(
      '%',
      '%FF',
      '%zz',
      '%00',
      '%E0%A4',
      '%ED%A0%80',
      '&',
      '=',
      '+',
      'limit',
      'includeAll',
      'true',
      'a',
    ),
    {
      maxLength: 12,
    },
  )
  .map((parts) => parts.join(''));
const anyQuery = fc.oneof(structuredQuery, brokenQuery);

// ---- the properties ----

const bodyRoutes = httpRoutes.filter((route) => route.method !== 'GET');
const queryRoutes = httpRoutes.filter((route) => route.method === 'GET');
const runProperty = <T>(
  route: HttpRouteDefinition,
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => Promise<void>,
) =>
  fc.assert(fc.asyncProperty(arbitrary, check), {
    seed: SEED,
    numRuns: route.aliasOf === undefined ? RUNS : ALIAS_RUNS,
  });
const labelOf = (route: HttpRouteDefinition) => `${route.method} ${route.path}`;

describe('fuzzing the data API through the real handlers', () => {
  it('knows the contract of every route, in both path families', () => {
    expect(httpRoutes.some((route) => route.family === 'iris')).toBe(true);
    for (const route of httpRoutes) {
      expect(operationContractOf(route.operation), route.operation).toBeDefined();
      if (route.method !== 'GET') expect(validBodies, route.operation).toHaveProperty(route.operation);
    }
  });

  describe.each(bodyRoutes.map((route) => [labelOf(route), route] as const))('%s', (_, route) => {
    const valid = () => validBodies[route.operation]!;

    it(
      'answers arbitrary JSON with 2xx or a 4xx problem',
      async () => {
        await runProperty(route, fc.oneof(anyJsonValue, fc.jsonValue()), async (value) => {
          expectContract(
            route,
            await send(route, { body: json(value), contentType: 'application/json' }),
            'json',
          );
        });
      },
      FUZZ_TIMEOUT_MS,
    );

    it(
      'answers a wrong type in any known field with 2xx or a 4xx problem',
      async () => {
        const paths = fieldPaths(valid());
        if (paths.length === 0) return;
        await runProperty(route, fc.tuple(fc.constantFrom(...paths), wrongValue), async ([path, value]) => {
          const body = json(withField(valid(), path, value));
          expectContract(route, await send(route, { body, contentType: 'application/json' }), path.join('.'));
        });
      },
      FUZZ_TIMEOUT_MS,
    );

    it(
      'answers raw text and bytes under any content type with 2xx or a 4xx problem',
      async () => {
        await runProperty(route, fc.tuple(rawBody(valid()), contentType), async ([body, type]) => {
          expectContract(route, await send(route, { body, contentType: type }), `raw as ${type}`);
        });
      },
      FUZZ_TIMEOUT_MS,
    );

    it('answers empty, huge, deep and oversized bodies with 2xx or a 4xx problem', async () => {
      const field = Object.keys(valid())[0] ?? 'x';
      const cases: Array<[string, Uint8Array | undefined, string | undefined]> = [
        ['no body', undefined, undefined],
        ['no body, JSON type', undefined, 'application/json'],
        ['empty body', Buffer.alloc(0), 'application/json'],
        ['whitespace', Buffer.from('   \n'), 'application/json'],
        ['10k-deep arrays', Buffer.from(nested(10_000, 'array')), 'application/json'],
        [
          '10k-deep objects in a field',
          Buffer.from(`{"${field}":${nested(10_000, 'object')}}`),
          'application/json',
        ],
        ['500k-deep arrays', Buffer.from(nested(500_000, 'array')), 'application/json'],
        ['huge string field', json({ ...valid(), [field]: 'x'.repeat(900_000) }), 'application/json'],
        [
          'huge array field',
          json({ ...valid(), [field]: Array.from({ length: 200_000 }, () => 0) }),
          'application/json',
        ],
        [
          'many keys',
          json(Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]))),
          'application/json',
        ],
        ['1 MiB + 1', Buffer.alloc(LIMITS.requestBodyBytes + 1, 0x20), 'application/json'],
        [
          'JSON just over 1 MiB',
          json({ ...valid(), pad: 'p'.repeat(LIMITS.requestBodyBytes) }),
          'application/json',
        ],
        [
          'multi-byte text just over 1 MiB',
          json({ [field]: 'é'.repeat(LIMITS.requestBodyBytes / 2) }),
          'application/json',
        ],
      ];
      // Per-field cases on the v1 route; its alias reaches the same parsing (ALIAS_RUNS says why).
      for (const path of route.aliasOf === undefined ? fieldPaths(valid()) : []) {
        const at = path.join('.');
        const deep = json(withField(valid(), path, new Deep(10_000, 'object')));
        cases.push([`10k-deep ${at}`, deep, 'application/json']);
        cases.push([
          `80k bad entries in ${at}`,
          json(withField(valid(), path, manyBadEntries)),
          'application/json',
        ]);
      }
      for (const [what, body, type] of cases) {
        expectContract(route, await send(route, { body, contentType: type }), what);
      }
      const tooLarge = await send(route, {
        body: json({ pad: 'p'.repeat(LIMITS.requestBodyBytes) }),
        contentType: 'application/json',
      });
      expect(tooLarge.status).toBe(413);
      expect(JSON.parse(tooLarge.text)).toMatchObject({
        type: '/errors/payload-too-large',
        fields: [{ field: 'body' }],
      });
      const deep = await send(route, {
        body: Buffer.from(nested(10_000, 'array')),
        contentType: 'application/json',
      });
      expect(deep.status).toBe(400);
    });

    it("answers a body over API Gateway's 10 MB with 413", async () => {
      // API Gateway itself answers (REQUEST_TOO_LARGE): no function runs.
      const response = await send(route, {
        body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
        contentType: 'application/json',
      });
      expectContract(route, response, 'over 10 MB');
      expect(response.status).toBe(413);
    });
  });

  describe.each(queryRoutes.map((route) => [labelOf(route), route] as const))('%s', (_, route) => {
    it(
      'answers any query string with 2xx or a 4xx problem',
      async () => {
        await runProperty(route, anyQuery, async (query) => {
          expectContract(route, await send(route, { query }), `?${query}`);
        });
      },
      FUZZ_TIMEOUT_MS,
    );
  });

  it('is still serving after all of it', async () => {
    const health = await apiClient(stack().apiUrl).get('/health');
    expect(health.status).toBe(200);
    const session = await apiClient(stack().apiUrl, apiKey).get(
      `/v1/stores/${storeId}/session-memory/${SESSION_ID}`,
    );
    expect(session.status).toBe(200);
    console.info(`fuzz: answers by class ${JSON.stringify(Object.fromEntries(tally))}`);
  });
});
