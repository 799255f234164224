import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpRouteDefinition, httpRoutes, routeKey } from '../../functions/catalog.js';
import { type ApiResponse, apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

/**
 * Adversarial isolation (issue 7): a key for store A, through every route of the catalog, with ids,
 * page tokens and filter values taken from store B or crafted to escape whatever evaluates them
 * (path matching, key names, Lua arguments, filter expressions, keyword terms). Every answer must be
 * a 2xx about store A or a 4xx problem body; never a 5xx, never a byte of store B.
 */

const stack = useLocalStack();

/** In every text of store B and never sent by a request: it must never come back. */
const MARKER = `zqxB${randomUUID().replace(/-/g, '')}`;
const uniq = randomUUID().slice(0, 8);

const TRIP_TYPE = {
  name: 'trip_preference',
  description: 'Travel preferences',
  fields: [
    { name: 'destinations', description: 'Places', type: 'list[str]' },
    { name: 'travel_period', description: 'When', type: 'str' },
    { name: 'budget', description: 'Budget in USD', type: 'float' },
  ],
} as const;

/** Ids both stores use (a collision must resolve to the caller's store) and ids only B has. */
const SHARED = {
  owner: 'shared-owner',
  namespace: 'shared-ns',
  session: 'shared-session',
  memory: 'shared-mem',
};
const B_ONLY = {
  session: `b-only-session-${uniq}`,
  memory: `b-only-mem-${uniq}`,
  owner: `b-only-owner-${uniq}`,
};

const TEN_K = 'a'.repeat(10_000);

/** Values for ids in paths, sent percent-encoded (the function receives them decoded). */
const HOSTILE_IDS = [
  '..',
  '../..',
  'a/../b',
  '/',
  'a/b',
  '%2F',
  'a%2Fb',
  '*',
  '{',
  '}',
  '{x}',
  ':',
  'a:b',
  'a b',
  '-',
  "'",
  '"',
  '\\',
  '\u0000',
  '\n',
  '\r\n',
  'a\u0007b',
  '\u001b[31m',
  '\u007f',
  'é',
  '日本語',
  '😀',
  '\u202e',
  'a'.repeat(65),
  TEN_K,
];

/** Strings meant to break out of a filter expression, a Lua argument, a key name or a keyword query. */
const INJECTIONS = [
  '" || 1 == 1 || "',
  "') || ('1'=='1",
  '.ownerId == "shared-owner"',
  ')) || ((',
  '"',
  "'",
  '\\',
  '\\"',
  '*',
  '?',
  '[a-z]*',
  '%',
  '{',
  '}',
  ':',
  '..',
  '/',
  '-- ',
  ']] redis.call("FLUSHALL") --[[',
  '\u0000',
  '\n',
  'é',
  '😀',
  '\ud800',
  '@ownerId:{shared-owner}',
  '*:*',
  'a'.repeat(100),
  TEN_K,
];

type Body = unknown;
interface Case {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly body?: Body;
  /** Statuses this case may answer; default: any 2xx, or 400/403/404/409/413 with the problem body. */
  readonly expect?: readonly number[];
  /** A further check of the answer; returns what is wrong, if anything. */
  readonly check?: (body: ApiResponse['body']) => string | undefined;
}

const PROBLEM_STATUSES = [400, 403, 404, 409, 413];

interface World {
  storeA: string;
  storeB: string;
  a: ReturnType<typeof apiClient>;
  b: ReturnType<typeof apiClient>;
  bEventIds: string[];
  aEventId: string;
  /** A's and B's summary views (B's named with the marker). */
  aViewId: string;
  bViewId: string;
  /** A namespace resource of each store (B's holds a marked memory). */
  aNamespace: string;
  bNamespace: string;
  /** Erasure jobs of an owner with nothing in the store, one per store (GetErasure's ids). */
  aJobId: string;
  bJobId: string;
  /** Document ingestion: A's extractor and document, B's document (ingested before the snapshot). */
  aExtractorId: string;
  aDocumentId: string;
  bDocumentId: string;
  bTokens: { sessions: string; summaries: string; search: string };
  aTokens: { sessions: string; summaries: string; search: string };
  /** What key B sees of store B before the probes, to compare afterwards. */
  bSnapshot: string;
}

let world: World;
/** The owner the erase route is probed with: holds nothing in either store. */
const ERASED_OWNER = 'erased-nobody';
const tally = { cases: 0, byRoute: new Map<string, number>(), byStatus: new Map<number, number>() };

const event = (sessionId: string, text: string, extra: Record<string, unknown> = {}) => ({
  sessionId,
  actorId: SHARED.owner,
  namespace: SHARED.namespace,
  role: 'USER',
  content: [{ text }],
  createdAt: '2026-01-01T00:00:00Z',
  ...extra,
});

const memory = (id: string, text: string, extra: Record<string, unknown> = {}) => ({
  id,
  text,
  ownerId: SHARED.owner,
  namespace: SHARED.namespace,
  sessionId: SHARED.session,
  ...extra,
});

const SEARCH_BODY = { text: 'secret zebracorn plan', limit: 1, searchMode: 'keyword' };
const PROMPT_BODY = { query: 'secret zebracorn plan', sessionId: SHARED.session, searchMode: 'keyword' };

/** A JSON-RPC `tools/call` of the MCP route. */
const toolCall = (name: string, args: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name, arguments: args },
});

/** MCP answers carry the tool's result in a JSON-RPC envelope: say what is wrong with it, if anything. */
const toolOutcome =
  (outcome: 'ok' | 'error' | string) =>
  (body: ApiResponse['body']): string | undefined => {
    const result = body?.result as { isError?: boolean; structuredContent?: { error?: { code?: string } } };
    if (!result) return `no JSON-RPC result: ${JSON.stringify(body).slice(0, 200)}`;
    if (outcome === 'ok')
      return result.isError ? `tool error ${JSON.stringify(result).slice(0, 200)}` : undefined;
    if (!result.isError) return 'expected a tool error';
    const code = result.structuredContent?.error?.code;
    return outcome === 'error' || code === outcome ? undefined : `expected ${outcome}, got ${code}`;
  };

/** What the MCP client sends with every request (Streamable HTTP needs both media types). */
const MCP_HEADERS = { accept: 'application/json, text/event-stream' };

