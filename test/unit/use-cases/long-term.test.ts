import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../lib/domain/errors.js';
import { bulkCreateMemories } from '../../../lib/use-cases/long-term/bulk-create.js';
import { bulkDeleteMemories } from '../../../lib/use-cases/long-term/bulk-delete.js';
import { sweepExpiredMemories } from '../../../lib/use-cases/long-term/expiry.js';
import { getMemory } from '../../../lib/use-cases/long-term/get.js';
import { embedTexts } from '../../../lib/use-cases/long-term/indexing.js';
import { MAX_SEARCH_PARTITIONS, searchMemories } from '../../../lib/use-cases/long-term/search.js';
import { updateMemory, updateMemoryFields } from '../../../lib/use-cases/long-term/update.js';
import { HashEmbedder } from '../../fakes/hash-embedder.js';
import { STORE_ID, world } from '../../fakes/world.js';

const memory = (id: string, text: string, extra: Record<string, unknown> = {}) => ({
  id,
  text,
  ownerId: 'alice',
  ...extra,
});
const partition = (ownerId = 'alice', namespace?: string) => ({ storeId: STORE_ID, ownerId, namespace });
const search = (w: ReturnType<typeof world>, body: Record<string, unknown>) =>
  searchMemories(w, STORE_ID, { filterOp: 'all', limit: 10, ...body });

describe('bulkCreateMemories', () => {
  it('stores and indexes valid items, reporting bad ones per item', async () => {
    // Arrange
    const w = world();
    // Act
    const result = await bulkCreateMemories(w, STORE_ID, [
      memory('m1', 'The user likes green tea'),
      { id: 'm2' },
      memory('m1', 'a duplicate id in the same request'),
    ]);
    // Assert
    expect(result.created).toEqual(['m1']);
    expect(result.errors.map((e) => e.id)).toEqual(['m2', 'm1']);
    expect(result.errors[1]?.error).toBe('duplicate id in this request');
    expect(w.vectors.ids(partition())).toEqual(['m1']);
    expect(w.keywords.ids(partition())).toEqual(['m1']);
  });

  it('accepts a re-post of the same content without duplicating, refuses other content', async () => {
    const w = world();
    await bulkCreateMemories(w, STORE_ID, [memory('m1', 'same text')]);
    const again = await bulkCreateMemories(w, STORE_ID, [memory('m1', 'same text')]);
    const changed = await bulkCreateMemories(w, STORE_ID, [memory('m1', 'other text')]);
    expect(again).toEqual({ created: ['m1'], errors: [] });
    expect(changed.created).toEqual([]);
    expect(changed.errors[0]?.error).toMatch(/use PATCH/);
    expect(w.records.all(STORE_ID)).toHaveLength(1);
  });

  it('refuses an unregistered memory type and a store that does not exist', async () => {
    const w = world();
    const result = await bulkCreateMemories(w, STORE_ID, [memory('m1', 'x', { memoryType: 'recipe' })]);
    expect(result.errors[0]?.error).toMatch(/not registered/);
    await expect(bulkCreateMemories(w, 'nostore', [memory('m1', 'x')])).rejects.toThrow(NotFoundError);
  });

  it('embeds in batches no larger than the model takes', async () => {
    const w = world({ maxBatch: 2 });
    const items = Array.from({ length: 5 }, (_, i) => memory(`m${i}`, `fact number ${i}`));
    const result = await bulkCreateMemories(w, STORE_ID, items);
    expect(result.created).toHaveLength(5);
    expect(w.embedder.documentCalls.map((c) => c.length)).toEqual([2, 2, 1]);
  });
});

describe('embedTexts', () => {
  it('cuts texts to the model limit and keeps input order across batches', async () => {
    const embedder = new HashEmbedder({ maxInputCharacters: 5, maxBatch: 1 });
    const vectors = await embedTexts(embedder, ['abcdefgh', 'xyz']);
    expect(embedder.documentCalls).toEqual([['abcde'], ['xyz']]);
    expect(vectors[1]).toEqual(embedder.vector('xyz'));
  });
});

describe('bulkDeleteMemories', () => {
  it('clears both indexes and the record, and reports unknown ids', async () => {
    const w = world();
    await bulkCreateMemories(w, STORE_ID, [memory('m1', 'to delete'), memory('m2', 'to keep')]);
    const result = await bulkDeleteMemories(w, STORE_ID, ['m1', 'nope', 'm1', '']);
    expect(result.deleted).toEqual(['m1']);
    expect(result.errors.map((e) => e.id)).toEqual(['memoryIds[3]', 'nope']);
    expect(w.vectors.ids(partition())).toEqual(['m2']);
    expect(w.keywords.ids(partition())).toEqual(['m2']);
    expect(w.records.all(STORE_ID).map((r) => r.id)).toEqual(['m2']);
  });
});

describe('getMemory', () => {
  it('returns the view and records the access; 404 for unknown ids', async () => {
    const w = world();
    await bulkCreateMemories(w, STORE_ID, [memory('m1', 'hello there')]);
    w.clock.advance(5_000);
    const view = await getMemory(w, STORE_ID, 'm1');
    expect(view).toMatchObject({ id: 'm1', text: 'hello there', memoryType: 'semantic', ownerId: 'alice' });
    expect(await w.records.lastAccess(STORE_ID, ['m1'])).toEqual([w.clock.now()]);
    await expect(getMemory(w, STORE_ID, 'missing')).rejects.toThrow(NotFoundError);
  });
});

