import { describe, expect, it } from 'vitest';
import type { StoreConfig } from '../../lib/contracts/store-config.js';
import { DEFAULT_QUOTAS } from '../../lib/domain/limits.js';
import { type ApiResponse, apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

/**
 * Per-store storage quotas (store config `quotas`, security review finding 8), over HTTP: a store
 * at a quota refuses the next session, event or record with 413 naming the quota; deleting (or
 * expiry) gives room back; other stores are unaffected; promotion drops what does not fit and
 * finishes its job instead of failing it forever.
 */
const stack = useLocalStack({ visibilityTimeoutSeconds: 2 });

async function newStore(quotas: Partial<StoreConfig['quotas']>, config: Partial<StoreConfig> = {}) {
  const storeId = uniqueStoreId('quota');
  await stack().createStore(storeId, {
    extractionCadence: { activeIntervalSeconds: 60 },
    ...config,
    quotas: { ...DEFAULT_QUOTAS, ...quotas },
  });
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  return { storeId, api, base: `/v1/stores/${storeId}` };
}

type Api = ReturnType<typeof apiClient>;

const append = (api: Api, base: string, sessionId: string, text = 'hello') =>
  api.post(`${base}/session-memory/events`, {
    sessionId,
    actorId: 'alice',
    role: 'USER',
    content: [{ text }],
    createdAt: '2026-06-25T18:00:00Z',
  });

const memory = (id: string, text = `fact ${id}`) => ({ id, text, ownerId: 'alice' });
const create = (api: Api, base: string, ...ids: string[]) =>
  api.post(`${base}/long-term-memory`, { memories: ids.map((id) => memory(id)) });

/** The documented refusal: 413, a problem body, and the quota named in `fields`. */
function expectOverQuota(response: ApiResponse, quota: string): void {
  expect(response.status, JSON.stringify(response.body).slice(0, 300)).toBe(413);
  expect(response.body).toMatchObject({
    type: '/errors/payload-too-large',
    status: 413,
    detail: expect.stringContaining(`quotas.${quota}`),
    fields: [{ field: `quotas.${quota}`, rule: 'quota', message: expect.any(String) }],
  });
}

describe('per-store storage quotas', () => {
  it('sessions: refuses a new session past the quota, not an event of a live one; deleting frees room', async () => {
    const { api, base } = await newStore({ sessions: 2 });
    const other = await newStore({ sessions: 2 });
    expect((await append(api, base, 's1')).status).toBe(201);
    expect((await append(api, base, 's2')).status).toBe(201);
    expectOverQuota(await append(api, base, 's3'), 'sessions');
    expect((await api.get(`${base}/session-memory/s3`)).status).toBe(404);
    expect((await append(api, base, 's1')).status).toBe(201);
    // Counted per store: another store with the same quota is unaffected.
    expect((await append(other.api, other.base, 's1')).status).toBe(201);
    expect((await append(other.api, other.base, 's2')).status).toBe(201);

    expect((await api.delete(`${base}/session-memory/s2`)).status).toBe(204);
    expect((await append(api, base, 's3')).status).toBe(201);
  });

  // A real Redis TTL passes. 2 s rather than 1: the over-quota answer must come before 'old' expires,
  // which a 1 s TTL did not guarantee on a busy runner.
  it('sessions and events: an expired session gives its room back', { tags: ['slow'] }, async () => {
    const { api, base } = await newStore({ sessions: 1, events: 1 }, { shortMemory: { ttlSeconds: 2 } });
    expect((await append(api, base, 'old')).status).toBe(201);
    expectOverQuota(await append(api, base, 'new'), 'sessions');
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect((await append(api, base, 'new')).status).toBe(201);
  });

  it('events: counts events across sessions; deleting an event or a session frees room', async () => {
    const { api, base } = await newStore({ events: 3 });
    expect((await append(api, base, 'a')).status).toBe(201);
    const second = await append(api, base, 'a');
    expect((await append(api, base, 'b')).status).toBe(201);
    expectOverQuota(await append(api, base, 'b'), 'events');
    expectOverQuota(await append(api, base, 'c'), 'events');

    const eventId = second.body.event.eventId as string;
    expect((await api.delete(`${base}/session-memory/a/events/${eventId}`)).status).toBe(204);
    expect((await append(api, base, 'b')).status).toBe(201);
    expectOverQuota(await append(api, base, 'b'), 'events');
    // Session a holds one event, session b two.
    expect((await api.delete(`${base}/session-memory/b`)).status).toBe(204);
    expect((await append(api, base, 'c')).status).toBe(201);
    expect((await append(api, base, 'c')).status).toBe(201);
    expectOverQuota(await append(api, base, 'c'), 'events');
  });

  it('bytes: event and record JSON count together; deleting frees room', async () => {
    const { api, base } = await newStore({ bytes: 8 * 1024 });
    const text = 'x'.repeat(3_000);
    expect((await append(api, base, 'big', text)).status).toBe(201);
    expect((await append(api, base, 'big', text)).status).toBe(201);
    expectOverQuota(await append(api, base, 'big', text), 'bytes');
    const record = await api.post(`${base}/long-term-memory`, { memories: [memory('m1', text)] });
    expectOverQuota(record, 'bytes');
    expect((await api.get(`${base}/long-term-memory/m1`)).status).toBe(404);

    expect((await api.delete(`${base}/session-memory/big`)).status).toBe(204);
    expect((await api.post(`${base}/long-term-memory`, { memories: [memory('m1', text)] })).status).toBe(201);
    expect((await append(api, base, 'big', text)).status).toBe(201);
    expectOverQuota(await append(api, base, 'big', text), 'bytes');
    expect((await api.delete(`${base}/long-term-memory`, { memoryIds: ['m1'] })).status).toBe(200);
    expect((await append(api, base, 'big', text)).status).toBe(201);
  });

  it('long-term records: a create past the quota is refused whole; re-posts pass; deleting frees room', async () => {
    const { api, base } = await newStore({ longTermRecords: 2 });
    const other = await newStore({ longTermRecords: 2 });
    expect((await create(api, base, 'r1')).status).toBe(201);
    // Two new records, room for one: neither is written.
    expectOverQuota(await create(api, base, 'r2', 'r3'), 'longTermRecords');
    expect((await api.get(`${base}/long-term-memory/r2`)).status).toBe(404);
    expect((await api.get(`${base}/long-term-memory/r3`)).status).toBe(404);
    expect((await create(api, base, 'r2')).body).toEqual({ created: ['r2'], errors: [] });
    expectOverQuota(await create(api, base, 'r3'), 'longTermRecords');
    // The same content again is not a new record.
    expect((await create(api, base, 'r1')).body).toEqual({ created: ['r1'], errors: [] });
    expect((await create(other.api, other.base, 'r1', 'r2')).status).toBe(201);

    expect((await api.delete(`${base}/long-term-memory`, { memoryIds: ['r1'] })).status).toBe(200);
    expect((await create(api, base, 'r3')).body).toEqual({ created: ['r3'], errors: [] });
  });

  it('long-term records: expired ones count until the maintenance sweep deletes them', async () => {
    const { api, base } = await newStore({ longTermRecords: 1 }, { longTermMemory: { ttlSeconds: 1 } });
    expect((await create(api, base, 'brief')).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expectOverQuota(await create(api, base, 'next'), 'longTermRecords');
    const { handler: maintenance } = await import('../../functions/scheduled/maintenance.js');
    expect((await maintenance()).expiry.deleted).toBeGreaterThanOrEqual(1);
    expect((await create(api, base, 'next')).body).toEqual({ created: ['next'], errors: [] });
  });
});

const CHAT: Array<[role: 'USER' | 'ASSISTANT', text: string]> = [
  ['USER', "I'm planning a trip to Japan next month and need help finding some restaurants for the trip."],
  ['ASSISTANT', 'Nice! What cities are you visiting?'],
  ['USER', "I'm going to Tokyo and Kyoto. Also, I'm a vegetarian."],
  ['ASSISTANT', "Good to know! I'll look for vegetarian-friendly places in both cities."],
];

describe('promotion at the record quota', () => {
  it('drops what does not fit, completes the job and does not retry it', async () => {
    const { storeId, api, base } = await newStore({ longTermRecords: 1 });
    expect((await create(api, base, 'only')).status).toBe(201);
    for (const [i, [role, text]] of CHAT.entries()) {
      const r = await api.post(`${base}/session-memory/events`, {
        sessionId: 'full-chat',
        actorId: role === 'USER' ? 'traveller-1' : 'travel-agent',
        role,
        content: [{ text }],
        createdAt: new Date(Date.UTC(2026, 5, 25, 18, i)).toISOString(),
      });
      expect(r.status).toBe(201);
    }
    await stack().sendPromotionJob(storeId, 'full-chat', 1);
    await stack().consumer!.drain(30_000);

    const status = await api.get(`${base}/session-memory/full-chat/promotion`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ processedEvents: 4, pendingEvents: 0, memoriesWritten: 0 });
    expect(status.body.lastError).toBeUndefined();
    const all = await api.post(`${base}/long-term-memory/search`, { limit: 100 });
    expect(all.body.items.map((m: { id: string }) => m.id)).toEqual(['only']);

    // Past the visibility timeout a failed job would be delivered again; this one was acknowledged.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await stack().consumer!.drain(10_000);
    expect((await api.get(`${base}/session-memory/full-chat/promotion`)).body).toMatchObject({
      processedEvents: 4,
      pendingEvents: 0,
    });
  });
});

describe('quotas through the control plane', () => {
  it('sets quotas on create, patches one keeping the others, shows them, and enforces the patch', async () => {
    const created = await stack().admin('POST', '/v1/stores', { name: 'quota-admin', quotas: { events: 5 } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { storeId } = created.body as { storeId: string };
    const base = `/v1/stores/${storeId}`;
    expect((await stack().admin('GET', base)).body.quotas).toEqual({ ...DEFAULT_QUOTAS, events: 5 });

    const patched = await stack().admin('PATCH', base, { quotas: { sessions: 1 } });
    expect(patched.status).toBe(200);
    expect(patched.body.quotas).toEqual({ ...DEFAULT_QUOTAS, events: 5, sessions: 1 });
    expect((await stack().admin('PATCH', base, { quotas: { sessions: 0 } })).status).toBe(400);
    expect((await stack().admin('PATCH', base, { quotas: { files: 1 } })).status).toBe(400);

    const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
    expect((await append(api, base, 'one')).status).toBe(201);
    expectOverQuota(await append(api, base, 'two'), 'sessions');
  });
});