async function snapshotB(
  w: Pick<World, 'b' | 'storeB' | 'bEventIds' | 'bViewId' | 'bNamespace'>,
): Promise<string> {
  const base = `/v1/stores/${w.storeB}`;
  const reads = await Promise.all([
    w.b.get(`${base}/session-memory/${SHARED.session}`),
    w.b.get(`${base}/session-memory/${B_ONLY.session}`),
    w.b.get(`${base}/session-memory?includeAll=true`),
    w.b.get(`${base}/sessions?includeAll=true&sortBy=sessionId`),
    w.b.get(`${base}/long-term-memory/${SHARED.memory}`),
    w.b.get(`${base}/long-term-memory/${B_ONLY.memory}`),
    w.b.post(`${base}/long-term-memory/search`, { limit: 100 }),
    ...w.bEventIds.map((id) => w.b.get(`${base}/session-memory/${SHARED.session}/events/${id}`)),
    w.b.get(`${base}/summary-views/${w.bViewId}`),
    w.b.get(`${base}/summary-views/${w.bViewId}/partitions`),
    w.b.get(`${base}/namespaces/${w.bNamespace}`),
    w.b.get(`${base}/namespaces?scope=SHARED`),
  ]);
  for (const read of reads) expect(read.status).toBe(200);
  // Last-access times move with reads; everything else must stay as it was.
  return JSON.stringify(
    reads.map((r) => r.body),
    (key, value) => (key === 'lastAccessedAt' ? undefined : value),
  );
}

beforeAll(async () => {
  const storeA = uniqueStoreId('iso-a');
  const storeB = uniqueStoreId('iso-b');
  // The longest extraction cadence: the promotion windows the seeding opens come due after 10 min,
  // not 5, so on a slow runner a background promotion of B (which changes its snapshot without any
  // breach) does not happen while the routes run.
  // With both path families the routes can outlast even that on a loaded runner; then B's own
  // promotion writes B's turns as conversation records (B's pipeline, not a breach, yet a change
  // to B's snapshot). Conversation memory is off in both stores so that it cannot; extraction finds
  // no first-person statement in the seeded texts, so promotion writes nothing else.
  const config = {
    customMemoryTypes: [TRIP_TYPE as never],
    extractionCadence: { activeIntervalSeconds: 600 },
    conversationMemory: { enabled: false },
  };
  await stack().createStore(storeA, config);
  await stack().createStore(storeB, config);
  const a = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeA]: ['read', 'write'] }));
  const b = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeB]: ['read', 'write'] }));

  // Store B: the marker in every event and memory, under ids A also uses and ids only B has.
  const bEventIds: string[] = [];
  for (const sessionId of [SHARED.session, B_ONLY.session]) {
    for (let i = 0; i < 2; i++) {
      const written = await b.post(
        `/v1/stores/${storeB}/session-memory/events`,
        event(sessionId, `${MARKER} the secret zebracorn plan ${i}`, { metadata: { note: MARKER } }),
      );
      expect(written.status).toBe(201);
      if (sessionId === SHARED.session) bEventIds.push(written.body.event.eventId);
    }
  }
  const bMemories = await b.post(`/v1/stores/${storeB}/long-term-memory`, {
    memories: [
      memory(SHARED.memory, `${MARKER} the secret zebracorn plan of B`, { topics: [MARKER, 'plans'] }),
      memory(B_ONLY.memory, `${MARKER} another secret zebracorn plan of B`, {
        memoryType: 'trip_preference',
        attributes: { destinations: [MARKER, 'Lisbon'], travel_period: MARKER, budget: 1 },
        entities: [MARKER],
      }),
      memory(`b-third-${uniq}`, `${MARKER} a third zebracorn plan`, { ownerId: B_ONLY.owner }),
    ],
  });
  expect(bMemories.status).toBe(201);
  expect(bMemories.body.errors).toEqual([]);
  const bNamespace = await b.post(`/v1/stores/${storeB}/namespaces`, { name: 'shared-ns', scope: 'SHARED' });
  expect(bNamespace.status).toBe(201);
  const bFiled = await b.post(`/v1/stores/${storeB}/long-term-memory`, {
    memories: [
      {
        id: `b-filed-${uniq}`,
        text: `${MARKER} a filed zebracorn plan`,
        ownerId: SHARED.owner,
        namespaceRef: { namespaceId: bNamespace.body.namespace.namespaceId },
      },
    ],
  });
  expect(bFiled.body.errors).toEqual([]);

  // Store A: the same shared ids with its own, unmarked, data.
  const aEvents: string[] = [];
  for (const sessionId of [SHARED.session, 'a-second-session']) {
    const written = await a.post(
      `/v1/stores/${storeA}/session-memory/events`,
      event(sessionId, 'A public note about the zebracorn plan'),
    );
    expect(written.status).toBe(201);
    aEvents.push(written.body.event.eventId);
  }
  const aMemories = await a.post(`/v1/stores/${storeA}/long-term-memory`, {
    memories: [
      memory(SHARED.memory, 'A public zebracorn plan', { topics: ['plans'] }),
      memory('a-only-mem', 'A second public secret zebracorn plan', {
        memoryType: 'trip_preference',
        attributes: { destinations: ['Porto'], travel_period: 'July', budget: 2 },
      }),
    ],
  });
  expect(aMemories.status).toBe(201);
  const aNamespace = await a.post(`/v1/stores/${storeA}/namespaces`, { name: 'shared-ns', scope: 'SHARED' });
  expect(aNamespace.status).toBe(201);

  // Summary views: B's carries the marker in its name and instructions; both are shared.
  const view = async (api: typeof a, storeId: string, name: string) => {
    const created = await api.post(`/v1/stores/${storeId}/summary-views`, {
      name,
      instructions: `Summarize ${name}.`,
      groupBy: ['ownerId'],
      visibility: 'shared',
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const bViewId = await view(b, storeB, `${MARKER} view`);
  const aViewId = await view(a, storeA, 'A view');

  // Documents: B's carries the marker and is ingested before B's snapshot is taken.
  const extractorOf = async (storeId: string) => {
    const created = await stack().admin('POST', `/v1/stores/${storeId}/extractors`, {
      name: 'iso',
      memoryType: 'iso_note',
      description: 'A note',
      instructions: 'Keep each statement.',
    });
    expect(created.status).toBe(201);
    return created.body.extractorId as string;
  };
  const aExtractorId = await extractorOf(storeA);
  const bExtractorId = await extractorOf(storeB);
  const bDocument = await b.post(`/v1/stores/${storeB}/documents`, {
    ownerId: SHARED.owner,
    extractorId: bExtractorId,
    text: `# B\n\n${MARKER} the secret zebracorn handbook of store B says hello.\n`,
  });
  expect(bDocument.status).toBe(202);
  const aDocument = await a.post(`/v1/stores/${storeA}/documents`, {
    ownerId: SHARED.owner,
    extractorId: aExtractorId,
    text: '# A\n\nThe public zebracorn handbook of store A says hello.\n',
  });
  expect(aDocument.status).toBe(202);
  await stack().documentConsumer!.drain(60_000);

  const tokens = async (api: typeof a, storeId: string) => {
    const base = `/v1/stores/${storeId}`;
    const sessions = await api.get(`${base}/session-memory?includeAll=true&limit=1`);
    const summaries = await api.get(`${base}/sessions?includeAll=true&limit=1`);
    const search = await api.post(`${base}/long-term-memory/search`, SEARCH_BODY);
    const all = {
      sessions: sessions.body.nextPageToken,
      summaries: summaries.body.nextPageToken,
      search: search.body.nextPageToken,
    };
    for (const token of Object.values(all)) expect(typeof token).toBe('string');
    return all as World['bTokens'];
  };

  // Erasures of owners that hold nothing (the probes must not erase what the snapshot reads).
  const jobOf = async (api: typeof a, storeId: string) => {
    const started = await api.post(`/v1/stores/${storeId}/owners/${ERASED_OWNER}/erase`);
    expect(started.status).toBe(202);
    return started.body.erasure.jobId as string;
  };

  world = {
    storeA,
    storeB,
    a,
    b,
    bEventIds,
    aEventId: aEvents[0]!,
    aViewId,
    bViewId,
    aNamespace: aNamespace.body.namespace.namespaceId,
    bNamespace: bNamespace.body.namespace.namespaceId,
    aJobId: await jobOf(a, storeA),
    bJobId: await jobOf(b, storeB),
    aExtractorId,
    aDocumentId: aDocument.body.documentId,
    bDocumentId: bDocument.body.documentId,
    bTokens: await tokens(b, storeB),
    aTokens: await tokens(a, storeA),
    bSnapshot: '',
  };
  world.bSnapshot = await snapshotB(world);
  expect(world.bSnapshot).toContain(MARKER);
});

/** A page token with its payload edited (offset) and the MAC kept. */
function tamper(token: string): string {
  const [payload, mac] = token.split('.') as [string, string];
  const edited = { ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), o: 0 };
  return `${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${mac}`;
}