describe('updateMemory', () => {
  it('re-embeds new text and re-files a record whose owner changes', async () => {
    const w = world();
    await bulkCreateMemories(w, STORE_ID, [memory('m1', 'old words')]);
    w.clock.advance(1_000);
    const view = await updateMemory(w, STORE_ID, 'm1', { text: 'new words', ownerId: 'bob' });
    expect(view).toMatchObject({ text: 'new words', ownerId: 'bob' });
    expect(w.vectors.ids(partition('alice'))).toEqual([]);
    expect(w.vectors.ids(partition('bob'))).toEqual(['m1']);
    const hits = await w.keywords.query([partition('bob')], 'new', 10);
    expect(hits.map((h) => h.id)).toEqual(['m1']);
  });

  it('refuses an unregistered type and an unknown memory', async () => {
    const w = world();
    await bulkCreateMemories(w, STORE_ID, [memory('m1', 'x')]);
    await expect(updateMemory(w, STORE_ID, 'm1', { memoryType: 'recipe' })).rejects.toThrow(ValidationError);
    await expect(updateMemory(w, STORE_ID, 'zz', { text: 'y' })).rejects.toThrow(NotFoundError);
  });
});

describe('updateMemoryFields', () => {
  const config = {
    customMemoryTypes: [
      {
        name: 'recipe',
        description: 'A recipe',
        fields: [{ name: 'servings', description: 'How many it feeds', type: 'int' }],
      },
    ],
  };

  it('merges attributes of a custom-typed record and checks the stated type', async () => {
    const w = world({ config });
    const created = await bulkCreateMemories(w, STORE_ID, [
      memory('r1', 'Pancakes', { memoryType: 'recipe', attributes: { servings: 2 } }),
    ]);
    expect(created.errors).toEqual([]);
    const view = await updateMemoryFields(w, STORE_ID, 'r1', {
      memoryType: 'recipe',
      attributes: { servings: 4 },
    });
    expect(view.attributes).toEqual({ servings: 4 });
    await expect(
      updateMemoryFields(w, STORE_ID, 'r1', { memoryType: 'semantic', attributes: {} }),
    ).rejects.toThrow(ConflictError);
  });
});

describe('searchMemories', () => {
  it('ranks by meaning and words, applies filters exactly and records access', async () => {
    const w = world();
    await bulkCreateMemories(w, STORE_ID, [
      memory('tea', 'The user drinks green tea every morning'),
      memory('car', 'The user drives a red car'),
      memory('bob', 'Bob drinks green tea too', { ownerId: 'bob' }),
    ]);
    const result = await search(w, { text: 'green tea', filter: { ownerId: { eq: 'alice' } } });
    expect(result.items[0]?.id).toBe('tea');
    expect(result.items.map((i) => i.id)).not.toContain('bob');
    expect(w.records.accessCalls.at(-1)).toEqual(result.items.map((i) => i.id));
  });

  it('never asks the vector index for more than its maxTopK, however deep it widens', async () => {
    const w = world({ maxTopK: 40 });
    await bulkCreateMemories(
      w,
      STORE_ID,
      Array.from({ length: 60 }, (_, i) => memory(`n${i}`, `noise memory number ${i}`)),
    );
    // Past the vector cap the keyword index (uncapped) still reaches it: it shares a query word.
    await bulkCreateMemories(w, STORE_ID, [memory('needle', 'a rare memory', { topics: ['rare'] })]);
    const result = await search(w, { text: 'noise memory', filter: { topics: { eq: 'rare' } } });
    expect(result.items.map((i) => i.id)).toEqual(['needle']);
    expect(Math.max(...w.vectors.queries.map((q) => q.topK))).toBe(40);
  });

  it('lists in creation order without text, with a page token', async () => {
    const w = world();
    for (const id of ['a', 'b', 'c']) {
      await bulkCreateMemories(w, STORE_ID, [memory(id, `memory ${id}`)]);
      w.clock.advance(10);
    }
    const first = await search(w, { limit: 2 });
    expect(first.items.map((i) => i.id)).toEqual(['a', 'b']);
    const second = await search(w, { limit: 2, pageToken: first.nextPageToken });
    expect(second.items.map((i) => i.id)).toEqual(['c']);
    expect(second.nextPageToken).toBeUndefined();
  });

  it('refuses a search over more partitions than one request may read', async () => {
    const w = world();
    const owners = Array.from({ length: MAX_SEARCH_PARTITIONS + 1 }, (_, i) => `o${i}`);
    await expect(
      search(w, { text: 'x', filter: { ownerId: { in: owners }, namespace: { eq: 'n' } } }),
    ).rejects.toThrow(ValidationError);
  });
});

describe('sweepExpiredMemories', () => {
  it('deletes records past their TTL from every index', async () => {
    const w = world({ config: { longTermMemory: { ttlSeconds: 60 } } });
    await bulkCreateMemories(w, STORE_ID, [memory('old', 'old memory')]);
    w.clock.advance(30_000);
    await bulkCreateMemories(w, STORE_ID, [memory('new', 'new memory')]);
    w.clock.advance(31_000);
    const report = await sweepExpiredMemories(w, { perStoreLimit: 10 });
    expect(report).toEqual({ storesVisited: 1, deleted: 1 });
    expect(w.records.all(STORE_ID).map((r) => r.id)).toEqual(['new']);
    expect(w.vectors.ids(partition())).toEqual(['new']);
  });
});
