import { randomBytes } from 'node:crypto';
import { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstashRedis } from '../../lib/adapters/upstash/redis-client.js';
import { UpstashErasure } from '../../lib/adapters/upstash/upstash-erasure.js';
import { UpstashErasureJobs } from '../../lib/adapters/upstash/upstash-erasure-jobs.js';
import { UpstashStoreRegistry } from '../../lib/adapters/upstash/upstash-registry.js';
import { systemClock } from '../../lib/ports/clock.js';
import { runErasure } from '../../lib/use-cases/erasure/jobs.js';
import { RecordingLogger } from '../fakes/logger.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

/**
 * Erasure (issue 15 item 4, issue 13 item 7), through the local stack: erasing one owner leaves no
 * key and no value of that owner anywhere in Redis (a SCAN of the real server, every type read),
 * survives a run that dies part-way, refuses the owner's writes while it runs, and leaves the other
 * owners alone; a store deletion works the same job and leaves none of the store's keys.
 *
 * "Of that owner" is recognised by a marker: a random token planted in the owner id, its session
 * ids, its memory ids, namespaces, Idempotency-Keys and texts. Any key name or stored value holding
 * it after the erase is a leftover.
 */
const stack = useLocalStack({ visibilityTimeoutSeconds: 2 });
let raw: IORedis;

beforeAll(() => {
  raw = new IORedis(stack().redis.url);
});
afterAll(async () => {
  await raw?.quit();
});

type Api = ReturnType<typeof apiClient>;

async function newStore() {
  const storeId = uniqueStoreId('erase');
  await stack().createStore(storeId, { extractionCadence: { activeIntervalSeconds: 600 } });
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  return { storeId, api, base: `/v1/stores/${storeId}` };
}

/** Every place the marker occurs in the whole keyspace: key names and values of every type. */
async function occurrences(marker: string): Promise<string[]> {
  const found: string[] = [];
  const has = (value: string | Buffer) => value.toString().toLowerCase().includes(marker);
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      if (has(key)) {
        found.push(`key ${key}`);
        continue;
      }
      const type = await raw.type(key);
      const values: string[] =
        type === 'string'
          ? [(await raw.get(key)) ?? '']
          : type === 'hash'
            ? await raw.hgetall(key).then((h) => Object.entries(h).flat())
            : type === 'zset'
              ? await raw.zrange(key, 0, -1)
              : type === 'set'
                ? await raw.smembers(key)
                : type === 'list'
                  ? await raw.lrange(key, 0, -1)
                  : type === 'vectorset'
                    ? await vectorSetContents(key)
                    : [`unexpected type ${type}`];
      if (values.some(has)) found.push(`value of ${key} (${type})`);
    }
  } while (cursor !== '0');
  return found;
}

/** A vector set's element names and their attributes (VRANDMEMBER with a count past its size lists all). */
async function vectorSetContents(key: string): Promise<string[]> {
  const names = (await raw.call('VRANDMEMBER', key, '100000')) as string[];
  const attributes = await Promise.all(
    names.map((name) => raw.call('VGETATTR', key, name) as Promise<string | null>),
  );
  return [...names, ...attributes.map((a) => a ?? '')];
}

/** Sessions, events (one under an Idempotency-Key), memories in two namespaces, promotion output. */
async function plantOwner(api: Api, base: string, marker: string, ownerId: string) {
  for (let s = 0; s < 3; s++) {
    const sessionId = `s${s}-${marker}`;
    for (let e = 0; e < 4; e++) {
      const r = await api.post(
        `${base}/session-memory/events`,
        {
          sessionId,
          actorId: ownerId,
          role: e % 2 ? 'ASSISTANT' : 'USER',
          content: [
            { text: e % 2 ? `Noted ${marker}.` : `I'm a vegetarian and I love ${marker} dumplings.` },
          ],
          createdAt: new Date(Date.UTC(2026, 5, 25, 18, e)).toISOString(),
          ...(s === 1 ? { namespace: `ns-${marker}` } : {}),
        },
        e === 0 ? { headers: { 'Idempotency-Key': `idem-${marker}-${s}` } } : {},
      );
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  }
  const memories = Array.from({ length: 25 }, (_, i) => ({
    id: `m${i}-${marker}`,
    text: `The user ${marker} prefers window seat number ${i}`,
    ownerId,
    ...(i % 2 ? { namespace: `ns-${marker}` } : {}),
    topics: [`topic-${marker}`],
  }));
  const created = await api.post(`${base}/long-term-memory`, { memories });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.errors).toEqual([]);
}