function paramsOf(route: HttpRouteDefinition): string[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/** A's legitimate value for each path parameter. */
function legit(name: string): string {
  const values: Record<string, string> = {
    storeId: world.storeA,
    sessionId: SHARED.session,
    eventId: world.aEventId,
    memoryId: 'a-only-mem',
    viewId: world.aViewId,
    namespaceId: world.aNamespace,
    ownerId: ERASED_OWNER,
    jobId: world.aJobId,
    documentId: world.aDocumentId,
  };
  return values[name]!;
}

/** B's ids for each path parameter: ids that exist only in B, or exist in both. */
function fromB(name: string): string[] {
  const values: Record<string, string[]> = {
    sessionId: [B_ONLY.session],
    eventId: world.bEventIds,
    memoryId: [B_ONLY.memory],
    viewId: [world.bViewId],
    namespaceId: [world.bNamespace],
    // Owner ids are not store-scoped resources (erasing B's owner name in A erases A's, which is
    // empty): no owner case here; B's erasure job is.
    jobId: [world.bJobId],
    documentId: [world.bDocumentId],
  };
  return values[name] ?? [];
}

function pathOf(route: HttpRouteDefinition, overrides: Record<string, string>, raw = false): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = overrides[name] ?? legit(name);
    return raw && name in overrides ? value : encodeURIComponent(value);
  });
}

/** A body the route accepts for store A, so that only the probed part of a case is hostile. */
function baseBody(route: HttpRouteDefinition): Body {
  // By operation (functions/catalog.ts): a route and its November alias share one.
  const bodies: Record<string, Body> = {
    'add-session-event': event(SHARED.session, 'A appended note'),
    'append-session-event': event(SHARED.session, 'A appended note'),
    'create-session': { ...event(SHARED.session, 'A new session'), sessionId: undefined },
    'bulk-create-memories': { memories: [memory('a-created', 'A created note')] },
    'bulk-delete-memories': { memoryIds: ['a-created'] },
    'search-memories': SEARCH_BODY,
    'memory-prompt': PROMPT_BODY,
    'update-memory': { text: 'A updated note' },
    'update-memory-fields': { memoryType: 'trip_preference', attributes: { travel_period: 'August' } },
    'import-memories': memory('a-imported', 'A imported note'),
    mcp: toolCall('search_long_term_memory', SEARCH_BODY),
    'create-summary-view': { name: 'A probe view' },
    'update-summary-view': { name: 'A view renamed' },
    'refresh-summary-view': { group: { ownerId: SHARED.owner } },
    'move-memories': { memoryIds: ['a-only-mem'], namespaceRef: { namespaceId: world.aNamespace } },
    'create-namespace': { name: 'a-made', scope: 'SHARED' },
    'update-namespace': { name: 'a-renamed' },
    'submit-document': { ownerId: SHARED.owner, extractorId: world.aExtractorId, text: '# A\n\nA note.\n' },
  };
  return bodies[route.operation];
}

/** The query string a GET needs to be valid (list routes want an owner scope). */
function baseQuery(route: HttpRouteDefinition): string {
  if (route.operation === 'get-view-partition') return `?ownerId=${SHARED.owner}`;
  if (route.operation === 'list-namespaces') return '?scope=SHARED';
  if (route.operation === 'export-memories') return `?ownerId=${SHARED.owner}`;
  return route.operation === 'list-sessions' || route.operation === 'list-session-summaries'
    ? '?includeAll=true'
    : '';
}

