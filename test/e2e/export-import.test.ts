import { describe, expect, it } from 'vitest';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

/**
 * Long-term memory export and import as NDJSON (issue 15 item 4), through the local stack: paged
 * export by owner and by namespace with signed tokens, lines carrying the embedding model and no
 * vector, an import into another store that is idempotent by id, re-embedded and searchable, with
 * per-line errors and a bounded size.
 */
const stack = useLocalStack();

async function newStore() {
  const storeId = uniqueStoreId('export');
  await stack().createStore(storeId);
  const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
  return { storeId, api, base: `/v1/stores/${storeId}` };
}

const ndjson = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));

async function exportAll(api: ReturnType<typeof apiClient>, base: string, query: string) {
  const lines: Array<Record<string, unknown>> = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const suffix = token ? `&pageToken=${encodeURIComponent(token)}` : '';
    const page = await api.get(`${base}/long-term-memory/export?${query}${suffix}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(page.headers.get('content-type')).toContain('application/x-ndjson');
    lines.push(...ndjson(typeof page.body === 'string' ? page.body : `${JSON.stringify(page.body)}\n`));
    token = page.headers.get('next-page-token');
    pages += 1;
  } while (token);
  return { lines, pages };
}

describe('export and import', () => {
  it('exports an owner page by page and a namespace; imports them elsewhere idempotently', async () => {
    const source = await newStore();
    const memories = Array.from({ length: 25 }, (_, i) => ({
      id: `m${i}`,
      text: `The user collects stamp number ${i} from Portugal`,
      ownerId: i < 20 ? 'exporter' : 'someone-else',
      namespace: i % 2 ? 'hobbies' : 'travel',
      topics: ['stamps'],
    }));
    expect((await source.api.post(`${source.base}/long-term-memory`, { memories })).status).toBe(201);

    const byOwner = await exportAll(source.api, source.base, 'ownerId=exporter&limit=7');
    expect(byOwner.pages).toBe(3);
    expect(byOwner.lines.map((l) => l.id).sort()).toEqual(
      memories
        .slice(0, 20)
        .map((m) => m.id)
        .sort(),
    );
    for (const line of byOwner.lines) {
      expect(typeof line.embeddingModel).toBe('string');
      expect((line.embeddingModel as string).length).toBeGreaterThan(0);
      expect(JSON.stringify(line)).not.toMatch(/vector|embedding"/i);
    }
    const byNamespace = await exportAll(source.api, source.base, 'namespace=HOBBIES&limit=10');
    expect(byNamespace.lines.map((l) => l.id).sort()).toEqual(
      memories
        .filter((m) => m.namespace === 'hobbies')
        .map((m) => m.id)
        .sort(),
    );
    // A token is bound to its query.
    const first = await source.api.get(`${source.base}/long-term-memory/export?ownerId=exporter&limit=7`);
    const token = first.headers.get('next-page-token')!;
    const reused = await source.api.get(
      `${source.base}/long-term-memory/export?ownerId=someone-else&limit=7&pageToken=${encodeURIComponent(token)}`,
    );
    expect(reused.status).toBe(400);
    expect((await source.api.get(`${source.base}/long-term-memory/export`)).status).toBe(400);

    const target = await newStore();
    const body = byOwner.lines.map((l) => JSON.stringify(l)).join('\n');
    const imported = await target.api.post(`${target.base}/long-term-memory/import`, body, {
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ lines: 20, errors: [] });
    expect(imported.body.imported).toHaveLength(20);
    // Idempotent by id: the same lines again change nothing and fail nothing.
    const again = await target.api.post(`${target.base}/long-term-memory/import`, body, {
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(again.body).toMatchObject({ lines: 20, errors: [] });
    const copy = await target.api.get(`${target.base}/long-term-memory/m3`);
    expect(copy.body).toMatchObject({
      id: 'm3',
      text: memories[3]!.text,
      ownerId: 'exporter',
      namespace: 'hobbies',
    });
    // Re-embedded: searchable in the new store.
    const search = await target.api.post(`${target.base}/long-term-memory/search`, {
      text: 'stamp number 3 from Portugal',
      ownerId: 'exporter',
    });
    expect(search.body.items.map((m: { id: string }) => m.id)).toContain('m3');
  });

  it('reports errors per line and bounds the size', async () => {
    const { api, base } = await newStore();
    const lines = [
      JSON.stringify({ id: 'ok-1', text: 'The user likes tea', ownerId: 'u1' }),
      '',
      '{not json',
      JSON.stringify({ id: 'no-text', ownerId: 'u1' }),
      JSON.stringify({ id: 'ok-2', text: 'The user likes coffee', ownerId: 'u1' }),
    ].join('\n');
    const answer = await api.post(`${base}/long-term-memory/import`, lines, {
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.lines).toBe(4);
    expect(answer.body.imported.sort()).toEqual(['ok-1', 'ok-2']);
    expect(answer.body.errors.map((e: { line: number }) => e.line)).toEqual([3, 4]);
    expect(answer.body.errors[1]).toMatchObject({ line: 4, id: 'no-text' });

    const tooMany = Array.from({ length: 101 }, (_, i) =>
      JSON.stringify({ id: `x${i}`, text: 't', ownerId: 'u' }),
    );
    const refused = await api.post(`${base}/long-term-memory/import`, tooMany.join('\n'), {
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.fields[0]).toMatchObject({ field: 'body', rule: 'maxLines' });
    const huge = await api.post(`${base}/long-term-memory/import`, 'x'.repeat(1_100_000), {
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(huge.status).toBe(413);
    expect(
      (
        await api.post(`${base}/long-term-memory/import`, '\n\n', {
          headers: { 'content-type': 'application/x-ndjson' },
        })
      ).status,
    ).toBe(400);
  });
});
