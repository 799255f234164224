import { describe, expect, it } from 'vitest';
import { memorySourcesResponseSchema } from '../../lib/contracts/provenance.js';
import { conversationRecordId } from '../../lib/domain/conversation-records.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

// The sources route (extension, the managed product's Get Sources) through the local stack.
const stack = useLocalStack({ visibilityTimeoutSeconds: 2 });

async function newStore() {
  const storeId = uniqueStoreId('prov');
  await stack().createStore(storeId, { extractionCadence: { activeIntervalSeconds: 60 } });
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  const base = `/v1/stores/${storeId}`;
  const say = async (sessionId: string, role: 'USER' | 'ASSISTANT', text: string, minute: number) => {
    const r = await api.post(`${base}/session-memory/events`, {
      sessionId,
      actorId: role === 'USER' ? 'traveller-1' : 'agent',
      role,
      content: [{ text }],
      createdAt: new Date(Date.UTC(2026, 5, 25, 18, minute)).toISOString(),
    });
    expect(r.status).toBe(201);
    return r.body.event.eventId as string;
  };
  const promote = async (sessionId: string) => {
    await stack().sendPromotionJob(storeId, sessionId);
    await stack().consumer!.drain(30_000);
  };
  /** The sources answer, checked against its documented schema. */
  const sources = async (memoryId: string, query = '') => {
    const r = await api.get(`${base}/long-term-memory/${memoryId}/sources${query}`);
    if (r.status === 200) memorySourcesResponseSchema.strict().parse(r.body);
    return r;
  };
  return { storeId, api, base, say, promote, sources };
}