/** Cases on the route's path: B's store, B's ids and hostile ids in each parameter. */
function pathCases(route: HttpRouteDefinition): Case[] {
  const cases: Case[] = [];
  const q = baseQuery(route);
  const body = baseBody(route);
  for (const name of paramsOf(route)) {
    if (name === 'storeId') {
      cases.push({
        label: 'store B',
        method: route.method,
        path: `${pathOf(route, { storeId: world.storeB })}${q}`,
        body,
        expect: [403],
      });
    }
    const shared: Record<string, string> = { sessionId: SHARED.session, memoryId: SHARED.memory };
    if (shared[name]) {
      // An id both stores use: legitimately about A (2xx with A's data, or 404/409), never B's record.
      cases.push({
        label: `${name} shared with B`,
        method: route.method,
        path: `${pathOf(route, { [name]: shared[name] })}${q}`,
        body,
      });
    }
    // Appending to a path session creates it when new: B's session id names a new session of A
    // there, not B's (the shared-id case above and the snapshot of B check that B is untouched).
    const createsSession = name === 'sessionId' && route.operation === 'append-session-event';
    for (const value of createsSession ? [] : fromB(name)) {
      cases.push({
        label: `${name} from B`,
        method: route.method,
        path: `${pathOf(route, { [name]: value })}${q}`,
        body,
        expect: [404],
      });
    }
    for (const value of HOSTILE_IDS) {
      const label = `${name}=${JSON.stringify(value.slice(0, 20))}${value.length > 20 ? `…(${value.length})` : ''}`;
      cases.push({ label, method: route.method, path: `${pathOf(route, { [name]: value })}${q}`, body });
    }
    // Unencoded: the path itself carries the dots, slashes and escapes.
    for (const value of [
      '..',
      `..%2F..%2F${world.storeB}`,
      `%2F..%2F${world.storeB}`,
      '%2F',
      '*',
      ':',
      '%00',
      '%25',
      '%',
      'é',
      TEN_K,
    ]) {
      cases.push({
        label: `${name} raw ${value.slice(0, 20)}`,
        method: route.method,
        path: `${pathOf(route, { [name]: value }, true)}${q}`,
        body,
      });
    }
    if (name !== 'storeId') {
      cases.push({
        label: `${name} traversal to B`,
        method: route.method,
        path: `${pathOf(route, { [name]: `..%2F..%2F..%2F${world.storeB}` }, true)}${q}`,
        body,
      });
    }
  }
  return cases;
}

/** Cases on the query string of the GET routes that read one. */
function queryCases(route: HttpRouteDefinition): Case[] {
  const path = pathOf(route, {});
  const cases: Case[] = [];
  const enc = encodeURIComponent;
  if (route.operation === 'list-sessions' || route.operation === 'list-session-summaries') {
    const own = route.operation === 'list-sessions' ? world.aTokens.sessions : world.aTokens.summaries;
    const other = route.operation === 'list-sessions' ? world.aTokens.summaries : world.aTokens.sessions;
    const theirs = route.operation === 'list-sessions' ? world.bTokens.sessions : world.bTokens.summaries;
    cases.push({
      label: 'own token',
      method: 'GET',
      path: `${path}?includeAll=true&limit=1&pageToken=${enc(own)}`,
      expect: [200],
    });
    cases.push({
      label: "B's token",
      method: 'GET',
      path: `${path}?includeAll=true&limit=1&pageToken=${enc(theirs)}`,
      expect: [400],
    });
    cases.push({
      label: "B's token, tampered",
      method: 'GET',
      path: `${path}?includeAll=true&limit=1&pageToken=${enc(tamper(theirs))}`,
      expect: [400],
    });
    cases.push({
      label: 'own token, tampered',
      method: 'GET',
      path: `${path}?includeAll=true&limit=1&pageToken=${enc(tamper(own))}`,
      expect: [400],
    });
    cases.push({
      label: 'own token, truncated',
      method: 'GET',
      path: `${path}?includeAll=true&limit=1&pageToken=${enc(own.slice(0, -3))}`,
      expect: [400],
    });
    cases.push({
      label: "another route's token",
      method: 'GET',
      path: `${path}?includeAll=true&limit=1&pageToken=${enc(other)}`,
      expect: [400],
    });
    cases.push({
      label: 'search token',
      method: 'GET',
      path: `${path}?includeAll=true&limit=1&pageToken=${enc(world.aTokens.search)}`,
      expect: [400],
    });
    cases.push({
      label: "B's owner",
      method: 'GET',
      path: `${path}?filterOwnerId=${B_ONLY.owner}`,
      expect: [200],
    });
    cases.push({
      label: 'shared owner',
      method: 'GET',
      path: `${path}?filterOwnerId=${SHARED.owner}`,
      expect: [200],
    });
    for (const value of [...HOSTILE_IDS, ...INJECTIONS.filter((v) => v !== '\ud800')]) {
      cases.push({
        label: `filterOwnerId=${JSON.stringify(value.slice(0, 20))}`,
        method: 'GET',
        path: `${path}?filterOwnerId=${enc(value)}`,
      });
      cases.push({
        label: `pageToken=${JSON.stringify(value.slice(0, 20))}`,
        method: 'GET',
        path: `${path}?includeAll=true&pageToken=${enc(value)}`,
        expect: [400],
      });
    }
    for (const value of ['sessionId)', '*', 'createdAt desc', '', 'updatedAt&sortOrder=desc']) {
      cases.push({
        label: `sortBy=${value}`,
        method: 'GET',
        path: `${path}?includeAll=true&sortBy=${enc(value)}`,
      });
    }
    for (const value of ['-1', '0', '1e9', 'NaN', '1.5', '', TEN_K]) {
      cases.push({
        label: `limit=${value.slice(0, 20)}`,
        method: 'GET',
        path: `${path}?includeAll=true&limit=${enc(value)}`,
      });
    }
    cases.push({
      label: 'includeAll twice',
      method: 'GET',
      path: `${path}?includeAll=true&includeAll=false`,
      expect: [400],
    });
  }
  if (route.operation === 'get-memory-sources') {
    // Page tokens are bound to the store, the route and the memory: every foreign one is a 400.
    for (const [label, token] of [
      ["B's search token", world.bTokens.search],
      ["B's session token", world.bTokens.sessions],
      ["A's search token", world.aTokens.search],
      ["A's search token, tampered", tamper(world.aTokens.search)],
      ...[...HOSTILE_IDS, ...INJECTIONS.filter((v) => v !== '\ud800')].map((v) => [
        `pageToken=${JSON.stringify(v.slice(0, 20))}`,
        v,
      ]),
    ] as const) {
      cases.push({ label, method: 'GET', path: `${path}?pageToken=${enc(token)}`, expect: [400] });
    }
    for (const value of ['-1', '0', '1e9', 'NaN', '1.5', '', TEN_K, '100']) {
      cases.push({
        label: `limit=${value.slice(0, 20)}`,
        method: 'GET',
        path: `${path}?limit=${enc(value)}`,
      });
    }
  }
  if (
    route.operation === 'get-view-partition' ||
    route.operation === 'list-view-partitions' ||
    route.operation === 'list-summary-views'
  ) {
    for (const value of [...HOSTILE_IDS, ...INJECTIONS.filter((v) => v !== '\ud800')]) {
      const label = JSON.stringify(value.slice(0, 20));
      cases.push({ label: `ownerId=${label}`, method: 'GET', path: `${path}?ownerId=${enc(value)}` });
      cases.push({
        label: `pageToken=${label}`,
        method: 'GET',
        path: `${path}?pageToken=${enc(value)}`,
        expect: [400],
      });
    }
    cases.push({
      label: 'search token',
      method: 'GET',
      path: `${path}?pageToken=${enc(world.aTokens.search)}`,
      expect: [400],
    });
  }
  if (route.operation === 'list-namespaces') {
    cases.push({
      label: "B's parent",
      method: 'GET',
      path: `${path}?parentId=${world.bNamespace}`,
      expect: [404],
    });
    cases.push({ label: 'shared roots', method: 'GET', path: `${path}?scope=SHARED`, expect: [200] });
    for (const value of [...HOSTILE_IDS, ...INJECTIONS.filter((v) => v !== '\ud800')]) {
      const label = JSON.stringify(value.slice(0, 20));
      cases.push({ label: `parentId=${label}`, method: 'GET', path: `${path}?parentId=${enc(value)}` });
      cases.push({
        label: `ownerId=${label}`,
        method: 'GET',
        path: `${path}?scope=PERSONAL&ownerId=${enc(value)}`,
      });
      cases.push({
        label: `pageToken=${label}`,
        method: 'GET',
        path: `${path}?scope=SHARED&pageToken=${enc(value)}`,
        expect: [400],
      });
    }
  }
  if (route.operation === 'list-session-summaries') {
    cases.push({
      label: "B's namespaceRef",
      method: 'GET',
      path: `${path}?namespaceRef=${world.bNamespace}`,
      expect: [200],
      check: (body) => (body.items?.length === 0 ? undefined : `listed: ${JSON.stringify(body.items)}`),
    });
  }
  if (route.operation === 'get-session-memory') {
    for (const value of ['true', 'TRUE', '1', '', TEN_K, '*']) {
      cases.push({
        label: `includeSummarisedEvents=${value.slice(0, 10)}`,
        method: 'GET',
        path: `${path}?includeSummarisedEvents=${enc(value)}`,
      });
    }
  }
  return cases;
}

