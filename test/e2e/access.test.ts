import { describe, expect, it } from 'vitest';
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

  it('answers 404 with a problem body for routes that do not exist', async () => {
    const r = await apiClient(stack().apiUrl).get('/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ type: '/errors/resource-not-found' });
  });
});