describe('memory sources', () => {
  it('traces a promoted memory to its session and events, with their text while they live', async () => {
    const { api, base, say, promote, sources } = await newStore();
    await say('trip', 'USER', "I'm planning a trip to Japan next month.", 0);
    await say('trip', 'ASSISTANT', 'Nice! Which cities are you visiting?', 1);
    const veg = await say('trip', 'USER', "Tokyo and Kyoto. Also, I'm a vegetarian.", 2);
    await promote('trip');

    const facts = await api.post(`${base}/long-term-memory/search`, {
      text: 'vegetarian',
      filter: { memoryType: { ne: 'conversation' } },
      limit: 5,
    });
    const fact = facts.body.items.find((m: { text: string }) => /vegetarian/i.test(m.text));
    expect(fact, 'the extractor keeps the vegetarian fact').toBeDefined();
    expect(fact.sourceRefs).toContain(veg);

    const live = await sources(fact.id);
    expect(live.status).toBe(200);
    expect(live.body.memoryId).toBe(fact.id);
    expect(live.body.sessions).toEqual([{ sessionId: 'trip', state: 'live' }]);
    expect(live.body.totalSources).toBe(fact.sourceRefs.length);
    const vegSource = live.body.sources.find((s: { ref: string }) => s.ref === veg);
    expect(vegSource).toEqual({
      kind: 'event',
      ref: veg,
      sessionId: 'trip',
      eventId: veg,
      state: 'live',
      evidence: {
        text: "Tokyo and Kyoto. Also, I'm a vegetarian.",
        textTruncated: false,
        from: 'session-memory',
        actorId: 'traveller-1',
        role: 'USER',
        occurredAt: '2026-06-25T18:02:00.000Z',
      },
    });

    // The conversation record of the turn traces to the same event.
    const turnRecord = conversationRecordId('trip', veg);
    const ofTurn = await sources(turnRecord);
    expect(ofTurn.body.sources).toEqual([expect.objectContaining({ ref: veg, state: 'live' })]);

    // The session goes: the event is reported expired, its text now read from the conversation record.
    expect((await api.delete(`${base}/session-memory/trip`)).status).toBe(204);
    const expired = await sources(fact.id);
    expect(expired.status).toBe(200);
    expect(expired.body.sessions).toEqual([{ sessionId: 'trip', state: 'expired' }]);
    expect(expired.body.sources.find((s: { ref: string }) => s.ref === veg)).toEqual({
      kind: 'event',
      ref: veg,
      sessionId: 'trip',
      eventId: veg,
      state: 'expired',
      evidence: {
        text: "Tokyo and Kyoto. Also, I'm a vegetarian.",
        textTruncated: false,
        from: 'conversation-record',
        memoryId: turnRecord,
        actorId: 'traveller-1',
        role: 'USER',
        occurredAt: '2026-06-25T18:02:00.000Z',
      },
    });

    // And once the conversation record is gone too, only the fact that it expired remains.
    const deleted = await api.delete(`${base}/long-term-memory`, { memoryIds: [turnRecord] });
    expect(deleted.body.deleted).toEqual([turnRecord]);
    const gone = await sources(fact.id);
    expect(gone.body.sources.find((s: { ref: string }) => s.ref === veg)).toEqual({
      kind: 'event',
      ref: veg,
      sessionId: 'trip',
      eventId: veg,
      state: 'expired',
    });
    // The record itself now has no sources route either.
    expect((await sources(turnRecord)).status).toBe(404);
  });

  it('traces a memory merged from two sessions to the events of both', async () => {
    const { api, base, say, promote, sources } = await newStore();
    const first = await say('monday', 'USER', "I'm a vegetarian.", 0);
    await promote('monday');
    const second = await say('friday', 'USER', "I'm a vegetarian.", 5);
    await promote('friday');

    const facts = await api.post(`${base}/long-term-memory/search`, {
      text: 'vegetarian',
      filter: { memoryType: { ne: 'conversation' } },
      limit: 5,
    });
    const fact = facts.body.items.find((m: { sourceRefs?: string[] }) => m.sourceRefs?.includes(second));
    expect(fact, 'the second session merged into the first one’s memory').toBeDefined();
    expect(fact.sessionId).toBe('monday');
    expect(fact).not.toHaveProperty('sourceSessions');

    const answer = await sources(fact.id);
    expect(answer.body.sessions).toEqual([
      { sessionId: 'monday', state: 'live' },
      { sessionId: 'friday', state: 'live' },
    ]);
    const bySource = new Map(answer.body.sources.map((s: { ref: string }) => [s.ref, s]));
    expect(bySource.get(first)).toMatchObject({
      sessionId: 'monday',
      state: 'live',
      evidence: { text: "I'm a vegetarian." },
    });
    expect(bySource.get(second)).toMatchObject({
      sessionId: 'friday',
      state: 'live',
      evidence: { text: "I'm a vegetarian." },
    });

    // Each session's liveness is its own.
    await api.delete(`${base}/session-memory/friday`);
    const after = await sources(fact.id);
    expect(after.body.sessions).toEqual([
      { sessionId: 'monday', state: 'live' },
      { sessionId: 'friday', state: 'expired' },
    ]);
    expect(after.body.sources.find((s: { ref: string }) => s.ref === second)).toMatchObject({
      sessionId: 'friday',
      state: 'expired',
      evidence: { from: 'conversation-record', text: "I'm a vegetarian." },
    });
  });

  it('reports a direct write’s external and document refs as written, paged', async () => {
    const { api, base, sources } = await newStore();
    const eventLike = 'a'.repeat(32);
    const refs = ['crm:case-7', 'doc:handbook-1:120-480', eventLike, 'doc:bad:9-3', 'ticket_42'];
    const created = await api.post(`${base}/long-term-memory`, {
      memories: [{ id: 'm1', text: 'The user prefers aisle seats', ownerId: 'alice', sourceRefs: refs }],
    });
    expect(created.body).toEqual({ created: ['m1'], errors: [] });

    const all = await sources('m1');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      memoryId: 'm1',
      sessions: [],
      totalSources: 5,
      sources: [
        { kind: 'external', ref: 'crm:case-7', state: 'unresolved' },
        {
          kind: 'document',
          ref: 'doc:handbook-1:120-480',
          documentId: 'handbook-1',
          span: { start: 120, end: 480 },
          state: 'unresolved',
        },
        // An event id on a memory without a session names no event this service can find.
        { kind: 'external', ref: eventLike, state: 'unresolved' },
        // Not a span (end before start): kept as written.
        { kind: 'external', ref: 'doc:bad:9-3', state: 'unresolved' },
        { kind: 'external', ref: 'ticket_42', state: 'unresolved' },
      ],
    });

    const first = await sources('m1', '?limit=2');
    expect(first.body.sources.map((s: { ref: string }) => s.ref)).toEqual(refs.slice(0, 2));
    expect(first.body.nextPageToken).toEqual(expect.any(String));
    const second = await sources('m1', `?limit=2&pageToken=${first.body.nextPageToken}`);
    expect(second.body.sources.map((s: { ref: string }) => s.ref)).toEqual(refs.slice(2, 4));
    const third = await sources('m1', `?limit=2&pageToken=${second.body.nextPageToken}`);
    expect(third.body.sources.map((s: { ref: string }) => s.ref)).toEqual(refs.slice(4));
    expect(third.body).not.toHaveProperty('nextPageToken');

    // A memory without sources has an empty list, not a 404.
    await api.post(`${base}/long-term-memory`, { memories: [{ id: 'bare', text: 'x', ownerId: 'alice' }] });
    expect((await sources('bare')).body).toEqual({
      memoryId: 'bare',
      sessions: [],
      sources: [],
      totalSources: 0,
    });

    // Another memory's page token is refused, naming the field.
    const misused = await sources('bare', `?pageToken=${first.body.nextPageToken}`);
    expect(misused.status).toBe(400);
    expect(misused.body.fields.map((f: { field: string }) => f.field)).toContain('pageToken');
  });

  it('answers 4xx naming the field for bad input, 404 for unknown and foreign memories', async () => {
    const a = await newStore();
    const b = await newStore();
    await a.api.post(`${a.base}/long-term-memory`, {
      memories: [{ id: 'secret', text: 'Store A only', ownerId: 'alice', sourceRefs: ['crm:1'] }],
    });
    expect((await a.sources('secret')).status).toBe(200);
    // Store B's key on B's path with A's memory id: B has no such memory.
    expect((await b.sources('secret')).status).toBe(404);
    // Store B's key on A's path: no grant.
    expect((await b.api.get(`${a.base}/long-term-memory/secret/sources`)).status).toBe(403);
    expect((await a.sources('missing')).status).toBe(404);

    for (const [query, field] of [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=two', 'limit'],
      ['?pageToken=nope', 'pageToken'],
    ] as const) {
      const r = await a.sources('secret', query);
      expect(r.status, query).toBe(400);
      expect(r.body.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    const badId = await a.api.get(`${a.base}/long-term-memory/${'x'.repeat(65)}/sources`);
    expect(badId.status).toBe(400);
    expect(badId.body.fields.map((f: { field: string }) => f.field)).toContain('memoryId');
  });
});