/** Hostile bodies: filter and text values for search, hostile fields for the writes. */
function bodyCases(route: HttpRouteDefinition): Case[] {
  const path = pathOf(route, {});
  const cases: Case[] = [];
  const add = (label: string, body: Body, expect?: number[], check?: Case['check']) =>
    cases.push({
      label,
      method: route.method,
      path,
      body,
      ...(expect ? { expect } : {}),
      ...(check ? { check } : {}),
    });
  switch (route.operation) {
    case 'create-summary-view':
    case 'update-summary-view': {
      // First: the injections below may fill the store's 50 views (a 409 then, as it should be).
      // On create only: a PATCH would keep B's owner id in A's view, which every later answer about
      // that view then echoes (A's own input, not a leak, but indistinguishable from one here).
      if (route.operation === 'create-summary-view') {
        // The November alias runs after the v1 route, whose injections may have filled the 50 views.
        const created = route.aliasOf === undefined ? [201] : [201, 409];
        add("B's owner in filters", { name: 'x', filters: { ownerId: B_ONLY.owner } }, created);
      }
      add('owner taken from the body', { name: 'x', ownerId: 'someone' }, [400]);
      for (const value of INJECTIONS.filter((v) => v !== '\ud800')) {
        const label = JSON.stringify(value.slice(0, 20));
        add(`name=${label}`, { name: value });
        add(`instructions=${label}`, {
          ...(route.operation === 'create-summary-view' ? { name: 'x' } : {}),
          instructions: value,
        });
        add(`filters.ownerId=${label}`, { name: 'x', filters: { ownerId: value } });
        add(`filters.topics=${label}`, { name: 'x', filters: { topics: [value] } });
      }
      break;
    }
    case 'refresh-summary-view': {
      add("B's owner", { group: { ownerId: B_ONLY.owner } }, [202]);
      for (const value of INJECTIONS.filter((v) => v !== '\ud800')) {
        add(`group.ownerId=${JSON.stringify(value.slice(0, 20))}`, { group: { ownerId: value } });
      }
      add('group by an unknown field', { group: { storeId: world.storeB } }, [400]);
      break;
    }
    case 'search-memories': {
      add("B's page token", { ...SEARCH_BODY, pageToken: world.bTokens.search }, [400]);
      add("B's page token, tampered", { ...SEARCH_BODY, pageToken: tamper(world.bTokens.search) }, [400]);
      add(
        'own token, another query',
        { ...SEARCH_BODY, text: 'plan', pageToken: world.aTokens.search },
        [400],
      );
      add('own token', { ...SEARCH_BODY, pageToken: world.aTokens.search }, [200]);
      add("B's owner", { filter: { ownerId: { eq: B_ONLY.owner } } }, [200]);
      add("B's namespaceRef", { filter: { namespaceRef: { eq: world.bNamespace } } }, [200], (body) =>
        body.items?.length === 0 ? undefined : `found: ${JSON.stringify(body.items)}`,
      );
      add(
        "B's namespaceRef, ranked",
        { text: 'filed zebracorn plan', filter: { namespaceRef: { in: [world.bNamespace] } } },
        [200],
      );
      add("B's memory text", { text: 'another secret zebracorn plan of B', searchMode: 'hybrid' }, [200]);
      for (const mode of ['keyword', 'semantic', 'hybrid']) {
        for (const value of INJECTIONS) {
          const v = value.slice(0, 64);
          add(`${mode} text ${JSON.stringify(value.slice(0, 16))}`, { text: value, searchMode: mode });
          add(`${mode} topics.eq ${JSON.stringify(value.slice(0, 16))}`, {
            text: 'plan',
            searchMode: mode,
            filter: { topics: { eq: value } },
          });
          add(`${mode} memoryType ${JSON.stringify(v.slice(0, 16))}`, {
            text: 'plan',
            searchMode: mode,
            filter: { memoryType: { in: [v, 'semantic'] } },
          });
          add(`${mode} ownerId ${JSON.stringify(value.slice(0, 16))}`, {
            text: 'plan',
            searchMode: mode,
            filter: { ownerId: { eq: value } },
          });
          add(`${mode} namespace.ne ${JSON.stringify(value.slice(0, 16))}`, {
            text: 'plan',
            searchMode: mode,
            filterOp: 'any',
            filter: { namespace: { ne: value } },
          });
          add(`${mode} attr string ${JSON.stringify(value.slice(0, 16))}`, {
            text: 'plan',
            searchMode: mode,
            filter: { attributes: { travel_period: { string: value } } },
          });
          add(`${mode} attr list ${JSON.stringify(value.slice(0, 16))}`, {
            text: 'plan',
            searchMode: mode,
            filter: { attributes: { destinations: { list: [value] } } },
          });
          add(`${mode} attr name ${JSON.stringify(v.slice(0, 16))}`, {
            text: 'plan',
            searchMode: mode,
            filter: { attributes: { [v]: { string: 'x' } } },
          });
        }
      }
      for (const value of INJECTIONS) {
        add(`filter-only topics.all ${JSON.stringify(value.slice(0, 16))}`, {
          filter: { topics: { all: [value, 'plans'] } },
          filterOp: 'any',
        });
        add(`filter-only sessionId ${JSON.stringify(value.slice(0, 16))}`, {
          filter: { sessionId: { in: [value] } },
        });
      }
      break;
    }
    case 'memory-prompt': {
      // A's session under the id both stores use: A's events only (the generic checks look for B's marker).
      add('shared session', PROMPT_BODY, [200], (body) =>
        body.session?.eventsIncluded >= 1 ? undefined : `not A's session: ${JSON.stringify(body.session)}`,
      );
      add("B's session", { ...PROMPT_BODY, sessionId: B_ONLY.session }, [404]);
      add("B's owner", { ...PROMPT_BODY, ownerId: B_ONLY.owner }, [200], (body) =>
        body.memoryIds?.length === 0 ? undefined : `found memories: ${JSON.stringify(body.memoryIds)}`,
      );
      add("B's memory text", { query: 'another secret zebracorn plan of B', searchMode: 'hybrid' }, [200]);
      for (const mode of ['keyword', 'semantic', 'hybrid']) {
        for (const value of INJECTIONS) {
          const label = JSON.stringify(value.slice(0, 16));
          add(`${mode} query ${label}`, { ...PROMPT_BODY, query: value, searchMode: mode });
          add(`${mode} ownerId ${label}`, { ...PROMPT_BODY, ownerId: value, searchMode: mode });
          add(`${mode} namespace ${label}`, { ...PROMPT_BODY, namespace: value, searchMode: mode });
          add(`${mode} topics.eq ${label}`, {
            ...PROMPT_BODY,
            filter: { topics: { eq: value } },
            searchMode: mode,
          });
        }
      }
      for (const value of [...HOSTILE_IDS, ...INJECTIONS]) {
        add(`sessionId ${JSON.stringify(value.slice(0, 16))}`, { ...PROMPT_BODY, sessionId: value });
      }
      break;
    }
    case 'add-session-event':
      for (const value of [...HOSTILE_IDS, ...INJECTIONS]) {
        const label = JSON.stringify(value.slice(0, 16));
        add(`sessionId ${label}`, event(value, 'A note'));
        add(`actorId ${label}`, { ...event(SHARED.session, 'A note'), actorId: value });
        add(`namespace ${label}`, { ...event(SHARED.session, 'A note'), namespace: value });
        add(`text ${label}`, event(SHARED.session, value));
        add(`metadata ${label}`, {
          ...event(SHARED.session, 'A note'),
          metadata: { [value.slice(0, 64) || 'k']: value },
        });
      }
      break;
    case 'append-session-event':
      add("B's session id in the body", event(B_ONLY.session, 'A note'), [400]);
      for (const value of [...HOSTILE_IDS, ...INJECTIONS]) {
        const label = JSON.stringify(value.slice(0, 16));
        add(`body sessionId ${label}`, event(value, 'A note'), [400]);
        add(`actorId ${label}`, { ...event(SHARED.session, 'A note'), actorId: value });
        add(`namespace ${label}`, { ...event(SHARED.session, 'A note'), namespace: value });
        add(`text ${label}`, event(SHARED.session, value));
      }
      break;
    case 'create-session': {
      const fresh = (text: string, extra: Record<string, unknown> = {}) => ({
        ...event(SHARED.session, text, extra),
        sessionId: undefined,
      });
      // A new session never joins an existing one, A's or B's: the id is the server's.
      add("B's session id in the body", event(B_ONLY.session, 'A note'), [400]);
      add('a new session', fresh('A note'), [201], (body) =>
        body.sessionId !== SHARED.session && body.event?.sessionId === body.sessionId
          ? undefined
          : `joined an existing session: ${JSON.stringify(body).slice(0, 200)}`,
      );
      for (const value of [...HOSTILE_IDS, ...INJECTIONS]) {
        const label = JSON.stringify(value.slice(0, 16));
        add(`actorId ${label}`, fresh('A note', { actorId: value }));
        add(`namespace ${label}`, fresh('A note', { namespace: value }));
        add(`text ${label}`, fresh(value));
      }
      break;
    }
    case 'bulk-create-memories':
      // Lone surrogates once made a record the delete and replace scripts could not decode (424 forever).
      add(
        'lone surrogates in every stored string',
        {
          memories: [
            memory('a-lone', 'A note \ud800 with \udfff lone halves', {
              topics: ['\ud800'],
              entities: ['x\udc00'],
              memoryType: 'trip_preference',
              attributes: { travel_period: '\ud83d', destinations: ['\ud800'] },
            }),
          ],
        },
        [201],
        (body) => (body.created?.includes('a-lone') ? undefined : `not created: ${JSON.stringify(body)}`),
      );
      for (const value of [...HOSTILE_IDS, ...INJECTIONS]) {
        const label = JSON.stringify(value.slice(0, 16));
        add(`id ${label}`, { memories: [memory(value, 'A created note')] });
        add(`ownerId ${label}`, { memories: [memory('a-created', 'A created note', { ownerId: value })] });
        add(`namespace ${label}`, {
          memories: [memory('a-created', 'A created note', { namespace: value })],
        });
        add(`topics ${label}`, { memories: [memory('a-created', `A note ${value}`, { topics: [value] })] });
        add(`memoryType ${label}`, {
          memories: [memory('a-created', 'A created note', { memoryType: value })],
        });
        add(`attributes ${label}`, {
          memories: [
            memory('a-created', 'A created note', {
              memoryType: 'trip_preference',
              attributes: { travel_period: value, destinations: [value] },
            }),
          ],
        });
        add(`sourceRefs ${label}`, {
          memories: [memory('a-created', 'A created note', { sourceRefs: [value] })],
        });
      }
      break;
    case 'mcp': {
      // Tool arguments never choose the store: a storeId there is ignored (and not in the schema).
      add(
        "B's memory",
        toolCall('get_long_term_memory', { memoryId: B_ONLY.memory }),
        [200],
        toolOutcome('resource-not-found'),
      );
      add(
        'shared memory',
        toolCall('get_long_term_memory', { memoryId: SHARED.memory }),
        [200],
        toolOutcome('ok'),
      );
      add(
        "B's memory, store B in the arguments",
        toolCall('get_long_term_memory', { memoryId: B_ONLY.memory, storeId: world.storeB }),
        [200],
        toolOutcome('resource-not-found'),
      );
      add(
        "B's session",
        toolCall('get_session_memory', { sessionId: B_ONLY.session }),
        [200],
        toolOutcome('resource-not-found'),
      );
      add(
        'shared session',
        toolCall('get_session_memory', { sessionId: SHARED.session }),
        [200],
        toolOutcome('ok'),
      );
      add(
        "B's memory text",
        toolCall('search_long_term_memory', { text: 'another secret zebracorn plan of B' }),
        [200],
        toolOutcome('ok'),
      );
      add(
        "B's owner",
        toolCall('search_long_term_memory', { filter: { ownerId: { eq: B_ONLY.owner } } }),
        [200],
        toolOutcome('ok'),
      );
      add(
        "sources of B's memory",
        toolCall('get_memory_sources', { memoryId: B_ONLY.memory }),
        [200],
        toolOutcome('resource-not-found'),
      );
      add(
        "sources with B's page token",
        toolCall('get_memory_sources', { memoryId: 'a-only-mem', pageToken: world.bTokens.search }),
        [200],
        toolOutcome('invalid-data'),
      );
      add(
        "B's page token",
        toolCall('search_long_term_memory', { ...SEARCH_BODY, pageToken: world.bTokens.search }),
        [200],
        toolOutcome('invalid-data'),
      );
      add(
        'search, store B in the arguments',
        toolCall('search_long_term_memory', { ...SEARCH_BODY, storeId: world.storeB }),
        [200],
        toolOutcome('ok'),
      );
      add(
        "delete B's memory",
        toolCall('delete_long_term_memories', { memoryIds: [B_ONLY.memory] }),
        [200],
        toolOutcome('ok'),
      );
      add(
        // Into A's session of the id B also uses (B's own ids must stay unknown to A for later routes).
        'append to the shared session',
        toolCall('add_session_event', event(SHARED.session, 'A appended via MCP')),
        [200],
        toolOutcome('ok'),
      );
      add(
        "prompt on B's session",
        toolCall('memory_prompt', { query: 'the secret zebracorn plan', sessionId: B_ONLY.session }),
        [200],
        toolOutcome('resource-not-found'),
      );
      add(
        "prompt for B's owner",
        toolCall('memory_prompt', { query: 'the secret zebracorn plan', ownerId: B_ONLY.owner }),
        [200],
        toolOutcome('ok'),
      );
      add(
        'prompt on the shared session',
        toolCall('memory_prompt', { query: 'the secret zebracorn plan', sessionId: SHARED.session }),
        [200],
        toolOutcome('ok'),
      );
      // A tool error or A's own data (a valid id such as '-' may name what earlier routes' cases
      // created in A); the run checks that nothing of B comes back.
      for (const value of [...HOSTILE_IDS, ...INJECTIONS]) {
        const label = JSON.stringify(value.slice(0, 16));
        add(`memoryId ${label}`, toolCall('get_long_term_memory', { memoryId: value }), [200]);
        add(`sessionId ${label}`, toolCall('get_session_memory', { sessionId: value }), [200]);
        add(
          `search ownerId ${label}`,
          toolCall('search_long_term_memory', { text: 'plan', filter: { ownerId: { eq: value } } }),
          [200],
        );
        add(`search text ${label}`, toolCall('search_long_term_memory', { text: value }), [200]);
      }
      break;
    }
    case 'move-memories':
      add(
        "into B's namespace",
        { memoryIds: ['a-only-mem'], namespaceRef: { namespaceId: world.bNamespace } },
        [404],
      );
      add(
        "B's memory ids",
        { memoryIds: [B_ONLY.memory, `b-filed-${uniq}`], namespaceRef: { namespaceId: world.aNamespace } },
        [200],
        (body) => (body.moved?.length === 0 ? undefined : `moved: ${JSON.stringify(body.moved)}`),
      );
      add(
        'hostile ids',
        {
          memoryIds: [...HOSTILE_IDS, ...INJECTIONS].slice(0, 100),
          namespaceRef: { namespaceId: world.aNamespace },
        },
        [200, 400],
      );
      for (const value of [...HOSTILE_IDS, ...INJECTIONS]) {
        add(`namespaceId ${JSON.stringify(value.slice(0, 16))}`, {
          memoryIds: ['a-only-mem'],
          namespaceRef: { namespaceId: value },
        });
      }
      break;
    case 'create-namespace':
      add("under B's namespace", { name: 'x', parentId: world.bNamespace }, [404]);
      for (const value of [...HOSTILE_IDS, ...INJECTIONS]) {
        const label = JSON.stringify(value.slice(0, 16));
        add(`name ${label}`, { name: value, scope: 'SHARED' });
        add(`ownerId ${label}`, { name: 'x', scope: 'PERSONAL', ownerId: value });
        add(`parentId ${label}`, { name: 'x', parentId: value });
        add(`path ${label}`, { path: `a/${value}`, scope: 'SHARED' });
      }
      break;
    case 'update-namespace':
      for (const value of [...HOSTILE_IDS, ...INJECTIONS]) {
        const label = JSON.stringify(value.slice(0, 16));
        add(`name ${label}`, { name: value });
        add(`state ${label}`, { state: value });
      }
      break;
    case 'bulk-delete-memories':
      add("B's memory ids", { memoryIds: [B_ONLY.memory, `b-third-${uniq}`] }, [200]);
      // The record can be deleted once: by the v1 route, which runs before its November alias.
      if (route.aliasOf === undefined) {
        add('a record stored with lone surrogates', { memoryIds: ['a-lone'] }, [200], (body) =>
          body.deleted?.includes('a-lone') ? undefined : `not deleted: ${JSON.stringify(body)}`,
        );
      }
      add('hostile ids', { memoryIds: [...HOSTILE_IDS, ...INJECTIONS] }, [200, 400]);
      add('non-strings', { memoryIds: [null, 1, {}, [], true] }, [200, 400]);
      break;
    case 'update-memory':
      for (const value of [...HOSTILE_IDS, ...INJECTIONS]) {
        const label = JSON.stringify(value.slice(0, 16));
        add(`ownerId ${label}`, { ownerId: value });
        add(`sessionId ${label}`, { sessionId: value });
        add(`namespace ${label}`, { namespace: value });
        add(`topics ${label}`, { topics: [value] });
        add(`memoryType ${label}`, { memoryType: value });
      }
      add("move to B's owner (still in A)", { ownerId: B_ONLY.owner }, [200]);
      add('move back', { ownerId: SHARED.owner }, [200]);
      break;
    case 'update-memory-fields':
      for (const value of [...HOSTILE_IDS, ...INJECTIONS]) {
        const label = JSON.stringify(value.slice(0, 16));
        add(`memoryType ${label}`, { memoryType: value });
        add(`namespace ${label}`, { memoryType: 'trip_preference', namespace: value });
        add(`attribute value ${label}`, {
          memoryType: 'trip_preference',
          attributes: { travel_period: value },
        });
        add(`attribute name ${label}`, {
          memoryType: 'trip_preference',
          attributes: { [value.slice(0, 64) || 'k']: 'x' },
        });
      }
      break;
  }
  return cases;
}

