import { Redis as RedisClient } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { newApiKeyToken } from '../../lib/domain/api-key.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

const stack = useLocalStack();

async function newStore(config: Parameters<ReturnType<typeof stack>['createStore']>[1] = {}) {
  const storeId = uniqueStoreId();
  await stack().createStore(storeId, config);
  const key = await stack().mintApiKey({ [storeId]: ['read', 'write'] });
  return { storeId, api: apiClient(stack().apiUrl, key), base: `/v1/stores/${storeId}` };
}

function event(overrides: Record<string, unknown> = {}) {
  return {
    actorId: 'user-1',
    role: 'USER',
    content: [{ text: "I'm planning a trip to Japan next month." }],
    createdAt: '2026-06-25T18:00:00Z',
    ...overrides,
  };
}

describe('session memory over HTTP', () => {
  it('serves /health without a key', async () => {
    const response = await apiClient(stack().apiUrl).get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'healthy' });
  });

  it('reports store health', async () => {
    const { api, base } = await newStore();
    const response = await api.get(`${base}/health`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'healthy', features: { sessionMemory: { status: 'healthy' } } });
  });

  it('appends an event, generating session and event ids', async () => {
    const { api, base } = await newStore();
    const response = await api.post(
      `${base}/session-memory/events`,
      event({ metadata: { browser: 'Chrome' } }),
    );
    expect(response.status).toBe(201);
    const created = response.body.event;
    expect(created.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.eventId).toMatch(/^[a-zA-Z0-9]{32}$/);
    expect(created).toMatchObject({
      actorId: 'user-1',
      role: 'USER',
      content: [{ text: "I'm planning a trip to Japan next month." }],
      createdAt: '2026-06-25T18:00:00.000Z',
      metadata: { browser: 'Chrome' },
    });
    expect(Date.parse(created.systemTimestamp)).toBeGreaterThan(Date.now() - 60_000);

    const fetched = await api.get(`${base}/session-memory/${created.sessionId}/events/${created.eventId}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual({ event: created });
  });

  it('lets the first event fix owner and namespace', async () => {
    const { api, base } = await newStore();
    await api.post(`${base}/session-memory/events`, event({ sessionId: 's-1', namespace: 'travel' }));
    await api.post(
      `${base}/session-memory/events`,
      event({ sessionId: 's-1', actorId: 'travel-agent', role: 'ASSISTANT', namespace: 'other' }),
    );
    const session = await api.get(`${base}/session-memory/s-1`);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ sessionId: 's-1', ownerId: 'user-1', namespace: 'travel' });
    expect(session.body.events.map((e: { actorId: string }) => e.actorId)).toEqual([
      'user-1',
      'travel-agent',
    ]);
  });

  it('omits namespace when the session has none', async () => {
    const { api, base } = await newStore();
    await api.post(`${base}/session-memory/events`, event({ sessionId: 'no-ns' }));
    const session = await api.get(`${base}/session-memory/no-ns`);
    expect(session.body).not.toHaveProperty('namespace');
    expect(session.body).not.toHaveProperty('summary');
  });

  it('returns events ordered by createdAt, whatever the arrival order', async () => {
    const { api, base } = await newStore();
    for (const minute of [30, 10, 20, 0]) {
      const createdAt = `2026-06-25T18:${String(minute).padStart(2, '0')}:00Z`;
      const r = await api.post(`${base}/session-memory/events`, event({ sessionId: 'ordered', createdAt }));
      expect(r.status).toBe(201);
    }
    const session = await api.get(`${base}/session-memory/ordered`);
    expect(session.body.events.map((e: { createdAt: string }) => e.createdAt.slice(14, 16))).toEqual([
      '00',
      '10',
      '20',
      '30',
    ]);
  });

  it('keeps every one of 50 concurrent appends to one session, in createdAt order', async () => {
    const { api, base } = await newStore();
    const times = Array.from({ length: 50 }, (_, i) => Date.UTC(2026, 5, 25, 18, 0, 0, i * 10));
    const shuffled = [...times].sort(() => Math.random() - 0.5);
    const responses = await Promise.all(
      shuffled.map((t, i) =>
        api.post(
          `${base}/session-memory/events`,
          event({
            sessionId: 'busy',
            createdAt: new Date(t).toISOString(),
            content: [{ text: `turn ${i}` }],
          }),
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const session = await api.get(`${base}/session-memory/busy`);
    const got = session.body.events.map((e: { createdAt: string }) => Date.parse(e.createdAt));
    expect(got).toEqual(times);
    const ids = new Set(session.body.events.map((e: { eventId: string }) => e.eventId));
    expect(ids.size).toBe(50);
  });

  it('round-trips unicode and awkward text exactly', async () => {
    const { api, base } = await newStore();
    const text =
      'Grüße 👋🏽 東京と京都 — مرحبا "quoted" \\ back\nslash \u0000 nul e\u0301 true {"json":1} 0x1F';
    const r = await api.post(
      `${base}/session-memory/events`,
      event({ sessionId: 'unicode', content: [{ text }] }),
    );
    expect(r.status).toBe(201);
    const session = await api.get(`${base}/session-memory/unicode`);
    expect(session.body.events[0].content[0].text).toBe(text);
  });

  it('stores a 200 KB event and refuses a 1 MB body with 413', async () => {
    const { api, base } = await newStore();
    const big = 'x'.repeat(200_000);
    const ok = await api.post(
      `${base}/session-memory/events`,
      event({ sessionId: 'big', content: [{ text: big }] }),
    );
    expect(ok.status).toBe(201);
    const session = await api.get(`${base}/session-memory/big`);
    expect(session.body.events[0].content[0].text).toHaveLength(200_000);

    const tooBig = await api.post(
      `${base}/session-memory/events`,
      event({ sessionId: 'big', content: [{ text: 'y'.repeat(1_100_000) }] }),
    );
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ type: '/errors/payload-too-large', status: 413 });
    expect(tooBig.body.fields[0].field).toBe('body');

    const tooMuchText = await api.post(
      `${base}/session-memory/events`,
      event({ sessionId: 'big', content: [{ text: 'z'.repeat(300_000) }] }),
    );
    expect(tooMuchText.status).toBe(413);
    expect(tooMuchText.body.fields[0].field).toBe('content');

    const bigMetadata = await api.post(
      `${base}/session-memory/events`,
      event({ sessionId: 'big', metadata: { blob: 'm'.repeat(17_000) } }),
    );
    expect(bigMetadata.status).toBe(413);
    expect(bigMetadata.body.fields[0].field).toBe('metadata');
  });

  it('names the bad field in every validation error', async () => {
    const { api, base } = await newStore();
    const cases: Array<[unknown, string]> = [
      [event({ actorId: 'has space' }), 'actorId'],
      [event({ sessionId: 'x'.repeat(65) }), 'sessionId'],
      [event({ namespace: 'a/b' }), 'namespace'],
      [event({ role: 'ROBOT' }), 'role'],
      [event({ createdAt: 'yesterday' }), 'createdAt'],
      [event({ content: [] }), 'content'],
      [event({ content: [{ image: 'x' }] }), 'content.0.text'],
      [{ ...event(), actorId: undefined }, 'actorId'],
    ];
    for (const [body, field] of cases) {
      const r = await api.post(`${base}/session-memory/events`, body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.body).toMatchObject({ type: '/errors/invalid-data', title: expect.any(String), status: 400 });
      expect(r.body.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
  });

  it('rejects malformed JSON, wrong content types and missing bodies with 400', async () => {
    const { api, base } = await newStore();
    const badJson = await api.post(`${base}/session-memory/events`, '{"actorId": ');
    expect(badJson.status).toBe(400);
    expect(badJson.body.fields[0].field).toBe('body');
    const form = await api.post(`${base}/session-memory/events`, 'a=b', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(400);
    const empty = await api.post(`${base}/session-memory/events`);
    expect(empty.status).toBe(400);
    const array = await api.post(`${base}/session-memory/events`, [1, 2]);
    expect(array.status).toBe(400);
  });

  it('rejects bad ids in paths with 400 and unknown ones with 404', async () => {
    const { api, base } = await newStore();
    const encodedSlash = await api.get(`${base}/session-memory/a%2Fb`);
    expect(encodedSlash.status).toBe(400);
    expect(encodedSlash.body.fields[0].field).toBe('sessionId');
    expect((await api.get(`${base}/session-memory/${'s'.repeat(65)}`)).status).toBe(400);
    expect((await api.get(`${base}/session-memory/a*b`)).status).toBe(400);
    expect((await api.get(`${base}/session-memory/missing`)).status).toBe(404);
    const badEvent = await api.get(`${base}/session-memory/missing/events/short`);
    expect(badEvent.status).toBe(400);
    expect(badEvent.body.fields[0].field).toBe('eventId');
    const unknownEvent = await api.get(`${base}/session-memory/missing/events/${'a'.repeat(32)}`);
    expect(unknownEvent.status).toBe(404);
    expect(unknownEvent.body).toMatchObject({ type: '/errors/resource-not-found', status: 404 });
  });

  it('deletes events and sessions', async () => {
    const { api, base } = await newStore();
    const first = await api.post(`${base}/session-memory/events`, event({ sessionId: 'gone' }));
    const second = await api.post(`${base}/session-memory/events`, event({ sessionId: 'gone' }));
    const eventPath = `${base}/session-memory/gone/events/${first.body.event.eventId}`;
    const deletedEvent = await api.delete(eventPath);
    expect(deletedEvent.status).toBe(204);
    expect(deletedEvent.body).toBeUndefined();
    expect((await api.get(eventPath)).status).toBe(404);
    expect((await api.delete(eventPath)).status).toBe(404);
    const remaining = await api.get(`${base}/session-memory/gone`);
    expect(remaining.body.events.map((e: { eventId: string }) => e.eventId)).toEqual([
      second.body.event.eventId,
    ]);

    expect((await api.delete(`${base}/session-memory/gone`)).status).toBe(204);
    expect((await api.get(`${base}/session-memory/gone`)).status).toBe(404);
    expect((await api.delete(`${base}/session-memory/gone`)).status).toBe(404);
    const listed = await api.get(`${base}/session-memory?includeAll=true`);
    expect(listed.body).toEqual({ items: [], total: 0 });
  });

  it('requires exactly one of filterOwnerId and includeAll=true', async () => {
    const { api, base } = await newStore();
    for (const query of ['', '?includeAll=false', '?filterOwnerId=u&includeAll=true', '?includeAll=yes']) {
      const r = await api.get(`${base}/session-memory${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.fields.length).toBeGreaterThan(0);
    }
    for (const query of ['?limit=0', '?limit=1001', '?limit=abc', '?includeAll=true&includeAll=true']) {
      expect((await api.get(`${base}/session-memory?includeAll=true&${query.slice(1)}`)).status, query).toBe(
        400,
      );
    }
  });

  it('pages through sessions, per owner and across owners', async () => {
    const { api, base } = await newStore();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const owner = i % 2 === 0 ? 'alice' : 'bob';
      const sessionId = `sess-${i}`;
      await api.post(`${base}/session-memory/events`, event({ sessionId, actorId: owner }));
      created.push(sessionId);
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = `?includeAll=true&limit=3${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`;
      const page = await api.get(`${base}/session-memory${query}`);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(7);
      seen.push(...page.body.items);
      token = page.body.nextPageToken;
      pages += 1;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(created);

    const alice = await api.get(`${base}/session-memory?filterOwnerId=alice&limit=2`);
    expect(alice.body.total).toBe(4);
    expect(alice.body.items).toEqual(['sess-0', 'sess-2']);
    const aliceNext = await api.get(
      `${base}/session-memory?filterOwnerId=alice&limit=2&pageToken=${alice.body.nextPageToken}`,
    );
    expect(aliceNext.body.items).toEqual(['sess-4', 'sess-6']);
    expect(aliceNext.body).not.toHaveProperty('nextPageToken');

    const reused = await api.get(
      `${base}/session-memory?filterOwnerId=bob&pageToken=${alice.body.nextPageToken}`,
    );
    expect(reused.status).toBe(400);
    expect(reused.body.fields[0].field).toBe('pageToken');
    expect((await api.get(`${base}/session-memory?includeAll=true&pageToken=garbage`)).status).toBe(400);

    // A real token with its offset edited (the scope hash kept) fails the signature: 400, not page 2.
    const [payload, mac] = (alice.body.nextPageToken as string).split('.') as [string, string];
    const edited = { ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), o: 0 };
    const tampered = `${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${mac}`;
    const forged = await api.get(`${base}/session-memory?filterOwnerId=alice&limit=2&pageToken=${tampered}`);
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ type: '/errors/invalid-data', fields: [{ field: 'pageToken' }] });
  });

  it('lists session rows sorted by id, creation or last update', async () => {
    const { api, base } = await newStore();
    await api.post(`${base}/session-memory/events`, event({ sessionId: 'charlie', namespace: 'travel' }));
    await api.post(`${base}/session-memory/events`, event({ sessionId: 'alpha' }));
    await api.post(`${base}/session-memory/events`, event({ sessionId: 'bravo', actorId: 'user-2' }));
    await api.post(`${base}/session-memory/events`, event({ sessionId: 'charlie' }));

    const byId = await api.get(`${base}/sessions?includeAll=true&sortBy=sessionId`);
    expect(byId.status).toBe(200);
    expect(byId.body.items.map((row: { sessionId: string }) => row.sessionId)).toEqual([
      'alpha',
      'bravo',
      'charlie',
    ]);
    expect(byId.body.total).toBe(3);
    const charlie = byId.body.items[2];
    expect(charlie).toMatchObject({
      sessionId: 'charlie',
      ownerId: 'user-1',
      namespaceRef: { namespaceId: 'travel', name: 'travel', path: 'travel' },
    });
    expect(Date.parse(charlie.updatedAt)).toBeGreaterThanOrEqual(Date.parse(charlie.createdAt));

    const byUpdate = await api.get(`${base}/sessions?includeAll=true`);
    expect(byUpdate.body.items[0].sessionId).toBe('charlie');
    const byCreation = await api.get(`${base}/sessions?includeAll=true&sortBy=createdAt&sortOrder=asc`);
    expect(byCreation.body.items.map((row: { sessionId: string }) => row.sessionId)).toEqual([
      'charlie',
      'alpha',
      'bravo',
    ]);
    const owned = await api.get(`${base}/sessions?filterOwnerId=user-2`);
    expect(owned.body.items.map((row: { sessionId: string }) => row.sessionId)).toEqual(['bravo']);
    expect((await api.get(`${base}/sessions?includeAll=true&sortBy=size`)).status).toBe(400);
  });

  // Real Redis TTLs, so real time passes (about 5 s). A 2 s TTL refreshed every 600 ms leaves 1.4 s
  // for a stalled request on a busy runner; every wait for an expiry sleeps past the TTL, so a stall
  // there only adds margin.
  it('expires sessions after the store TTL and refreshes the TTL on every append', {
    tags: ['slow'],
  }, async () => {
    const ttlMs = 2_000;
    const { api, base } = await newStore({ shortMemory: { ttlSeconds: ttlMs / 1000 } });
    await api.post(`${base}/session-memory/events`, event({ sessionId: 'short' }));
    expect((await api.get(`${base}/session-memory/short`)).status).toBe(200);

    // Appends every 600 ms keep a 2 s session alive past its TTL; 'short', left alone, expires.
    await api.post(`${base}/session-memory/events`, event({ sessionId: 'kept' }));
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 600));
      expect((await api.post(`${base}/session-memory/events`, event({ sessionId: 'kept' }))).status).toBe(
        201,
      );
    }
    expect((await api.get(`${base}/session-memory/short`)).status).toBe(404);
    const kept = await api.get(`${base}/session-memory/kept`);
    expect(kept.status).toBe(200);
    expect(kept.body.events).toHaveLength(5);
    const listed = await api.get(`${base}/session-memory?includeAll=true`);
    expect(listed.body).toEqual({ items: ['kept'], total: 1 });
    const rows = await api.get(`${base}/sessions?filterOwnerId=user-1`);
    expect(rows.body.items.map((row: { sessionId: string }) => row.sessionId)).toEqual(['kept']);

    await new Promise((r) => setTimeout(r, ttlMs + 200));
    expect((await api.get(`${base}/session-memory/kept`)).status).toBe(404);
    expect((await api.get(`${base}/session-memory?includeAll=true`)).body).toEqual({ items: [], total: 0 });

    // Nothing of the expired sessions is left behind in Redis.
    const redis = new RedisClient(stack().redis.url);
    try {
      const storeId = base.split('/')[3];
      expect(await redis.keys(`am:{${storeId}}:session:*`)).toEqual([]);
      expect(await redis.zcard(`am:{${storeId}}:sessions:by-created`)).toBe(0);
      expect(await redis.hlen(`am:{${storeId}}:sessions:owners`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('answers 404 for a store that does not exist even with a grant on it', async () => {
    const storeId = uniqueStoreId('never-created');
    // The control plane refuses grants on missing stores; a seeded key (chosen token) skips that
    // check, standing in for a grant that outlived its store in a race with the deletion.
    const key = await stack().mintApiKey({ [storeId]: ['write'] }, newApiKeyToken().token);
    const api = apiClient(stack().apiUrl, key);
    const r = await api.post(`/v1/stores/${storeId}/session-memory/events`, event());
    expect(r.status).toBe(404);
    expect((await api.get(`/v1/stores/${storeId}/health`)).status).toBe(404);
  });
});

describe('session memory under the November path family (/iris/data/v1/agent-memory)', () => {
  const iris = (storeId: string) => `/iris/data/v1/agent-memory/stores/${storeId}`;

  it('serves liveness at /iris/data/v1/agent-memory/health/live without a key', async () => {
    const response = await apiClient(stack().apiUrl).get('/iris/data/v1/agent-memory/health/live');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'healthy' });
  });

  it('appends with the session from the path, and both families read the same session', async () => {
    const { storeId, api, base } = await newStore();
    const first = await api.post(`${iris(storeId)}/sessions/trip-1/events`, event());
    expect(first.status).toBe(201);
    expect(first.body.event).toMatchObject({ sessionId: 'trip-1', actorId: 'user-1' });
    // The body's sessionId may repeat the path's.
    const second = await api.post(
      `${iris(storeId)}/sessions/trip-1/events`,
      event({ sessionId: 'trip-1', role: 'ASSISTANT', content: [{ text: 'Noted.' }] }),
    );
    expect(second.status).toBe(201);
    const viaV1 = await api.get(`${base}/session-memory/trip-1`);
    const viaIris = await api.get(`${iris(storeId)}/session-memory/trip-1`);
    expect(viaV1.status).toBe(200);
    expect(viaIris.body).toEqual(viaV1.body);
    expect(viaV1.body.events.map((e: { eventId: string }) => e.eventId)).toEqual([
      first.body.event.eventId,
      second.body.event.eventId,
    ]);
  });

  it("answers 400 naming sessionId when the body's differs from the path's", async () => {
    const { storeId, api } = await newStore();
    const response = await api.post(
      `${iris(storeId)}/sessions/trip-1/events`,
      event({ sessionId: 'trip-2' }),
    );
    expect(response.status).toBe(400);
    expect(response.body.fields).toEqual([expect.objectContaining({ field: 'sessionId' })]);
    expect((await api.get(`${iris(storeId)}/session-memory/trip-1`)).status).toBe(404);
    expect((await api.get(`${iris(storeId)}/session-memory/trip-2`)).status).toBe(404);
    const badPath = await api.post(`${iris(storeId)}/sessions/${encodeURIComponent('a b')}/events`, event());
    expect(badPath.status).toBe(400);
    expect(badPath.body.fields).toEqual([expect.objectContaining({ field: 'sessionId' })]);
  });

  it('starts a session with a generated id and answers it; a retry with the same key lands in it', async () => {
    const { storeId, api, base } = await newStore();
    const created = await api.post(`${iris(storeId)}/sessions`, event());
    expect(created.status).toBe(201);
    expect(created.body.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.body.event.sessionId).toBe(created.body.sessionId);
    const another = await api.post(`${iris(storeId)}/sessions`, event());
    expect(another.body.sessionId).not.toBe(created.body.sessionId);
    const session = await api.get(`${base}/session-memory/${created.body.sessionId}`);
    expect(session.body.events).toHaveLength(1);

    const headers = { headers: { 'idempotency-key': 'start-1' } };
    const once = await api.post(`${iris(storeId)}/sessions`, event(), headers);
    const again = await api.post(`${iris(storeId)}/sessions`, event(), headers);
    expect(once.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(once.body);
    const retried = await api.get(`${base}/session-memory/${once.body.sessionId}`);
    expect(retried.body.events).toHaveLength(1);
  });

  it('refuses a sessionId in the body of a new session, naming it', async () => {
    const { storeId, api } = await newStore();
    const response = await api.post(`${iris(storeId)}/sessions`, event({ sessionId: 'mine' }));
    expect(response.status).toBe(400);
    expect(response.body.fields).toEqual([expect.objectContaining({ field: 'sessionId' })]);
    expect((await api.get(`${iris(storeId)}/session-memory/mine`)).status).toBe(404);
  });

  it('lists the sessions on GET …/sessions beside POST …/sessions, and needs write to start one', async () => {
    const { storeId, api } = await newStore();
    const created = await api.post(`${iris(storeId)}/sessions`, event());
    const listed = await api.get(`${iris(storeId)}/sessions?includeAll=true`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { sessionId: string }) => item.sessionId)).toEqual([
      created.body.sessionId,
    ]);
    const reader = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read'] }));
    expect((await reader.post(`${iris(storeId)}/sessions`, event())).status).toBe(403);
    expect((await reader.post(`${iris(storeId)}/sessions/s/events`, event())).status).toBe(403);
    expect((await reader.get(`${iris(storeId)}/sessions?includeAll=true`)).status).toBe(200);
  });
});
