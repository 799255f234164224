import { describe, expect, it } from 'vitest';
import { httpRoutes } from '../../functions/catalog.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

const stack = useLocalStack();

const event = {
  actorId: 'user-1',
  role: 'USER',
  content: [{ text: 'secret plans' }],
  createdAt: '2026-01-01T00:00:00Z',
};

describe('keys and stores', () => {
  it('keeps each key inside its own store', async () => {
    const storeA = uniqueStoreId('a');
    const storeB = uniqueStoreId('b');
    await stack().createStore(storeA);
    await stack().createStore(storeB);
    const keyA = await stack().mintApiKey({ [storeA]: ['read', 'write'] });
    const keyB = await stack().mintApiKey({ [storeB]: ['read', 'write'] });
    const a = apiClient(stack().apiUrl, keyA);
    const b = apiClient(stack().apiUrl, keyB);

    const written = await b.post(`/v1/stores/${storeB}/session-memory/events`, {
      ...event,
      sessionId: 'shared-id',
    });
    expect(written.status).toBe(201);
    const eventId = written.body.event.eventId;

    // Key A on store B: every route answers 403 with the problem body and no data.
    const probes = [
      a.get(`/v1/stores/${storeB}/health`),
      a.post(`/v1/stores/${storeB}/session-memory/events`, event),
      a.get(`/v1/stores/${storeB}/session-memory?includeAll=true`),
      a.get(`/v1/stores/${storeB}/sessions?includeAll=true`),
      a.get(`/v1/stores/${storeB}/session-memory/shared-id`),
      a.delete(`/v1/stores/${storeB}/session-memory/shared-id`),
      a.get(`/v1/stores/${storeB}/session-memory/shared-id/events/${eventId}`),
      a.delete(`/v1/stores/${storeB}/session-memory/shared-id/events/${eventId}`),
    ];
    for (const response of await Promise.all(probes)) {
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ type: '/errors/insufficient-permissions', status: 403 });
      expect(JSON.stringify(response.body)).not.toContain('secret plans');
    }
    // The same session id in store A is a different session.
    expect((await a.get(`/v1/stores/${storeA}/session-memory/shared-id`)).status).toBe(404);
    expect((await b.get(`/v1/stores/${storeB}/session-memory/shared-id`)).status).toBe(200);
  });

  it('answers 401 without a key or with an unknown one, and accepts X-Api-Key', async () => {
    const storeId = uniqueStoreId();
    await stack().createStore(storeId);
    const key = await stack().mintApiKey({ [storeId]: ['read'] });
    const path = `/v1/stores/${storeId}/session-memory?includeAll=true`;

    const none = await apiClient(stack().apiUrl).get(path);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ type: '/errors/authentication-failed', status: 401 });
    expect((await apiClient(stack().apiUrl, 'amk-not-a-real-key').get(path)).status).toBe(401);
    const malformed = await apiClient(stack().apiUrl).get(path, {
      headers: { authorization: `Basic ${key}` },
    });
    expect(malformed.status).toBe(401);

    expect((await apiClient(stack().apiUrl, key, 'x-api-key').get(path)).status).toBe(200);
    expect((await apiClient(stack().apiUrl, key, 'bearer').get(path)).status).toBe(200);
  });

  it('lets a read grant read but not write; write implies read', async () => {
    const storeId = uniqueStoreId();
    await stack().createStore(storeId);
    const reader = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read'] }));
    const writer = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['write'] }));
    const base = `/v1/stores/${storeId}`;

    const denied = await reader.post(`${base}/session-memory/events`, event);
    expect(denied.status).toBe(403);
    expect((await writer.post(`${base}/session-memory/events`, { ...event, sessionId: 'w' })).status).toBe(
      201,
    );
    expect((await writer.get(`${base}/session-memory/w`)).status).toBe(200);
    expect((await reader.get(`${base}/session-memory/w`)).status).toBe(200);
    expect((await reader.delete(`${base}/session-memory/w`)).status).toBe(403);
  });

  it('keeps every route of the catalog, in both path families, closed to keys without a grant on the path store', async () => {
    const storeA = uniqueStoreId('a');
    const storeB = uniqueStoreId('b');
    await stack().createStore(storeA);
    await stack().createStore(storeB);
    const writerB = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeB]: ['read', 'write'] }));
    const written = await writerB.post(`/v1/stores/${storeB}/session-memory/events`, {
      ...event,
      sessionId: 's-b',
    });
    const eventId = written.body.event.eventId as string;
    expect(
      (
        await writerB.post(`/v1/stores/${storeB}/long-term-memory`, {
          memories: [{ id: 'm-b', text: 'secret plans of B', ownerId: 'user-1' }],
        })
      ).status,
    ).toBe(201);

    // Keys of every kind that must not reach store B: a full key on A, a read-only key on A.
    const strangers = [
      await stack().mintApiKey({ [storeA]: ['read', 'write'] }),
      await stack().mintApiKey({ [storeA]: ['read'] }),
    ];
    const view = await writerB.post(`/v1/stores/${storeB}/summary-views`, {
      name: 'secret plans view',
      visibility: 'shared',
    });
    expect(view.status).toBe(201);
    const namespace = await writerB.post(`/v1/stores/${storeB}/namespaces`, {
      name: 'b-ns',
      scope: 'SHARED',
    });
    const namespaceId = namespace.body.namespace.namespaceId as string;
    const params: Record<string, string> = {
      storeId: storeB,
      sessionId: 's-b',
      eventId,
      memoryId: 'm-b',
      viewId: view.body.id,
      namespaceId,
      ownerId: 'user-1',
      jobId: 'a'.repeat(32),
    };
    // By operation (functions/catalog.ts): a route and its November alias share one.
    const bodies: Record<string, unknown> = {
      'add-session-event': event,
      'append-session-event': event,
      'create-session': event,
      'bulk-create-memories': { memories: [{ text: 'planted', ownerId: 'user-1' }] },
      'bulk-delete-memories': { memoryIds: ['m-b'] },
      'search-memories': { text: 'secret plans' },
      'memory-prompt': { query: 'secret plans', sessionId: 's-b' },
      'update-memory': { text: 'overwritten' },
      'update-memory-fields': { topics: ['x'] },
      'import-memories': { id: 'm-i', text: 'planted', ownerId: 'user-1' },
      'create-summary-view': { name: 'planted' },
      'update-summary-view': { name: 'renamed' },
      'refresh-summary-view': {},
      'move-memories': { memoryIds: ['m-b'], namespaceRef: { namespaceId } },
      'create-namespace': { name: 'planted', scope: 'SHARED' },
      'update-namespace': { name: 'renamed' },
      mcp: {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'search_long_term_memory', arguments: { text: 'secret plans' } },
      },
    };
    const guarded = httpRoutes.filter((route) => route.action !== 'none');
    // Only the liveness probes, /health and its November twin, are open.
    expect(httpRoutes.filter((route) => route.action === 'none').map((route) => route.path)).toEqual([
      '/health',
      '/iris/data/v1/agent-memory/health/live',
    ]);
    for (const route of guarded.filter((candidate) => candidate.family === 'v1')) {
      const twin = guarded.find((other) => other.aliasOf === route.path && other.method === route.method);
      expect(twin, `the November twin of ${route.method} ${route.path}`).toBeDefined();
    }
    for (const token of strangers) {
      const api = apiClient(stack().apiUrl, token);
      for (const route of guarded) {
        const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name]!);
        const query = route.method === 'GET' && !route.path.includes('{sessionId}') ? '?includeAll=true' : '';
        const response = await api.request(route.method, `${path}${query}`, bodies[route.operation]);
        expect(response.status, `${route.method} ${route.path}`).toBe(403);
        expect(response.body).toMatchObject({ type: '/errors/insufficient-permissions' });
        expect(JSON.stringify(response.body)).not.toContain('secret plans');
      }
    }
    // Nothing of B changed: its event and memory are intact.
    expect((await writerB.get(`/v1/stores/${storeB}/session-memory/s-b/events/${eventId}`)).status).toBe(200);
    expect((await writerB.get(`/v1/stores/${storeB}/summary-views/${view.body.id}`)).body.name).toBe(
      'secret plans view',
    );
    const memory = await writerB.get(`/v1/stores/${storeB}/long-term-memory/m-b`);
    expect(memory.body.text).toBe('secret plans of B');
    expect(memory.body).not.toHaveProperty('namespaceRef');
    expect((await writerB.get(`/v1/stores/${storeB}/namespaces/${namespaceId}`)).body.namespace.name).toBe(
      'b-ns',
    );
  });

  it('answers 404 with a problem body for routes that do not exist', async () => {
    for (const path of [
      '/v1/nothing-here',
      '/iris/data/v1/agent-memory/nothing-here',
      '/iris/data/v2/agent-memory/health/live',
    ]) {
      const r = await apiClient(stack().apiUrl).get(path);
      expect(r.status, path).toBe(404);
      expect(r.body).toMatchObject({ type: '/errors/resource-not-found' });
    }
  });
});