/** Ids of B the request did not send must not come back either (a B session id in a listing, …). */
function bOnlyIds(): string[] {
  return [
    B_ONLY.session,
    B_ONLY.memory,
    B_ONLY.owner,
    `b-third-${uniq}`,
    `b-filed-${uniq}`,
    world.bNamespace,
    ...world.bEventIds,
  ];
}

async function run(route: HttpRouteDefinition, cases: readonly Case[]): Promise<string[]> {
  const failures: string[] = [];
  for (const c of cases) {
    let response: ApiResponse;
    try {
      response = await world.a.request(
        c.method,
        c.path,
        c.body,
        route.operation === 'mcp' ? { headers: MCP_HEADERS } : {},
      );
    } catch (error) {
      failures.push(`${route.name} ${c.label}: request failed: ${String(error)}`);
      continue;
    }
    tally.cases += 1;
    const key = routeKey(route);
    tally.byRoute.set(key, (tally.byRoute.get(key) ?? 0) + 1);
    tally.byStatus.set(response.status, (tally.byStatus.get(response.status) ?? 0) + 1);
    const fail = (why: string) => failures.push(`${route.name} ${c.label} → ${response.status}: ${why}`);
    const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? null);
    const sent = `${c.path} ${JSON.stringify(c.body ?? null)}`;
    if (text.includes(MARKER)) fail("leaked store B's marker");
    for (const id of bOnlyIds()) if (text.includes(id) && !sent.includes(id)) fail(`leaked B's id ${id}`);
    if (response.status >= 500) fail(`server error ${text.slice(0, 200)}`);
    else if (c.expect && !c.expect.includes(response.status))
      fail(`expected ${c.expect.join('/')}: ${text.slice(0, 200)}`);
    else if (response.status >= 400) {
      if (!PROBLEM_STATUSES.includes(response.status)) fail('unexpected status');
      const body = response.body as { type?: unknown; status?: unknown; jsonrpc?: unknown } | undefined;
      // MCP: the transport answers malformed JSON-RPC with a JSON-RPC error; our chain with problems.
      if (route.operation === 'mcp' && body?.jsonrpc === '2.0') {
        if (!(body as { error?: unknown }).error) fail(`not a JSON-RPC error: ${text.slice(0, 200)}`);
      } else if (
        typeof body?.type !== 'string' ||
        !body.type.startsWith('/errors/') ||
        body.status !== response.status
      ) {
        fail(`not a problem body: ${text.slice(0, 200)}`);
      }
    } else if (response.status < 200 || response.status >= 300) fail('unexpected status');
    const wrong = response.status < 500 ? c.check?.(response.body) : undefined;
    if (wrong) fail(wrong);
  }
  return failures;
}