async function keepOwner(api: Api, base: string) {
  expect(
    (
      await api.post(`${base}/session-memory/events`, {
        sessionId: 'kept-session',
        actorId: 'kept-owner',
        role: 'USER',
        content: [{ text: 'I live in Lisbon.' }],
        createdAt: '2026-06-25T18:00:00Z',
      })
    ).status,
  ).toBe(201);
  const r = await api.post(`${base}/long-term-memory`, {
    memories: [{ id: 'kept-memory', text: 'The user lives in Lisbon', ownerId: 'kept-owner' }],
  });
  expect(r.status).toBe(201);
}

function eraserDeps() {
  const redis = createUpstashRedis({ url: stack().upstash.url, token: stack().upstash.token });
  return {
    eraser: new UpstashErasure(redis),
    erasures: new UpstashErasureJobs(redis),
    clock: systemClock,
    logger: new RecordingLogger(),
  };
}

async function runMaintenance() {
  const { handler } = await import('../../functions/scheduled/maintenance.js');
  return handler();
}

describe('erasing one owner', () => {
  it('leaves no key or value of the owner after a run that died part-way; other owners stay', async () => {
    // Prepare: the owner's data everywhere it can be, promotion output included, and another owner.
    const { storeId, api, base } = await newStore();
    const marker = `mk${randomBytes(8).toString('hex')}`;
    const ownerId = `owner-${marker}`;
    await plantOwner(api, base, marker, ownerId);
    await keepOwner(api, base);
    await stack().sendPromotionJob(storeId, `s0-${marker}`, 1);
    await stack().consumer!.drain(30_000);
    const promoted = await api.get(`${base}/session-memory/s0-${marker}/promotion`);
    expect(promoted.body.processedEvents).toBeGreaterThan(0);
    expect((await occurrences(marker)).length).toBeGreaterThan(20);

    // Act 1: start the erase; the owner's writes are refused while it runs.
    const started = await api.post(`${base}/owners/${ownerId}/erase`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const { jobId } = started.body.erasure;
    expect(started.body.erasure).toMatchObject({ state: 'RUNNING', ownerId, kind: 'ERASE_OWNER' });
    // Asked again while it runs: the same job.
    expect((await api.post(`${base}/owners/${ownerId}/erase`)).body.erasure.jobId).toBe(jobId);
    const append = await api.post(`${base}/session-memory/events`, {
      sessionId: `late-${marker}`,
      actorId: ownerId,
      role: 'USER',
      content: [{ text: `late ${marker}` }],
      createdAt: '2026-06-25T18:00:00Z',
    });
    expect(append.status).toBe(409);
    const appendToExisting = await api.post(`${base}/session-memory/events`, {
      sessionId: `s2-${marker}`,
      actorId: 'someone-else',
      role: 'USER',
      content: [{ text: `late ${marker}` }],
      createdAt: '2026-06-25T18:00:00Z',
    });
    expect(appendToExisting.status).toBe(409);
    const create = await api.post(`${base}/long-term-memory`, {
      memories: [{ id: `late-${marker}`, text: `late ${marker}`, ownerId }],
    });
    expect(create.status).toBe(409);

    // Act 2: a runner that dies after two batches (small ones, so there is more left).
    let batches = 0;
    const crashed = runErasure(eraserDeps(), jobId, {
      deadline: Date.now() + 60_000,
      batch: 2,
      afterBatch: () => {
        batches += 1;
        if (batches === 2) throw new Error('simulated crash');
      },
    });
    await expect(crashed).rejects.toThrow('simulated crash');
    const midway = await api.get(`${base}/erasures/${jobId}`);
    expect(midway.status).toBe(200);
    expect(midway.body.erasure).toMatchObject({ state: 'RUNNING', failures: 1 });
    expect((await occurrences(marker)).length).toBeGreaterThan(0);

    // Act 3: the maintenance schedule resumes it.
    const report = await runMaintenance();
    expect(report.erasures.finished).toBeGreaterThanOrEqual(1);

    // Assess: finished, nothing of the owner anywhere, the other owner intact, writes accepted again.
    const done = await api.get(`${base}/erasures/${jobId}`);
    expect(done.body.erasure).toMatchObject({ state: 'SUCCEEDED', kind: 'ERASE_OWNER' });
    expect(done.body.erasure.ownerId).toBeUndefined();
    expect(done.body.erasure.erased.sessions).toBeGreaterThanOrEqual(3);
    expect(done.body.erasure.erased.memories).toBeGreaterThanOrEqual(25);
    expect(await occurrences(marker)).toEqual([]);
    expect((await api.get(`${base}/long-term-memory/kept-memory`)).status).toBe(200);
    expect((await api.get(`${base}/session-memory/kept-session`)).status).toBe(200);
    const search = await api.post(`${base}/long-term-memory/search`, {
      text: 'Lisbon',
      ownerId: 'kept-owner',
    });
    expect(search.body.items.map((m: { id: string }) => m.id)).toContain('kept-memory');
    expect((await api.get(`${base}/long-term-memory/m0-${marker}`)).status).toBe(404);
    const again = await api.post(`${base}/long-term-memory`, {
      memories: [{ id: 'after-erase', text: 'The user came back', ownerId }],
    });
    expect(again.status).toBe(201);
    expect(again.body.errors).toEqual([]);
  });

  it("another store's job ids and hostile ids are 404 or 400, never 5xx", async () => {
    const a = await newStore();
    const b = await newStore();
    const job = await a.api.post(`${a.base}/owners/someone/erase`);
    expect(job.status).toBe(202);
    expect((await b.api.get(`${b.base}/erasures/${job.body.erasure.jobId}`)).status).toBe(404);
    expect((await a.api.get(`${a.base}/erasures/not-a-job`)).status).toBe(400);
    expect((await a.api.post(`${a.base}/owners/${encodeURIComponent('a:b*')}/erase`)).status).toBe(400);
    await runMaintenance();
  });
});

describe('deleting a store', () => {
  it('refuses every data route at once, erases every key of the store through the same job, and a repeated DeleteStore is not a 404', async () => {
    const { storeId, api, base } = await newStore();
    const marker = `mk${randomBytes(8).toString('hex')}`;
    await plantOwner(api, base, marker, `owner-${marker}`);
    await keepOwner(api, base);
    const prefix = `am:{${storeId}}:`;
    expect((await raw.keys(`${prefix}*`)).length).toBeGreaterThan(10);

    // A key whose grant outlived the deletion (authorizer cache, a grant loop that failed part-way):
    // the store is marked deleted, its data not yet erased, and every data route refuses it.
    const redis = createUpstashRedis({ url: stack().upstash.url, token: stack().upstash.token });
    expect(await new UpstashStoreRegistry(redis).markDeleted(storeId)).toBe(true);
    expect((await api.get(`${base}/long-term-memory/kept-memory`)).status).toBe(404);
    expect((await api.get(`${base}/session-memory/kept-session`)).status).toBe(404);
    expect((await api.get(`${base}/session-memory`)).status).toBe(404);

    // DeleteStore of a store already marked is not a 404: it finishes the job.
    const admin = stack().admin;
    expect((await admin('DELETE', `/v1/stores/${storeId}`)).status).toBe(204);
    await runMaintenance();
    expect((await admin('DELETE', `/v1/stores/${storeId}`)).status).toBe(204);

    expect(await raw.keys(`${prefix}*`)).toEqual([]);
    expect(await occurrences(marker)).toEqual([]);
  });
});
