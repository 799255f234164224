import { randomUUID } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImpactKeywordIndex } from '../../bench/index-variants/impact-keyword-index.js';
import { type RedisInstance, startRedis } from '../../dev/local-stack/redis-server.js';
import { startUpstashRestServer, type UpstashRestServer } from '../../dev/local-stack/upstash/server.js';
import { indexKeys } from '../../lib/adapters/upstash/keys.js';
import { createUpstashRedis } from '../../lib/adapters/upstash/redis-client.js';
import {
  BM25_B,
  BM25_K1,
  MAX_TERMS_PER_DOCUMENT,
  UpstashKeywordIndex,
} from '../../lib/adapters/upstash/upstash-keyword-index.js';
import { tokenize } from '../../lib/domain/text/tokenizer.js';
import type { KeywordHit, KeywordPartition } from '../../lib/ports/keyword-index.js';

let redis: RedisInstance;
let upstash: UpstashRestServer;
let client: Redis;
let exact: UpstashKeywordIndex;

beforeAll(async () => {
  redis = await startRedis();
  upstash = await startUpstashRestServer({ redisUrl: redis.url, token: 'test-token' });
  client = createUpstashRedis({ url: upstash.url, token: upstash.token });
  exact = new UpstashKeywordIndex(client);
});
afterAll(async () => {
  await upstash?.stop();
  await redis?.stop();
});

type Doc = { id: string; text: string };

function partition(
  ownerId = 'owner-a',
  namespace: string | null = 'notes',
  storeId?: string,
): KeywordPartition {
  return { storeId: storeId ?? `kw-${randomUUID().slice(0, 8)}`, ownerId, namespace: namespace ?? undefined };
}

async function stats(p: KeywordPartition): Promise<Record<string, string>> {
  const flat = (await client.hgetall(`${indexKeys.keywordPrefix(p)}stats`)) as unknown as string[] | null;
  const out: Record<string, string> = {};
  for (let i = 0; flat && i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/**
 * Textbook BM25 (the index's k1 and b, IDF ln(1 + (N - df + 0.5) / (df + 0.5)), repeated query
 * terms counted), computed here from the token lists, independently of the index.
 */
function referenceBm25(docs: readonly Doc[], query: string): KeywordHit[] {
  const k1 = BM25_K1;
  const b = BM25_B;
  const tokenized = docs.map((d) => ({ id: d.id, terms: tokenize(d.text) })).filter((d) => d.terms.length);
  const n = tokenized.length;
  const avgdl = tokenized.reduce((sum, d) => sum + d.terms.length, 0) / n;
  const queryCounts = new Map<string, number>();
  for (const term of tokenize(query)) queryCounts.set(term, (queryCounts.get(term) ?? 0) + 1);
  const hits: KeywordHit[] = [];
  for (const doc of tokenized) {
    let score = 0;
    for (const [term, qtf] of queryCounts) {
      const tf = doc.terms.filter((t) => t === term).length;
      if (tf === 0) continue;
      const df = tokenized.filter((d) => d.terms.includes(term)).length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      score += qtf * idf * ((tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * doc.terms.length) / avgdl)));
    }
    if (score > 0) hits.push({ id: doc.id, score });
  }
  return hits.sort((x, y) => y.score - x.score || (x.id < y.id ? 1 : -1));
}

/** Same hits and scores; order must agree wherever scores differ (ties may come in either order). */
function expectSameRanking(actual: KeywordHit[], expected: KeywordHit[], digits = 9) {
  expect(actual.map((h) => h.id).sort()).toEqual(expected.map((h) => h.id).sort());
  const byId = new Map(expected.map((h) => [h.id, h.score]));
  for (const hit of actual) expect(hit.score).toBeCloseTo(byId.get(hit.id)!, digits);
  for (let i = 1; i < actual.length; i++)
    expect(actual[i - 1]!.score).toBeGreaterThanOrEqual(actual[i]!.score);
}

async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = (await client.scan(cursor, { match: `${prefix}*`, count: 1000 })) as [
      string,
      string[],
    ];
    found.push(...keys);
    cursor = String(next);
  } while (cursor !== '0');
  return found;
}