/**
 * On a November alias (functions/catalog.ts `irisAliasOf`), every path and query case (the path is
 * what differs between the families: its parameters, store B's ids, traversal), every body case
 * with a stated expectation (B's ids and tokens, and pairs such as a move to B's owner and back,
 * which must stay together), and every fifth open-ended hostile body case: the body reaches the same function and operation as on the v1 route, which runs them all.
 * ISOLATION_ALIAS_BODIES=all runs them all on the aliases too.
 */
function aliasSample(route: HttpRouteDefinition, cases: Case[]): Case[] {
  if (route.aliasOf === undefined || process.env.ISOLATION_ALIAS_BODIES === 'all') return cases;
  return cases.filter((c, i) => c.expect !== undefined || i % 5 === 0);
}

/** Reads first, then writes, then deletes: a legitimate delete in A must not starve later cases. */
const ORDER: Record<string, number> = { GET: 0, POST: 1, PATCH: 2, DELETE: 3 };
const routes = [...httpRoutes].sort((x, y) => ORDER[x.method]! - ORDER[y.method]!);

/**
 * A route's cases run one after another. The search route has the most (about 800): 19 s on the
 * 2-core runner at load 12, over 120 s at load 18 (seven suites sharing it; measured 2026-12). Five
 * minutes covers the busy case; a hung request fails its route then instead of after ten.
 */