describe('idempotent long-term creates', () => {
  const create = (api: ReturnType<typeof apiClient>, base: string, body: unknown, key?: string) =>
    api.post(`${base}/long-term-memory`, body, key ? { headers: { 'Idempotency-Key': key } } : {});

  it('answers a retry with the first answer and refuses another body under the key', async () => {
    const { api, base } = await newStore();
    const body = {
      memories: [{ id: 'tea', text: 'The user drinks green tea', ownerId: 'alice' }, { id: 'bad' }],
    };
    const first = await create(api, base, body, 'create-1');
    expect(first.status).toBe(201);
    expect(first.body.created).toEqual(['tea']);
    expect(first.body.errors).toEqual([{ id: 'bad', error: expect.any(String) }]);

    // The memory is deleted; a retry of the same request recreates nothing and answers as the first.
    await api.delete(`${base}/long-term-memory`, { memoryIds: ['tea'] });
    const retry = await create(api, base, body, 'create-1');
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect((await api.get(`${base}/long-term-memory/tea`)).status).toBe(404);

    const other = await create(
      api,
      base,
      { memories: [{ id: 'tea', text: 'The user drinks black tea', ownerId: 'alice' }] },
      'create-1',
    );
    expect(other.status).toBe(409);
    expect(other.body.fields.map((f: { field: string }) => f.field)).toEqual(['Idempotency-Key']);

    // A new key is a new request.
    expect((await create(api, base, body, 'create-2')).body.created).toEqual(['tea']);
  });

  it('keeps keys per store', async () => {
    const a = await newStore();
    const b = await newStore();
    const body = { memories: [{ id: 'm1', text: 'Store-local memory', ownerId: 'alice' }] };
    expect((await create(a.api, a.base, body, 'shared-key')).status).toBe(201);
    // The same key in another store is another key: B's create runs and writes B's memory.
    const inB = await create(
      b.api,
      b.base,
      { memories: [{ id: 'm2', text: 'Other', ownerId: 'bob' }] },
      'shared-key',
    );
    expect(inB.status).toBe(201);
    expect(inB.body.created).toEqual(['m2']);
    expect((await b.api.get(`${b.base}/long-term-memory/m2`)).status).toBe(200);
  });

  it('creates once for concurrent duplicates, and all of them get the same answer', async () => {
    const { api, base } = await newStore();
    const memories = Array.from({ length: 20 }, (_, i) => ({
      id: `m${i}`,
      text: `The user visited city number ${i}`,
      ownerId: 'alice',
    }));
    // Titan takes one text per request and these texts are new: one run embeds each once.
    const embeddingsBefore = stack().bedrock.stats.httpRequests;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => create(api, base, { memories }, 'burst-1')),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({ created: memories.map((m) => m.id), errors: [] });
    }
    expect(stack().bedrock.stats.httpRequests - embeddingsBefore).toBe(memories.length);
    const listed = await api.post(`${base}/long-term-memory/search`, { limit: 100 });
    expect(listed.body.items).toHaveLength(20);
  });

  it('names the header when the key is malformed', async () => {
    const { api, base } = await newStore();
    const body = { memories: [{ id: 'm1', text: 'x', ownerId: 'alice' }] };
    for (const key of ['k'.repeat(129), 'has space']) {
      const r = await create(api, base, body, key);
      expect(r.status, key).toBe(400);
      expect(r.body.fields.map((f: { field: string }) => f.field)).toEqual(['Idempotency-Key']);
    }
  });
});
