import { describe, expect, it } from 'vitest';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

const stack = useLocalStack();

async function newStore() {
  const storeId = uniqueStoreId();
  await stack().createStore(storeId);
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  return {
    storeId,
    api,
    ns: `/v1/stores/${storeId}/namespaces`,
    ltm: `/v1/stores/${storeId}/long-term-memory`,
  };
}

const fieldsOf = (body: { fields?: Array<{ field: string }> }) => (body.fields ?? []).map((f) => f.field);
const ids = (body: { items: Array<{ id: string }> }) => body.items.map((item) => item.id).sort();

describe('namespaces as resources over HTTP', () => {
  it('creates personal, shared, child and path namespaces with server ids', async () => {
    const { api, ns } = await newStore();
    const personal = await api.post(ns, { name: 'travel', scope: 'PERSONAL', ownerId: 'alice' });
    expect(personal.status).toBe(201);
    expect(personal.body.namespace).toMatchObject({
      name: 'travel',
      path: 'travel',
      scope: 'PERSONAL',
      ownerId: 'alice',
      state: 'ACTIVE',
    });
    expect(personal.body.namespace.namespaceId).toMatch(/^[a-zA-Z0-9-]{1,64}$/);
    expect(personal.body.namespace).not.toHaveProperty('parentId');

    const shared = await api.post(ns, { name: 'team', scope: 'SHARED' });
    expect(shared.status).toBe(201);
    expect(shared.body.namespace).not.toHaveProperty('ownerId');

    const child = await api.post(ns, { name: 'japan', parentId: personal.body.namespace.namespaceId });
    expect(child.status).toBe(201);
    expect(child.body.namespace).toMatchObject({
      name: 'japan',
      path: 'travel/japan',
      scope: 'PERSONAL',
      ownerId: 'alice',
      parentId: personal.body.namespace.namespaceId,
    });

    // A path walks the segments that exist and creates the missing ones.
    const deep = await api.post(ns, { path: 'travel/japan/kyoto', scope: 'PERSONAL', ownerId: 'alice' });
    expect(deep.status).toBe(201);
    expect(deep.body.namespace).toMatchObject({
      name: 'kyoto',
      path: 'travel/japan/kyoto',
      parentId: child.body.namespace.namespaceId,
    });
    const fresh = await api.post(ns, { path: 'work/projects', scope: 'SHARED' });
    expect(fresh.status).toBe(201);
    expect(fresh.body.namespace.path).toBe('work/projects');

    const got = await api.get(`${ns}/${deep.body.namespace.namespaceId}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(deep.body);
  });

  it('answers 409 at an occupied location, archived or not, and 400 naming the field for bad input', async () => {
    const { api, ns } = await newStore();
    const first = await api.post(ns, { name: 'notes', scope: 'PERSONAL', ownerId: 'bob' });
    expect((await api.post(ns, { name: 'notes', scope: 'PERSONAL', ownerId: 'bob' })).status).toBe(409);
    // Same name elsewhere is fine: another owner, or shared.
    expect((await api.post(ns, { name: 'notes', scope: 'PERSONAL', ownerId: 'carol' })).status).toBe(201);
    expect((await api.post(ns, { name: 'notes', scope: 'SHARED' })).status).toBe(201);
    const archived = await api.patch(`${ns}/${first.body.namespace.namespaceId}`, { state: 'ARCHIVED' });
    expect(archived.status).toBe(200);
    expect(archived.body.namespace.state).toBe('ARCHIVED');
    expect((await api.post(ns, { name: 'notes', scope: 'PERSONAL', ownerId: 'bob' })).status).toBe(409);
    expect((await api.post(ns, { path: 'notes', scope: 'PERSONAL', ownerId: 'bob' })).status).toBe(409);
    // No children under an archived namespace either.
    expect((await api.post(ns, { name: 'x', parentId: first.body.namespace.namespaceId })).status).toBe(409);

    const cases: Array<[unknown, string]> = [
      [{ name: 'bad name!', scope: 'SHARED' }, 'name'],
      [{ name: 'a'.repeat(65), scope: 'SHARED' }, 'name'],
      [{ name: 'x', scope: 'PERSONAL' }, 'ownerId'],
      [{ name: 'x', scope: 'SHARED', ownerId: 'alice' }, 'ownerId'],
      [{ name: 'x' }, 'scope'],
      [{ name: 'x', scope: 'GLOBAL' }, 'scope'],
      [{ path: 'a/b', name: 'b', scope: 'SHARED' }, 'name'],
      [{ path: 'a//b', scope: 'SHARED' }, 'path'],
      [{ path: 'a/b', parentId: first.body.namespace.namespaceId, scope: 'SHARED' }, 'parentId'],
      [{ path: `${'a'.repeat(60)}/`.repeat(20), scope: 'SHARED' }, 'path'],
      [{ name: 'x', parentId: 'bad id' }, 'parentId'],
      [{ name: 'x', scope: 'SHARED', extra: 1 }, 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await api.post(ns, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(res.body), JSON.stringify(body)).toContain(field);
    }
    expect((await api.post(ns, { name: 'x', parentId: 'no-such-parent' })).status).toBe(404);
  });

  it('lists roots and children by name, in signed pages', async () => {
    const { api, ns } = await newStore();
    for (const name of ['c', 'a', 'e', 'b', 'd']) {
      expect((await api.post(ns, { name, scope: 'PERSONAL', ownerId: 'dana' })).status).toBe(201);
    }
    await api.post(ns, { name: 'other', scope: 'PERSONAL', ownerId: 'erin' });
    await api.post(ns, { name: 'shared-one', scope: 'SHARED' });

    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await api.get(
        `${ns}?scope=PERSONAL&ownerId=dana&limit=2${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`,
      );
      expect(page.status).toBe(200);
      names.push(...page.body.namespaces.map((n: { name: string }) => n.name));
      token = page.body.nextPageToken;
    } while (token);
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);

    const shared = await api.get(`${ns}?scope=SHARED`);
    expect(shared.body.namespaces.map((n: { name: string }) => n.name)).toEqual(['shared-one']);

    const parent = await api.post(ns, { path: 'trips/2026', scope: 'SHARED' });
    const trips = parent.body.namespace.parentId;
    await api.post(ns, { name: '2025', parentId: trips });
    const children = await api.get(`${ns}?parentId=${trips}`);
    expect(children.body.namespaces.map((n: { path: string }) => n.path)).toEqual([
      'trips/2025',
      'trips/2026',
    ]);

    // A token is bound to its query; a foreign one is refused naming pageToken.
    const first = await api.get(`${ns}?scope=PERSONAL&ownerId=dana&limit=2`);
    const reused = await api.get(
      `${ns}?scope=PERSONAL&ownerId=erin&limit=2&pageToken=${encodeURIComponent(first.body.nextPageToken)}`,
    );
    expect(reused.status).toBe(400);
    expect(fieldsOf(reused.body)).toContain('pageToken');
    for (const query of [
      '',
      '?scope=PERSONAL',
      '?scope=SHARED&ownerId=x',
      '?parentId=a&scope=SHARED',
      '?scope=SHARED&limit=0',
    ]) {
      const res = await api.get(`${ns}${query}`);
      expect(res.status, query).toBe(400);
      expect(fieldsOf(res.body).length, query).toBeGreaterThan(0);
    }
    expect((await api.get(`${ns}?parentId=missing-parent`)).status).toBe(404);
  });

  it('renames (paths follow, ids stay), archives once, and deletes only an empty leaf', async () => {
    const { api, ns, ltm } = await newStore();
    const leaf = await api.post(ns, { path: 'home/kitchen', scope: 'PERSONAL', ownerId: 'fay' });
    const leafId = leaf.body.namespace.namespaceId;
    const rootId = leaf.body.namespace.parentId;
    await api.post(ns, { name: 'garden', parentId: rootId });

    const renamed = await api.patch(`${ns}/${rootId}`, { name: 'house' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.namespace).toMatchObject({ namespaceId: rootId, name: 'house', path: 'house' });
    expect((await api.get(`${ns}/${leafId}`)).body.namespace.path).toBe('house/kitchen');
    // The old name is free again; the taken one is not.
    expect((await api.post(ns, { name: 'home', scope: 'PERSONAL', ownerId: 'fay' })).status).toBe(201);
    expect((await api.patch(`${ns}/${rootId}`, { name: 'home' })).status).toBe(409);

    // A memory filed under the leaf shows the new path without being rewritten.
    await api.post(ltm, {
      memories: [
        {
          id: 'm1',
          text: 'The user keeps spices above the stove',
          ownerId: 'fay',
          namespaceRef: { namespaceId: leafId },
        },
      ],
    });
    expect((await api.get(`${ltm}/m1`)).body.namespaceRef).toEqual({
      namespaceId: leafId,
      name: 'kitchen',
      path: 'house/kitchen',
    });

    expect((await api.delete(`${ns}/${rootId}`)).status).toBe(409); // has children
    expect((await api.delete(`${ns}/${leafId}`)).status).toBe(409); // holds a memory
    expect((await api.delete(ltm, { memoryIds: ['m1'] })).status).toBe(200);
    expect((await api.delete(`${ns}/${leafId}`)).status).toBe(204);
    expect((await api.get(`${ns}/${leafId}`)).status).toBe(404);
    expect((await api.delete(`${ns}/${leafId}`)).status).toBe(404);

    const archived = await api.patch(`${ns}/${rootId}`, { state: 'ARCHIVED' });
    expect(archived.body.namespace.state).toBe('ARCHIVED');
    expect((await api.patch(`${ns}/${rootId}`, { state: 'ARCHIVED' })).status).toBe(200);
    expect((await api.patch(`${ns}/${rootId}`, { state: 'ACTIVE' })).status).toBe(409);
    expect((await api.patch(`${ns}/${rootId}`, { name: 'villa' })).status).toBe(409);
    expect((await api.get(`${ns}/${rootId}`)).body.namespace.state).toBe('ARCHIVED');

    for (const body of [{}, { name: 'bad/name' }, { state: 'DELETED' }, { name: 'x', extra: true }]) {
      const res = await api.patch(`${ns}/${rootId}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(res.body).length).toBeGreaterThan(0);
    }
    expect((await api.patch(`${ns}/no-such-namespace`, { name: 'x' })).status).toBe(404);
  });

  it('files direct writes under namespaceRef, filters search by exact ids, refuses archived and mixed writes', async () => {
    const { api, ns, ltm } = await newStore();
    const japan = (await api.post(ns, { path: 'travel/japan', scope: 'PERSONAL', ownerId: 'gus' })).body
      .namespace;
    const travelId = japan.parentId;
    const created = await api.post(ltm, {
      memories: [
        {
          id: 'j1',
          text: 'The user wants to see Kyoto temples',
          ownerId: 'gus',
          namespaceRef: { namespaceId: japan.namespaceId },
        },
        {
          id: 't1',
          text: 'The user prefers window seats on flights',
          ownerId: 'gus',
          namespaceRef: { namespaceId: travelId },
        },
        { id: 'p1', text: 'The user likes plain memories too', ownerId: 'gus' },
        { id: 'x1', text: 'no such namespace', ownerId: 'gus', namespaceRef: { namespaceId: 'missing-ns' } },
        {
          id: 'x2',
          text: 'both',
          ownerId: 'gus',
          namespace: 'label',
          namespaceRef: { namespaceId: travelId },
        },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body.created).toEqual(['j1', 't1', 'p1']);
    expect(created.body.errors.map((e: { id: string }) => e.id).sort()).toEqual(['x1', 'x2']);

    const exact = await api.post(`${ltm}/search`, { filter: { namespaceRef: { eq: travelId } } });
    expect(ids(exact.body)).toEqual(['t1']); // no descendant expansion
    const ranked = await api.post(`${ltm}/search`, {
      text: 'temples in Kyoto',
      filter: { ownerId: { eq: 'gus' }, namespaceRef: { in: [japan.namespaceId, travelId] } },
    });
    expect(ids(ranked.body)).toEqual(['j1', 't1']);
    expect(ranked.body.items.find((i: { id: string }) => i.id === 'j1').namespaceRef).toEqual({
      namespaceId: japan.namespaceId,
      name: 'japan',
      path: 'travel/japan',
    });
    const both = await api.post(`${ltm}/search`, {
      filter: { namespace: { eq: 'x' }, namespaceRef: { eq: travelId } },
    });
    expect(both.status).toBe(400);
    expect(fieldsOf(both.body)).toContain('filter.namespaceRef');

    await api.patch(`${ns}/${travelId}`, { state: 'ARCHIVED' });
    const refused = await api.post(ltm, {
      memories: [{ id: 't2', text: 'archived', ownerId: 'gus', namespaceRef: { namespaceId: travelId } }],
    });
    expect(refused.body.created).toEqual([]);
    expect(refused.body.errors[0].error).toMatch(/archived/);
    // Still readable.
    expect(
      ids((await api.post(`${ltm}/search`, { filter: { namespaceRef: { eq: travelId } } })).body),
    ).toEqual(['t1']);
    expect((await api.get(`${ltm}/t1`)).status).toBe(200);
    // A label cannot be added to a filed memory.
    expect((await api.patch(`${ltm}/j1`, { namespace: 'label' })).status).toBe(409);
  });

  it('moves memories: every index follows at once, per-item errors, 404/409 for the target', async () => {
    const { api, ns, ltm } = await newStore();
    const a = (await api.post(ns, { name: 'a', scope: 'SHARED' })).body.namespace.namespaceId;
    const b = (await api.post(ns, { name: 'b', scope: 'SHARED' })).body.namespace.namespaceId;
    await api.post(ltm, {
      memories: [
        {
          id: 'm1',
          text: 'The user drinks green tea every morning',
          ownerId: 'hal',
          namespaceRef: { namespaceId: a },
        },
        { id: 'm2', text: 'The user runs on weekends', ownerId: 'hal', namespaceRef: { namespaceId: a } },
        { id: 'm3', text: 'The user has a label', ownerId: 'hal', namespace: 'lbl' },
      ],
    });
    const move = await api.post(`${ltm}/move`, {
      memoryIds: ['m1', 'm2', 'm3', 'nope', 'bad id!', 'm1'],
      namespaceRef: { namespaceId: b },
    });
    expect(move.status).toBe(200);
    expect(move.body.moved.sort()).toEqual(['m1', 'm2']);
    expect(move.body.errors.map((e: { id: string }) => e.id).sort()).toEqual(['bad id!', 'm1', 'm3', 'nope']);

    for (const mode of ['semantic', 'keyword', 'hybrid']) {
      const inB = await api.post(`${ltm}/search`, {
        text: 'green tea',
        searchMode: mode,
        filter: { namespaceRef: { eq: b } },
      });
      expect(ids(inB.body), mode).toContain('m1');
      const inA = await api.post(`${ltm}/search`, {
        text: 'green tea',
        searchMode: mode,
        filter: { namespaceRef: { eq: a } },
      });
      expect(ids(inA.body), mode).toEqual([]);
    }
    expect(ids((await api.post(`${ltm}/search`, { filter: { namespaceRef: { eq: b } } })).body)).toEqual([
      'm1',
      'm2',
    ]);
    expect((await api.get(`${ltm}/m1`)).body.namespaceRef.name).toBe('b');
    // The old namespace is empty now, so it can go; a move again is a no-op success.
    expect((await api.delete(`${ns}/${a}`)).status).toBe(204);
    expect(
      (await api.post(`${ltm}/move`, { memoryIds: ['m1'], namespaceRef: { namespaceId: b } })).body,
    ).toEqual({
      moved: ['m1'],
      errors: [],
    });

    expect(
      (await api.post(`${ltm}/move`, { memoryIds: ['m1'], namespaceRef: { namespaceId: 'missing' } })).status,
    ).toBe(404);
    await api.patch(`${ns}/${b}`, { state: 'ARCHIVED' });
    const c = (await api.post(ns, { name: 'c', scope: 'SHARED' })).body.namespace.namespaceId;
    expect(
      (await api.post(`${ltm}/move`, { memoryIds: ['m1'], namespaceRef: { namespaceId: b } })).status,
    ).toBe(409);
    // Moving out of an archived namespace is allowed (it takes nothing new; its memories may leave).
    expect(
      (await api.post(`${ltm}/move`, { memoryIds: ['m1'], namespaceRef: { namespaceId: c } })).body.moved,
    ).toEqual(['m1']);

    for (const body of [
      {},
      { memoryIds: [], namespaceRef: { namespaceId: c } },
      { memoryIds: Array.from({ length: 101 }, (_, i) => `m${i}`), namespaceRef: { namespaceId: c } },
      { memoryIds: ['m1'] },
      { memoryIds: ['m1'], namespaceRef: { namespaceId: 'bad id' } },
      { memoryIds: ['m1'], namespaceRef: c },
    ]) {
      const res = await api.post(`${ltm}/move`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(res.body).length).toBeGreaterThan(0);
    }
  });

  it("keeps stores apart: another store's namespace ids are 404 and cannot be written to", async () => {
    const one = await newStore();
    const two = await newStore();
    const mine = (await one.api.post(one.ns, { name: 'private', scope: 'SHARED' })).body.namespace
      .namespaceId;
    expect((await two.api.get(`${two.ns}/${mine}`)).status).toBe(404);
    expect((await two.api.patch(`${two.ns}/${mine}`, { name: 'x' })).status).toBe(404);
    expect((await two.api.delete(`${two.ns}/${mine}`)).status).toBe(404);
    expect((await two.api.get(`${two.ns}?parentId=${mine}`)).status).toBe(404);
    expect((await two.api.post(two.ns, { name: 'x', parentId: mine })).status).toBe(404);
    await two.api.post(two.ltm, { memories: [{ id: 'z', text: 'mine', ownerId: 'ivy' }] });
    expect(
      (await two.api.post(`${two.ltm}/move`, { memoryIds: ['z'], namespaceRef: { namespaceId: mine } }))
        .status,
    ).toBe(404);
    const write = await two.api.post(two.ltm, {
      memories: [{ id: 'y', text: 'x', ownerId: 'ivy', namespaceRef: { namespaceId: mine } }],
    });
    expect(write.body.created).toEqual([]);
    // And the other store's key cannot reach the first store's routes at all.
    expect((await two.api.get(`${one.ns}/${mine}`)).status).toBe(403);
  });

  it('binds sessions on their first event, lists them by namespaceRef, files their promotion there', async () => {
    const { storeId, api, ns, ltm } = await newStore();
    const base = `/v1/stores/${storeId}`;
    const home = (await api.post(ns, { path: 'life/home', scope: 'PERSONAL', ownerId: 'kim' })).body
      .namespace;
    const other = (await api.post(ns, { name: 'other', scope: 'SHARED' })).body.namespace;
    const event = (sessionId: string, text: string, extra: Record<string, unknown> = {}) =>
      api.post(`${base}/session-memory/events`, {
        sessionId,
        actorId: 'kim',
        role: 'USER',
        content: [{ text }],
        createdAt: new Date().toISOString(),
        ...extra,
      });
    expect(
      (await event('s1', "I'm a vegetarian", { namespaceRef: { namespaceId: home.namespaceId } })).status,
    ).toBe(201);
    // Later events may repeat the binding or leave it out, not change it.
    expect(
      (await event('s1', 'I live in Lisbon', { namespaceRef: { namespaceId: home.namespaceId } })).status,
    ).toBe(201);
    expect((await event('s1', 'I have two cats')).status).toBe(201);
    expect((await event('s1', 'x', { namespaceRef: { namespaceId: other.namespaceId } })).status).toBe(409);
    expect((await event('s2', 'unbound')).status).toBe(201);
    expect((await event('s3', 'x', { namespaceRef: { namespaceId: 'missing-ns' } })).status).toBe(404);
    const both = await event('s4', 'x', {
      namespace: 'label',
      namespaceRef: { namespaceId: home.namespaceId },
    });
    expect(both.status).toBe(400);
    expect(fieldsOf(both.body)).toContain('namespaceRef');

    const rows = await api.get(`${base}/sessions?namespaceRef=${home.namespaceId}`);
    expect(rows.status).toBe(200);
    expect(rows.body.items.map((r: { sessionId: string }) => r.sessionId)).toEqual(['s1']);
    expect(rows.body.items[0].namespaceRef).toEqual({
      namespaceId: home.namespaceId,
      name: 'home',
      path: 'life/home',
    });
    expect(
      (await api.get(`${base}/sessions?namespaceRef=${home.namespaceId}&filterOwnerId=someone-else`)).body
        .items,
    ).toEqual([]);
    expect((await api.get(`${base}/sessions?namespaceRef=${home.namespaceId}&includeAll=true`)).status).toBe(
      400,
    );
    const session = await api.get(`${base}/session-memory/s1`);
    expect(session.body.namespaceRef.path).toBe('life/home');

    // A namespace that holds a live session is not empty.
    const leaf = (await api.post(ns, { name: 'temp', scope: 'SHARED' })).body.namespace.namespaceId;
    await event('s5', 'temp', { namespaceRef: { namespaceId: leaf } });
    expect((await api.delete(`${ns}/${leaf}`)).status).toBe(409);
    expect((await api.delete(`${base}/session-memory/s5`)).status).toBe(204);
    expect((await api.delete(`${ns}/${leaf}`)).status).toBe(204);

    // Promotion files the session's memories and conversation records under its namespace.
    await stack().sendPromotionJob(storeId, 's1');
    await stack().consumer!.drain(30_000);
    const filed = await api.post(`${ltm}/search`, {
      limit: 100,
      filter: { namespaceRef: { eq: home.namespaceId } },
    });
    const types = new Set(filed.body.items.map((i: { memoryType: string }) => i.memoryType));
    expect(types.has('conversation')).toBe(true);
    expect(
      filed.body.items.some(
        (i: { text: string; memoryType: string }) =>
          /vegetarian/i.test(i.text) && i.memoryType !== 'conversation',
      ),
    ).toBe(true);
    for (const item of filed.body.items) expect(item.namespaceRef.namespaceId).toBe(home.namespaceId);
    const unfiled = await api.post(`${ltm}/search`, {
      limit: 100,
      filter: { namespaceRef: { eq: other.namespaceId } },
    });
    expect(unfiled.body.items).toEqual([]);

    // Archived: the bound session takes no new events; it stays readable.
    await api.patch(`${ns}/${home.namespaceId}`, { state: 'ARCHIVED' });
    expect((await event('s1', 'more')).status).toBe(409);
    expect((await api.get(`${base}/session-memory/s1`)).status).toBe(200);
  });
});