const ROUTE_TIMEOUT_MS = 300_000;

describe('isolation: a key for store A against store B, through every route', () => {
  afterAll(() => {
    // A report, not a check: every route's own test asserts its cases and store B.
    const statuses = [...tally.byStatus.entries()].sort(([x], [y]) => x - y);
    console.info(
      `isolation: ${tally.cases} cases over ${httpRoutes.length} routes; by status ${JSON.stringify(Object.fromEntries(statuses))}; by route ${JSON.stringify(Object.fromEntries(tally.byRoute))}`,
    );
  });

  for (const route of routes) {
    it(`${route.method} ${route.path} (${route.operation})`, { timeout: ROUTE_TIMEOUT_MS }, async () => {
      const cases = [...pathCases(route), ...queryCases(route), ...aliasSample(route, bodyCases(route))];
      if (route.action === 'none')
        cases.push({ label: 'plain', method: route.method, path: route.path, expect: [200] });
      expect(cases.length, 'every route gets cases').toBeGreaterThan(0);
      expect(await run(route, cases)).toEqual([]);
      // Checked after each route rather than once at the end: a route that changed B is named, and
      // no test reads what another one left behind (each runs alone with -t).
      expect(await snapshotB(world), 'store B after this route').toBe(world.bSnapshot);
    });
  }
});