const CORPUS: Doc[] = [
  { id: 'm1', text: 'The user prefers vegetarian restaurants near Kyoto station.' },
  { id: 'm2', text: "User's favourite restaurant is a sushi restaurant in Osaka; sushi every Friday." },
  { id: 'm3', text: 'Allergic to peanuts. Avoid peanut sauces at restaurants.' },
  { id: 'm4', text: 'Prefers window seats on long flights; flies to Kyoto twice a year.' },
  { id: 'm5', text: 'Running a marathon in October, training runs every morning.' },
  { id: 'm6', text: 'Vegetarian since 2019, but eats fish: sushi is fine, peanuts are not.' },
  { id: 'm7', text: 'Works remotely from Kyoto; the office is in Tokyo near the station.' },
  {
    id: 'm8',
    text: 'A long note about travel: trains, stations, hotels, restaurants, museums, temples, gardens, markets and a lot more.',
  },
];
const QUERIES = [
  'vegetarian restaurant',
  'sushi',
  'Kyoto station',
  'peanut allergy',
  'restaurants restaurants in Kyoto',
  'running',
  'temples gardens museums',
  'nothing matches this',
];

describe('UpstashKeywordIndex', () => {
  it('ranks a corpus exactly as a reference BM25 does', async () => {
    const p = partition();
    await exact.upsert(p, CORPUS);
    for (const query of QUERIES) {
      const hits = await exact.query([p], query, 10);
      expectSameRanking(hits, referenceBm25(CORPUS, query));
    }
    const top = await exact.query([p], 'sushi restaurant', 1);
    expect(top.map((h) => h.id)).toEqual(['m2']);
  });

  it('impact scoring matches the reference once the average length has settled, with either merge', async () => {
    const zunion = new ImpactKeywordIndex(client, { merge: 'zunion' });
    const lua = new ImpactKeywordIndex(client, { merge: 'lua' });
    const p = partition();
    await zunion.upsert(p, CORPUS);
    // Indexed one by one, early documents were scored against a different average length.
    const drifted = await zunion.query([p], 'restaurants in Kyoto', 10);
    const reference = referenceBm25(CORPUS, 'restaurants in Kyoto');
    expect(drifted.map((h) => h.id).sort()).toEqual(reference.map((h) => h.id).sort());
    // Re-indexing keeps N and the total length, so every posting is rescored with the final average.
    await zunion.upsert(p, CORPUS);
    for (const query of QUERIES) {
      const expected = referenceBm25(CORPUS, query);
      expectSameRanking(await zunion.query([p], query, 10), expected);
      expectSameRanking(await lua.query([p], query, 10), expected);
    }
    await expect(exact.query([p], 'sushi', 3)).rejects.toThrow();
    await expect(exact.upsert(p, [{ id: 'x', text: 'sushi' }])).rejects.toThrow();
  });

  it('re-indexing a document replaces its terms; statistics stay exact', async () => {
    const p = partition();
    const prefix = indexKeys.keywordPrefix(p);
    await exact.upsert(p, [
      { id: 'a', text: 'blue bicycle with a basket' },
      { id: 'b', text: 'red bicycle' },
    ]);
    await exact.upsert(p, [{ id: 'a', text: 'green kayak, green paddle' }]);
    expect(await exact.query([p], 'blue basket', 10)).toEqual([]);
    expect((await exact.query([p], 'bicycle', 10)).map((h) => h.id)).toEqual(['b']);
    expect((await exact.query([p], 'green kayak', 10)).map((h) => h.id)).toEqual(['a']);
    expect(await stats(p)).toMatchObject({ n: '2', len: String(4 + 2) });
    expect(await client.exists(`${prefix}t:blue`, `${prefix}t:basket`)).toBe(0);
    // Duplicates in one batch: the last one wins.
    await exact.upsert(p, [
      { id: 'b', text: 'first' },
      { id: 'b', text: 'second version' },
    ]);
    expect(await exact.query([p], 'first', 10)).toEqual([]);
    expect((await exact.query([p], 'second', 10)).map((h) => h.id)).toEqual(['b']);
    expect(await stats(p)).toMatchObject({ n: '2', len: String(4 + 2) });
  });

  it('removal leaves no keys behind', async () => {
    const p = partition();
    const prefix = indexKeys.keywordPrefix(p);
    await exact.upsert(p, CORPUS);
    expect((await keysUnder(prefix)).length).toBeGreaterThan(20);
    await exact.remove(p, ['m1', 'm2', 'unknown']);
    expect(await stats(p)).toMatchObject({ n: String(CORPUS.length - 2) });
    expectSameRanking(
      await exact.query([p], 'sushi restaurant', 10),
      referenceBm25(CORPUS.slice(2), 'sushi restaurant'),
    );
    await exact.remove(
      p,
      CORPUS.map((d) => d.id),
    );
    expect(await keysUnder(prefix)).toEqual([]);

    // A document re-indexed with no terms is removed too.
    await exact.upsert(p, [{ id: 'e', text: 'emoji soon' }]);
    await exact.upsert(p, [{ id: 'e', text: '🎉 🎉 !!!' }]);
    expect(await keysUnder(prefix)).toEqual([]);
    // So is an impact-scored partition (and the scratch key of a ZUNIONSTORE query never stays).
    const impact = new ImpactKeywordIndex(client);
    await impact.upsert(p, CORPUS);
    expect(await impact.query([p], 'sushi', 5)).not.toEqual([]);
    expect(await keysUnder(`${prefix}scratch`)).toEqual([]);
    await impact.remove(
      p,
      CORPUS.map((d) => d.id),
    );
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('keeps partitions apart: owners and namespaces never see each other', async () => {
    const storeId = `kw-${randomUUID().slice(0, 8)}`;
    const a = partition('owner-a', 'notes', storeId);
    const b = partition('owner-b', 'notes', storeId);
    const aOther = partition('owner-a', 'travel', storeId);
    const aNone = partition('owner-a', null, storeId);
    await exact.upsert(a, [{ id: 'a1', text: 'secret sushi recipe' }]);
    await exact.upsert(b, [{ id: 'b1', text: 'sushi bar opinions, sushi everywhere' }]);
    await exact.upsert(aOther, [{ id: 'a2', text: 'sushi in Tokyo' }]);
    await exact.upsert(aNone, [{ id: 'a3', text: 'sushi without a namespace' }]);
    expect((await exact.query([a], 'sushi', 10)).map((h) => h.id)).toEqual(['a1']);
    expect((await exact.query([b], 'sushi secret recipe', 10)).map((h) => h.id)).toEqual(['b1']);
    expect((await exact.query([aOther], 'sushi', 10)).map((h) => h.id)).toEqual(['a2']);
    expect((await exact.query([aNone], 'sushi', 10)).map((h) => h.id)).toEqual(['a3']);
    // Namespaces are case-insensitive: the same partition.
    expect(
      (await exact.query([partition('owner-a', 'NOTES', storeId)], 'sushi', 10)).map((h) => h.id),
    ).toEqual(['a1']);
    // Another store with the same owner and namespace is another index.
    expect(await exact.query([partition('owner-a', 'notes')], 'sushi', 10)).toEqual([]);
    await expect(exact.query([a, partition('owner-a', 'notes')], 'sushi', 10)).rejects.toThrow(/one store/);
  });

  it('merges partitions with pooled statistics, as BM25 over their union', async () => {
    const storeId = `kw-${randomUUID().slice(0, 8)}`;
    const a = partition('owner-a', 'notes', storeId);
    const b = partition('owner-a', 'travel', storeId);
    const c = partition('owner-a', 'empty', storeId);
    const inA = CORPUS.slice(0, 3);
    const inB = CORPUS.slice(3);
    await exact.upsert(a, inA);
    await exact.upsert(b, inB);
    for (const query of QUERIES) {
      const merged = await exact.query([a, b, c, a], query, 10);
      expectSameRanking(merged, referenceBm25(CORPUS, query));
    }
    const topTwo = await exact.query([a, b], 'Kyoto station', 2);
    expect(topTwo).toEqual(
      referenceBm25(CORPUS, 'Kyoto station')
        .slice(0, 2)
        .map((h) => expect.objectContaining({ id: h.id })),
    );
  });

  it('searches a whole store: many partitions, over a thousand postings lists, one round trip', async () => {
    const storeId = `kw-${randomUUID().slice(0, 8)}`;
    const words = Array.from({ length: 30 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}${i}`);
    // Equal lengths, so impact scoring (length normalization per partition) agrees with the pooled one.
    const docs = Array.from({ length: 60 }, (_, i) => ({
      partition: partition(`owner-${i}`, 'notes', storeId),
      doc: {
        id: `p${i}`,
        text: [
          ...words.slice(0, 10 + (i % 21)),
          ...Array(20 - (i % 21)).fill(`fill${i}`),
          words[i % 30],
        ].join(' '),
      },
    }));
    const zunion = new ImpactKeywordIndex(client, { merge: 'zunion' });
    const impactStore = `${storeId}-i`;
    for (const { partition: p, doc } of docs) {
      await exact.upsert(p, [doc]);
      await zunion.upsert({ ...p, storeId: impactStore }, [doc]);
    }
    const query = words.join(' ');
    const expected = referenceBm25(
      docs.map((d) => d.doc),
      query,
    );
    await exact.query([docs[0]!.partition], 'warm', 1);
    await zunion.query([{ ...docs[0]!.partition, storeId: impactStore }], 'warm', 1);
    upstash.resetStats();
    const merged = await exact.query(
      docs.map((d) => d.partition),
      query,
      100,
    );
    expect(upstash.stats.httpRequests).toBe(1);
    expectSameRanking(merged, expected);
    expectSameRanking(
      await zunion.query(
        docs.map((d) => ({ ...d.partition, storeId: impactStore })),
        query,
        100,
      ),
      expected,
    );
    // Over 1,084 partitions a query keeps its first 15 terms (16,384 term x partition pairs at most).
    const many = Array.from({ length: 1_024 }, (_, i) => partition(`many-${i}`, 'notes', storeId));
    const manyHits = await exact.query([...many, ...docs.map((d) => d.partition)], query, 100);
    expectSameRanking(
      manyHits,
      referenceBm25(
        docs.map((d) => d.doc),
        words.slice(0, 15).join(' '),
      ),
    );
  });

  it('costs one HTTP round trip per query, per batch upsert and per batch removal', async () => {
    const p = partition();
    // Warm the script cache (the first call of a script is EVALSHA, NOSCRIPT, then EVAL).
    await exact.upsert(p, [{ id: 'warm', text: 'warm up' }]);
    await exact.query([p], 'warm', 1);
    await exact.remove(p, ['warm']);

    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda sigma omega'.split(' ');
    const docs = Array.from({ length: 3_000 }, (_, i) => ({
      id: `d${i}`,
      text: Array.from({ length: 20 }, (_, j) => words[(i * 7 + j * j) % words.length]).join(' '),
    }));
    upstash.resetStats();
    await exact.upsert(p, docs); // several script chunks, one pipelined request
    expect(upstash.stats.httpRequests).toBe(1);
    expect(upstash.stats.commands).toBeGreaterThan(1);
    expect(await client.hget(`${indexKeys.keywordPrefix(p)}stats`, 'n')).toBe('3000');

    for (const query of ['alpha', 'beta gamma delta', 'omega sigma kappa lambda theta']) {
      upstash.resetStats();
      expect((await exact.query([p, partition('owner-z', 'x', p.storeId)], query, 10)).length).toBe(10);
      expect(upstash.stats.httpRequests).toBe(1);
    }
    upstash.resetStats();
    await exact.remove(
      p,
      docs.map((d) => d.id),
    );
    expect(upstash.stats.httpRequests).toBe(1);
    expect(await keysUnder(indexKeys.keywordPrefix(p))).toEqual([]);

    // Queries with no terms cost nothing.
    upstash.resetStats();
    expect(await exact.query([p], '', 10)).toEqual([]);
    expect(await exact.query([p], '🙂 ... ?!', 10)).toEqual([]);
    expect(await exact.query([], 'alpha', 10)).toEqual([]);
    expect(await exact.query([p], 'alpha', 0)).toEqual([]);
    expect(upstash.stats.httpRequests).toBe(0);
  });

  it('indexes 50,000-character documents', async () => {
    const p = partition();
    const vocabulary = Array.from({ length: 2_000 }, (_, i) => `w${i.toString(36)}x`);
    let long = '';
    for (let i = 0; long.length < 50_000; i++) long += `${vocabulary[(i * 31) % vocabulary.length]} `;
    long = `${long.slice(0, 49_980)} needle haystack`;
    const cjk = '長い日本語の文書です。'.repeat(5_000).slice(0, 50_000);
    const docs = [
      { id: 'long', text: long },
      { id: 'cjk', text: cjk },
      { id: 'short', text: 'a short needle note' },
    ];
    expect(long.length).toBe(49_996);
    await exact.upsert(p, docs);
    const hits = await exact.query([p], 'needle', 10);
    expectSameRanking(hits, referenceBm25(docs, 'needle'));
    expect(hits.map((h) => h.id)).toEqual(['short', 'long']);
    expectSameRanking(await exact.query([p], '日本語の文書', 10), referenceBm25(docs, '日本語の文書'));
    await exact.remove(p, ['long', 'cjk', 'short']);
    expect(await keysUnder(indexKeys.keywordPrefix(p))).toEqual([]);
  });

  it(`indexes at most ${MAX_TERMS_PER_DOCUMENT} distinct terms of one document, keeping the most frequent`, async () => {
    const p = partition();
    const prefix = indexKeys.keywordPrefix(p);
    // A random-token text: every word distinct, past the cap, plus two words repeated.
    const distinct = Array.from({ length: MAX_TERMS_PER_DOCUMENT + 1_500 }, (_, i) => `q${i.toString(36)}z`);
    const text = `${distinct.join(' ')} ${'frequent '.repeat(5)} ${'common '.repeat(3)}`;
    await exact.upsert(p, [{ id: 'flood', text }]);
    const postingLists = (await keysUnder(prefix)).filter((key) => key.startsWith(`${prefix}t:`));
    expect(postingLists).toHaveLength(MAX_TERMS_PER_DOCUMENT);
    // The repeated words are kept; the cap drops the last-seen single words.
    expect((await exact.query([p], 'frequent', 5)).map((h) => h.id)).toEqual(['flood']);
    expect((await exact.query([p], 'common', 5)).map((h) => h.id)).toEqual(['flood']);
    expect((await exact.query([p], distinct[0]!, 5)).map((h) => h.id)).toEqual(['flood']);
    expect(await exact.query([p], distinct.at(-1)!, 5)).toEqual([]);
    // The length BM25 normalizes by stays the document's true term count.
    expect(await stats(p)).toMatchObject({ n: '1', len: String(distinct.length + 8) });
    await exact.remove(p, ['flood']);
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('answers unicode queries', async () => {
    const p = partition();
    const docs: Doc[] = [
      { id: 'fr', text: 'Le Café de Flore à Paris, très célèbre.' },
      { id: 'de', text: 'Die Straße zum Müller-Haus' },
      { id: 'ja', text: '東京都に住んでいます。猫が好きです。' },
      { id: 'zh', text: '我喜欢北京烤鸭' },
      { id: 'ko', text: '서울에서 만나요' },
      { id: 'ru', text: 'Привет из Москвы' },
      { id: 'th', text: 'สวัสดีครับ ผมชื่อสมชาย' },
      { id: 'emoji', text: '🍕🍕 pizza night 🎉' },
      { id: 'wide', text: 'ＡＢＣ１２３ model' },
    ];
    await exact.upsert(p, docs);
    const top = async (query: string) => (await exact.query([p], query, 3))[0]?.id;
    expect(await top('cafe')).toBe('fr');
    expect(await top('CAFÉ célèbre')).toBe('fr');
    expect(await top('strasse muller')).toBe('de');
    expect(await top('東京')).toBe('ja');
    expect(await top('猫')).toBe('ja');
    expect(await top('北京')).toBe('zh');
    expect(await top('서울')).toBe('ko');
    expect(await top('москвы')).toBe('ru');
    expect(await top('สวัสดี')).toBe('th');
    expect(await top('pizza 🍕')).toBe('emoji');
    expect(await top('abc123')).toBe('wide');
    for (const query of ['東京', 'Straße', 'สวัสดี']) {
      expectSameRanking(await exact.query([p], query, 10), referenceBm25(docs, query));
    }
  });

  it('handles empty and stop-word-only queries, and caps huge ones', async () => {
    const p = partition();
    const docs: Doc[] = [
      { id: 'band', text: 'The Who' },
      { id: 'note', text: 'Who is the user? The user is a pilot.' },
      { id: 'other', text: 'pilot training schedule' },
    ];
    await exact.upsert(p, docs);
    expect(await exact.query([p], '', 10)).toEqual([]);
    expect(await exact.query([p], '   \n\t', 10)).toEqual([]);
    // Only stop words: they are kept, and find the document that is only stop words.
    expect((await exact.query([p], 'the who', 10)).map((h) => h.id)).toEqual(['band']);
    expect(await exact.query([p], 'to be or not to be', 10)).toEqual([]);
    // Mixed: stop words drop out.
    expectSameRanking(await exact.query([p], 'who is the pilot', 10), referenceBm25(docs, 'pilot'));

    const huge = `${Array.from({ length: 5_000 }, (_, i) => `filler${i}`).join(' ')} pilot`;
    expect(await exact.query([p], huge, 10)).toEqual([]); // "pilot" is past the 64-term cap
    expect((await exact.query([p], `pilot ${huge}`, 10)).map((h) => h.id).sort()).toEqual(['note', 'other']);
    expect((await exact.query([p], 'pilot', 10_000)).length).toBe(2);
  });

  it('bounds the work of a query with the postings budget, reading the best postings first', async () => {
    const budgeted = new UpstashKeywordIndex(client, { postingsBudget: 4 });
    const p = partition();
    const docs: Doc[] = Array.from({ length: 20 }, (_, i) => ({
      id: `d${String(i).padStart(2, '0')}`,
      text: `${'apple '.repeat(1 + (i % 5))}${'filler '.repeat(i)}`,
    }));
    await exact.upsert(p, docs);
    const full = await exact.query([p], 'apple', 20);
    const pruned = await budgeted.query([p], 'apple', 20);
    expect(full).toHaveLength(20);
    expect(pruned).toHaveLength(4);
    // The four postings read are those with the highest term frequency, shortest first.
    expect(pruned.map((h) => h.id).sort()).toEqual(['d04', 'd09', 'd14', 'd19']);
  });
});
