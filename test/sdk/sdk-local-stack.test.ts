import { afterEach, describe, expect, it } from 'vitest';
import type { StoreConfig } from '../../lib/contracts/store-config.js';
import {
  AgentMemory,
  type AgentMemoryOptions,
  BadRequestError,
  ConflictError,
  DependencyError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
} from '../../sdk/src/index.js';
import { uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

/** Every SDK method against the real local stack (API Gateway adapter, handlers, Upstash, Redis). */

// A page's origin, allowed as a deployment's CORS_ALLOW_ORIGINS allows it (read when the handlers load).
const PAGE_ORIGIN = 'https://app.example.com';
process.env.CORS_ALLOW_ORIGINS = PAGE_ORIGIN;
const stack = useLocalStack();
afterEach(() => {
  stack().upstash.clearFaults();
});

const TRIP_TYPE = {
  name: 'trip_preference',
  description: 'Travel preferences',
  fields: [
    { name: 'destinations', description: 'Places', type: 'list[str]' },
    { name: 'budget', description: 'Budget in USD', type: 'float' },
  ],
} as const;

async function newStore(options: Partial<AgentMemoryOptions> = {}, config: Partial<StoreConfig> = {}) {
  const storeId = uniqueStoreId('sdk');
  await stack().createStore(storeId, { customMemoryTypes: [TRIP_TYPE as never], ...config });
  const apiKey = await stack().mintApiKey({ [storeId]: ['read', 'write'] });
  const am = new AgentMemory({
    serverURL: stack().apiUrl,
    apiKey,
    storeId,
    retry: { initialDelayMs: 20, maxDelayMs: 200 },
    ...options,
  });
  return { storeId, apiKey, am };
}

const turn = (sessionId: string | undefined, i: number, text = `turn ${i}`) => ({
  ...(sessionId ? { sessionId } : {}),
  actorId: 'user-1',
  role: 'USER' as const,
  content: [{ text }],
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
});

/** A fetch that records each attempt's status and time. */
function recordingFetch() {
  const attempts: Array<{ method: string; url: string; status: number; at: number }> = [];
  const fetchImpl = async (input: string, init: RequestInit) => {
    const response = await fetch(input, init);
    attempts.push({ method: init.method ?? 'GET', url: input, status: response.status, at: Date.now() });
    return response;
  };
  return { attempts, fetchImpl };
}

/** The append script's request (see test/e2e/faults.test.ts). */
const appendCommand = (storeId: string) => new RegExp(`^EVAL(SHA)? \\S+ \\d+ am:\\{${storeId}\\}:config `);

describe('SDK against the local stack: round trips', () => {
  it('health and store health', async () => {
    const { am } = await newStore();
    expect(await am.health()).toEqual({ status: 'healthy' });
    expect(await am.storeHealth()).toMatchObject({ status: 'healthy' });
  });

  it('session memory: append (Date in, ISO out), read, list, event, promotion status, delete', async () => {
    const { am } = await newStore();
    const { event } = await am.addSessionEvent({
      ...turn('trip', 0),
      namespace: 'travel',
      metadata: { a: 1 },
    });
    expect(event).toMatchObject({
      sessionId: 'trip',
      actorId: 'user-1',
      createdAt: '2026-01-01T00:00:00.000Z',
      metadata: { a: 1 },
    });
    const second = (await am.addSessionEvent(turn('trip', 1))).event;

    const session = await am.getSessionMemory('trip');
    expect(session).toMatchObject({ sessionId: 'trip', ownerId: 'user-1', namespace: 'travel' });
    expect(session.events.map((e) => e.eventId)).toEqual([event.eventId, second.eventId]);
    expect(await am.getSessionMemory('trip', { includeSummarisedEvents: true })).toEqual(session);
    expect(await am.getSessionEvent('trip', event.eventId)).toEqual({ event });

    expect(await am.listSessions({ includeAll: true })).toEqual({ items: ['trip'], total: 1 });
    expect(await am.listSessions({ filterOwnerId: 'nobody' })).toEqual({ items: [], total: 0 });
    const rows = await am.listSessionSummaries({ includeAll: true, sortBy: 'sessionId' });
    expect(rows.items).toEqual([expect.objectContaining({ sessionId: 'trip', ownerId: 'user-1' })]);

    const promotion = await am.getPromotionStatus('trip');
    expect(promotion).toMatchObject({ sessionId: 'trip', pendingEvents: 2, processedEvents: 0 });
    await am.addSessionEvent(turn('promo', 0, "I'm a vegetarian"));
    expect(await am.promoteSessionNow('promo')).toEqual({
      sessionId: 'promo',
      queued: true,
      pendingEvents: 1,
    });
    expect(await am.retryParkedRanges('promo')).toEqual({
      sessionId: 'promo',
      parkedRanges: 0,
      queued: false,
    });

    await am.deleteSessionEvent('trip', second.eventId);
    await expect(am.getSessionEvent('trip', second.eventId)).rejects.toBeInstanceOf(NotFoundError);
    await am.deleteSessionMemory('trip');
    await expect(am.getSessionMemory('trip')).rejects.toBeInstanceOf(NotFoundError);
    await expect(am.deleteSessionMemory('trip')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('long-term memory: bulk create (idempotent re-post), get, search, memory prompt, update, fields, bulk delete', async () => {
    const { am } = await newStore();
    const memories = [
      { id: 'veg', text: 'The user is a vegetarian', ownerId: 'alice', topics: ['food'] },
      {
        id: 'trip',
        text: 'The user plans a trip to Rome',
        ownerId: 'alice',
        memoryType: 'trip_preference',
        namespace: 'travel',
        attributes: { destinations: ['rome'] },
        occurredAt: new Date(Date.UTC(2026, 5, 1)),
      },
    ];
    expect(await am.bulkCreateLongTermMemories({ memories })).toEqual({
      created: ['veg', 'trip'],
      errors: [],
    });
    // Re-posting the same ids and content is what a retry does: success, no copies.
    expect(await am.bulkCreateLongTermMemories({ memories })).toEqual({
      created: ['veg', 'trip'],
      errors: [],
    });

    const trip = await am.getLongTermMemory('trip');
    expect(trip).toMatchObject({ id: 'trip', namespace: 'travel', occurredAt: '2026-06-01T00:00:00.000Z' });

    const found = await am.searchLongTermMemory({
      text: 'vegetarian food',
      filter: { ownerId: { eq: 'alice' }, createdAt: { lte: new Date(Date.now() + 60_000) } },
      limit: 5,
      includeScores: true,
    });
    expect(found.items[0]).toMatchObject({ id: 'veg', score: expect.any(Number) });

    const prompt = await am.memoryPrompt({
      query: 'What should I cook tonight?',
      ownerId: 'alice',
      filter: { createdAt: { gte: new Date(Date.now() - 3_600_000) } },
      tokenBudget: 1_000,
    });
    expect(prompt.memoryIds).toContain('veg');
    expect(prompt.messages.at(-1)).toEqual({ role: 'user', content: 'What should I cook tonight?' });
    expect(prompt.usage.estimatedTokens).toBeLessThanOrEqual(1_000);

    const updated = await am.updateLongTermMemory('veg', { text: 'The user is a vegan', topics: ['diet'] });
    expect(updated).toMatchObject({ id: 'veg', text: 'The user is a vegan', topics: ['diet'] });

    const fields = await am.updateLongTermMemoryFields('trip', {
      memoryType: 'trip_preference',
      namespace: 'travel',
      attributes: { budget: 1200.5 },
    });
    expect(fields.attributes).toEqual({ destinations: ['rome'], budget: 1200.5 });
    await expect(
      am.updateLongTermMemoryFields('trip', { memoryType: 'trip_preference', namespace: 'other' }),
    ).rejects.toBeInstanceOf(ConflictError);

    expect(await am.bulkDeleteLongTermMemories({ memoryIds: ['veg', 'missing'] })).toMatchObject({
      deleted: ['veg'],
      errors: [expect.objectContaining({ id: 'missing' })],
    });
    expect(await am.deleteLongTermMemories({ memoryIds: ['trip'] })).toEqual({
      deleted: ['trip'],
      errors: [],
    });
    await expect(am.getLongTermMemory('trip')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('SDK against the local stack: provenance and idempotent creates', () => {
  it('pages a memory’s sources and sends the Idempotency-Key of a bulk create', async () => {
    const { am } = await newStore();
    const refs = ['crm:1', 'doc:guide-1:0-10', 'ticket_9'];
    const memories = [{ id: 'm1', text: 'The user likes trains', ownerId: 'alice', sourceRefs: refs }];
    const first = await am.bulkCreateLongTermMemories({ memories }, { idempotencyKey: 'sdk-key-1' });
    expect(first).toEqual({ created: ['m1'], errors: [] });
    await am.bulkDeleteLongTermMemories({ memoryIds: ['m1'] });
    // The retry answers the first answer without writing again.
    expect(await am.bulkCreateLongTermMemories({ memories }, { idempotencyKey: 'sdk-key-1' })).toEqual(first);
    await expect(am.getLongTermMemory('m1')).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      am.bulkCreateLongTermMemories(
        { memories: [{ ...memories[0]!, text: 'other' }] },
        { idempotencyKey: 'sdk-key-1' },
      ),
    ).rejects.toBeInstanceOf(ConflictError);

    await am.bulkCreateLongTermMemories({ memories });
    const page = await am.getMemorySources('m1', { limit: 2 });
    expect(page.totalSources).toBe(3);
    expect(page.sources.map((s) => s.kind)).toEqual(['external', 'document']);
    const all = [];
    for await (const source of am.iterateMemorySources('m1', { limit: 1 })) all.push(source.ref);
    expect(all).toEqual(refs);
  });
});

describe('SDK against the local stack: summary views', () => {
  it('create, list, get, refresh, read the result, feed the prompt, update, delete', async () => {
    const { am } = await newStore();
    await am.bulkCreateLongTermMemories({
      memories: [
        { id: 'v1', text: 'Ida swims every morning.', ownerId: 'ida' },
        { id: 'v2', text: 'Ida is allergic to cats.', ownerId: 'ida' },
      ],
    });
    const view = await am.createSummaryView({ name: 'profile', groupBy: ['ownerId'] });
    expect(view).toMatchObject({ name: 'profile', visibility: 'private', refresh: { mode: 'manual' } });
    expect((await am.listSummaryViews()).items.map((v) => v.id)).toEqual([view.id]);
    expect((await am.getSummaryView(view.id)).groupBy).toEqual(['ownerId']);
    const queued = await am.refreshSummaryView(view.id, { ownerId: 'ida' });
    expect(queued.status).toBe('queued');
    let result = await am.getSummaryViewResult(view.id, { ownerId: 'ida' });
    for (let i = 0; i < 200 && result.state !== 'ready'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      result = await am.getSummaryViewResult(view.id, { ownerId: 'ida' });
    }
    expect(result).toMatchObject({ state: 'ready', memoryCount: 2 });
    expect(result.text).toContain('Ida swims every morning.');
    expect((await am.listSummaryViewPartitions(view.id)).items).toHaveLength(1);
    const prompt = await am.memoryPrompt({ query: 'Any pets?', ownerId: 'ida', summaryViewId: view.id });
    expect(prompt.summaryView?.result).toBe('included');
    expect((await am.updateSummaryView(view.id, { name: 'renamed' })).name).toBe('renamed');
    await am.deleteSummaryView(view.id);
    await expect(am.getSummaryView(view.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('SDK against the local stack: browsers', () => {
  it('namespaces: create by path, list, get, rename, move memories, archive, delete', async () => {
    const { am } = await newStore();
    const { namespace: leaf } = await am.createNamespace({
      path: 'trips/japan',
      scope: 'PERSONAL',
      ownerId: 'u1',
    });
    expect(leaf.path).toBe('trips/japan');
    const names: string[] = [];
    for await (const ns of am.iterateNamespaces({ scope: 'PERSONAL', ownerId: 'u1', limit: 1 }))
      names.push(ns.name);
    expect(names).toEqual(['trips']);
    const renamed = await am.updateNamespace(leaf.parentId!, { name: 'travel' });
    expect(renamed.namespace.path).toBe('travel');
    expect((await am.getNamespace(leaf.namespaceId)).namespace.path).toBe('travel/japan');
    await am.bulkCreateLongTermMemories({
      memories: [{ id: 'kyoto', text: 'Visit Kyoto in spring', ownerId: 'u1' }],
    });
    const moved = await am.moveLongTermMemories({
      memoryIds: ['kyoto'],
      namespaceRef: { namespaceId: leaf.namespaceId },
    });
    expect(moved).toEqual({ moved: ['kyoto'], errors: [] });
    const found = await am.searchLongTermMemory({ filter: { namespaceRef: { eq: leaf.namespaceId } } });
    expect(found.items.map((m) => m.namespaceRef?.path)).toEqual(['travel/japan']);
    await expect(am.deleteNamespace(leaf.namespaceId)).rejects.toBeInstanceOf(ConflictError);
    await am.updateNamespace(leaf.namespaceId, { state: 'ARCHIVED' });
    await am.bulkDeleteLongTermMemories({ memoryIds: ['kyoto'] });
    await am.deleteNamespace(leaf.namespaceId);
    await expect(am.getNamespace(leaf.namespaceId)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lets a page read Retry-After and the request id of a cross-origin answer', async () => {
    const { storeId, apiKey } = await newStore();
    const response = await fetch(`${stack().apiUrl}/v1/stores/${storeId}/health`, {
      headers: { authorization: `Bearer ${apiKey}`, origin: PAGE_ORIGIN },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/Retry-After.*x-amzn-RequestId/i);
  });
});

describe('SDK against the local stack: typed errors', () => {
  it('400 with fields, never retried', async () => {
    const { fetchImpl, attempts } = recordingFetch();
    const { am } = await newStore({ fetch: fetchImpl });
    const error = await am
      .addSessionEvent({ ...turn('s', 0), actorId: 'not valid!' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      problem: { type: '/errors/invalid-data', status: 400 },
      fields: [expect.objectContaining({ field: 'actorId' })],
    });
    expect(attempts).toHaveLength(1);
    await expect(am.listSessions({})).rejects.toMatchObject({
      status: 400,
      fields: [expect.objectContaining({ field: 'includeAll' })],
    });
  });

  it('401 for an unknown key, 403 for a store the key has no grant on, 404 for a missing store item', async () => {
    const { am, storeId } = await newStore();
    const stranger = new AgentMemory({ serverURL: stack().apiUrl, apiKey: `amk${'0'.repeat(72)}`, storeId });
    await expect(stranger.storeHealth()).rejects.toBeInstanceOf(UnauthorizedError);

    const other = await newStore();
    const error = await am.storeHealth({ storeId: other.storeId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ status: 403, problem: { type: '/errors/insufficient-permissions' } });

    const missing = await am.getLongTermMemory('nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, problem: { type: '/errors/resource-not-found' } });
  });
});

describe('SDK against the local stack: pagination', () => {
  it('walks sessions, session rows and search results over several pages', async () => {
    const { fetchImpl, attempts } = recordingFetch();
    const { am } = await newStore({ fetch: fetchImpl });
    const sessionIds = ['s-a', 's-b', 's-c', 's-d', 's-e'];
    for (const [i, id] of sessionIds.entries()) await am.addSessionEvent(turn(id, i));
    const requests = (path: string) => attempts.filter((a) => new URL(a.url).pathname.endsWith(path)).length;

    const seen: string[] = [];
    for await (const id of am.iterateSessions({ includeAll: true, limit: 2 })) seen.push(id);
    expect(seen.sort()).toEqual(sessionIds);
    expect(requests('/session-memory')).toBe(3);

    const rows: string[] = [];
    for await (const row of am.iterateSessionSummaries({ includeAll: true, limit: 2, sortBy: 'sessionId' })) {
      rows.push(row.sessionId);
    }
    expect(rows).toEqual(sessionIds);
    expect(requests('/sessions')).toBe(3);

    const memories = Array.from({ length: 7 }, (_, i) => ({
      id: `m-${i}`,
      text: `The user visited city number ${i}`,
      ownerId: 'bob',
    }));
    await am.bulkCreateLongTermMemories({ memories });
    const listed: string[] = [];
    for await (const record of am.iterateLongTermMemory({ filter: { ownerId: { eq: 'bob' } }, limit: 3 })) {
      listed.push(record.id);
    }
    expect(listed.sort()).toEqual(memories.map((m) => m.id).sort());
    expect(requests('/search')).toBe(3);
    const searched: string[] = [];
    for await (const record of am.iterateSearch({ text: 'city', searchMode: 'keyword', limit: 2 })) {
      searched.push(record.id);
    }
    expect(new Set(searched).size).toBe(7);
    expect(requests('/search')).toBe(7);
  });
});

describe('SDK against the local stack: retries through real faults', () => {
  it('a 424 with Retry-After from a database outage is waited out, then the append succeeds', async () => {
    const { fetchImpl, attempts } = recordingFetch();
    const { am, storeId } = await newStore({ fetch: fetchImpl });
    await am.addSessionEvent(turn('chat', 0));
    // The database answers 503 to the next append (its client does not retry that): the service answers 424.
    stack().upstash.failNext({ kind: 'status', status: 503 }, { command: appendCommand(storeId) });
    const { event } = await am.addSessionEvent(turn('chat', 1));
    const appends = attempts.filter((a) => a.method === 'POST').slice(1);
    expect(appends.map((a) => a.status)).toEqual([424, 201]);
    expect(appends[1]!.at - appends[0]!.at).toBeGreaterThanOrEqual(950);
    const session = await am.getSessionMemory('chat');
    expect(session.events.map((e) => e.eventId)).toContain(event.eventId);
    expect(session.events).toHaveLength(2);
  });

  it('an append whose answer was lost is retried with its Idempotency-Key: stored once', async () => {
    const { fetchImpl, attempts } = recordingFetch();
    const { am, storeId } = await newStore({ fetch: fetchImpl });
    // The append runs, but every answer to the service is lost, so it answers 424 though it stored.
    stack().upstash.failNext(
      { kind: 'drop', stage: 'before-response' },
      { command: appendCommand(storeId), count: 3 },
    );
    const { event } = await am.addSessionEvent(turn('idem', 0));
    expect(attempts.map((a) => a.status)).toEqual([424, 201]);
    const session = await am.getSessionMemory('idem');
    expect(session.events.map((e) => e.eventId)).toEqual([event.eventId]);
  });

  it('without retries the caller sees the DependencyError with its Retry-After', async () => {
    const { am, storeId } = await newStore({ retry: false });
    stack().upstash.failNext({ kind: 'status', status: 503 }, { command: appendCommand(storeId) });
    const error = await am.addSessionEvent(turn('chat', 0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({
      status: 424,
      retryable: true,
      problem: { type: '/errors/resource-unavailable' },
    });
    expect((error as DependencyError).retryAfterMs).toBeGreaterThanOrEqual(1_000);
  });
});

describe('the SDK on the November path family', () => {
  it('calls /iris/data/v1/agent-memory with pathFamily iris, and starts and appends to sessions there', async () => {
    const recorder = recordingFetch();
    const { storeId, apiKey, am: v1 } = await newStore();
    const am = new AgentMemory({
      serverURL: stack().apiUrl,
      apiKey,
      storeId,
      pathFamily: 'iris',
      fetch: recorder.fetchImpl,
    });
    expect(await am.health()).toEqual({ status: 'healthy' });

    const started = await am.createSession(turn(undefined, 1, 'I am planning a trip'), {
      idempotencyKey: 'sdk-start',
    });
    expect(started.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(started.event.sessionId).toBe(started.sessionId);
    const again = await am.createSession(turn(undefined, 1, 'I am planning a trip'), {
      idempotencyKey: 'sdk-start',
    });
    expect(again).toEqual(started);
    const appended = await am.appendSessionEvent(started.sessionId, turn(undefined, 2, 'to Japan'));
    expect(appended.event.sessionId).toBe(started.sessionId);

    // The same session through either family's methods.
    const viaIris = await am.getSessionMemory(started.sessionId);
    const viaV1 = await v1.getSessionMemory(started.sessionId);
    expect(viaIris).toEqual(viaV1);
    expect(viaV1.events.map((event) => event.content[0]?.text)).toEqual(['I am planning a trip', 'to Japan']);

    const paths = recorder.attempts.map((attempt) => new URL(attempt.url).pathname);
    expect(paths.length).toBeGreaterThanOrEqual(5);
    for (const path of paths) expect(path.startsWith('/iris/data/v1/agent-memory/'), path).toBe(true);

    await expect(
      am.appendSessionEvent(started.sessionId, { ...turn(undefined, 3), sessionId: 'other' } as never),
    ).rejects.toBeInstanceOf(BadRequestError);
    expect(
      () => new AgentMemory({ serverURL: stack().apiUrl, apiKey: 'k', pathFamily: 'v2' as never }),
    ).toThrow(/pathFamily/);
  });
});
