import type { Redis } from '@upstash/redis';
import { startRedis } from '../dev/local-stack/redis-server.js';
import { startUpstashRestServer, type UpstashRestServer } from '../dev/local-stack/upstash/server.js';
import { createUpstashRedis } from '../lib/adapters/upstash/redis-client.js';
import { UpstashKeywordIndex } from '../lib/adapters/upstash/upstash-keyword-index.js';
import { tokenize } from '../lib/domain/text/tokenizer.js';
import type { KeywordIndex, KeywordPartition } from '../lib/ports/keyword-index.js';
import { formatTable } from '../scripts/format-table.js';
import { isMainModule } from '../scripts/main-module.js';
import { ImpactKeywordIndex } from './index-variants/impact-keyword-index.js';
import { percentile, prng, round } from './stats.js';

export interface KeywordIndexBenchOptions {
  /** Documents indexed into one partition (default 10,000). */
  readonly documents?: number;
  /** Words per document, uniformly in [min, max] (default 15..25). */
  readonly wordsPerDocument?: readonly [number, number];
  /** Distinct words of the synthetic vocabulary (default 20,000). */
  readonly vocabulary?: number;
  /** Zipf exponent of word frequencies (default 1.0, about English). */
  readonly zipfExponent?: number;
  /** Documents per upsert call (default 100). */
  readonly batchSize?: number;
  /** Timed queries per variant (default 300), 2 to 5 words each. */
  readonly queries?: number;
  readonly topK?: number;
  /** Index variants to measure (default: exact/Lua, impact/ZUNIONSTORE, impact/Lua). */
  readonly variants?: readonly KeywordVariant[];
  readonly seed?: number;
}

export interface KeywordVariant {
  readonly label: string;
  /** The index under test; the production one is `new UpstashKeywordIndex(redis)`. */
  readonly create: (redis: Redis) => KeywordIndex;
}

export interface QueryMixFigures {
  /** `zipf`: words drawn like the documents' words; `common`: the most frequent content words. */
  readonly mix: 'zipf' | 'common';
  readonly queries: number;
  readonly topK: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  /** Redis time per query script (INFO commandstats, EVALSHA usec_per_call): the server's share. */
  readonly serverMs: number;
  /** HTTP requests (Upstash round trips) per query, script cached. */
  readonly roundTrips: number;
  /** Mean hits returned (bounded by topK). */
  readonly meanHits: number;
  /** Mean share of the first variant's top 10 that this variant's top 10 holds (1 = same hits). */
  readonly overlapWithFirst: number;
}

export interface KeywordVariantFigures {
  readonly label: string;
  readonly documents: number;
  readonly batchSize: number;
  /** Upsert throughput over all batches (tokenizing included, first batch's EVAL included). */
  readonly indexDocsPerSecond: number;
  /** HTTP requests per upsert batch once the script is cached. */
  readonly indexRoundTripsPerBatch: number;
  readonly queries: readonly QueryMixFigures[];
}

export interface KeywordIndexFigures {
  readonly documents: number;
  readonly meanTermsPerDocument: number;
  readonly distinctTerms: number;
  /** Tokenizer throughput on the corpus (tokens/s, single thread). */
  readonly tokenizeTokensPerSecond: number;
  readonly variants: readonly KeywordVariantFigures[];
}

const DEFAULT_VARIANTS: readonly KeywordVariant[] = [
  { label: 'exact (Lua merge)', create: (redis) => new UpstashKeywordIndex(redis) },
  { label: 'impact (ZUNIONSTORE)', create: (redis) => new ImpactKeywordIndex(redis, { merge: 'zunion' }) },
  { label: 'impact (Lua merge)', create: (redis) => new ImpactKeywordIndex(redis, { merge: 'lua' }) },
];

const DEFAULTS = {
  documents: 10_000,
  wordsPerDocument: [15, 25] as const,
  vocabulary: 20_000,
  zipfExponent: 1.0,
  batchSize: 100,
  queries: 300,
  topK: 10,
  variants: DEFAULT_VARIANTS,
  seed: 7,
};

/** English's most frequent words lead the vocabulary, so stop-word removal is exercised. */
const LEADING_WORDS =
  'the of and to a in is it you that he was for on are with as his they be at one have this'.split(' ');

/**
 * Keyword index figures through the Upstash REST emulator (Redis 8): index throughput for
 * `documents` short synthetic documents (Zipf-distributed words) in one partition, then query
 * latency (p50/p95, sequential), time spent in Redis and round trips for 2-5 word queries, drawn
 * from the same distribution (`zipf`) or from the most frequent content words (`common`, the
 * longest postings), for each scoring/merge variant. Measures only.
 */
export async function measureKeywordIndex(
  stack: { readonly upstash: UpstashRestServer },
  options: KeywordIndexBenchOptions = {},
): Promise<KeywordIndexFigures> {
  const o = { ...DEFAULTS, ...options };
  const redis = createUpstashRedis({
    url: stack.upstash.url,
    token: stack.upstash.token,
    requestTimeoutMs: 30_000,
  });
  const random = prng(o.seed);
  const words = vocabulary(o.vocabulary, random);
  const draw = zipf(o.vocabulary, o.zipfExponent, random);
  const [minWords, maxWords] = o.wordsPerDocument;
  const documents = Array.from({ length: o.documents }, (_, i) => {
    const length = minWords + Math.floor(random() * (maxWords - minWords + 1));
    return { id: `m-${i}`, text: `${Array.from({ length }, () => words[draw()]).join(' ')}.` };
  });
  const queryWords = (pick: () => number) =>
    Array.from({ length: o.queries }, () =>
      Array.from({ length: 2 + Math.floor(random() * 4) }, () => words[pick()]).join(' '),
    );
  const mixes = {
    zipf: queryWords(draw),
    // The 50 most frequent words after the stop words: the longest postings lists.
    common: queryWords(() => LEADING_WORDS.length + Math.floor(random() * 50)),
  };

  // Tokenizer on its own.
  const started = performance.now();
  const termLists = documents.map((d) => tokenize(d.text));
  const tokenizeSeconds = (performance.now() - started) / 1000;
  const tokens = termLists.reduce((sum, terms) => sum + terms.length, 0);

  const run = `${Date.now().toString(36)}${Math.floor(random() * 1e6).toString(36)}`;
  const figures: KeywordVariantFigures[] = [];
  const firstTops: Partial<Record<keyof typeof mixes, string[][]>> = {};
  for (const [v, variant] of o.variants.entries()) {
    const index = variant.create(redis);
    const partition: KeywordPartition = {
      storeId: `bench-kw-${run}-${v}`,
      ownerId: 'user-1',
      namespace: undefined,
    };

    let laterBatchTrips = 0;
    const indexStarted = performance.now();
    for (let i = 0; i < documents.length; i += o.batchSize) {
      const trips = await countRequests(stack.upstash, () =>
        index.upsert(partition, documents.slice(i, i + o.batchSize)),
      );
      if (i > 0) laterBatchTrips += trips;
    }
    const indexSeconds = (performance.now() - indexStarted) / 1000;
    const batches = Math.ceil(documents.length / o.batchSize);

    const queryFigures: QueryMixFigures[] = [];
    for (const mix of ['zipf', 'common'] as const) {
      const queries = mixes[mix];
      for (const query of queries.slice(0, 10)) await index.query([partition], query, o.topK); // warm-up
      const latencies: number[] = [];
      const tops: string[][] = [];
      let hits = 0;
      await rawCommand(stack.upstash, ['CONFIG', 'RESETSTAT']);
      stack.upstash.resetStats();
      for (const query of queries) {
        const t0 = performance.now();
        const result = await index.query([partition], query, o.topK);
        latencies.push(performance.now() - t0);
        hits += result.length;
        tops.push(result.slice(0, 10).map((h) => h.id));
      }
      const roundTrips = stack.upstash.stats.httpRequests / queries.length;
      const serverUsec = await scriptUsecPerCall(stack.upstash);
      firstTops[mix] ??= tops;
      const reference = firstTops[mix];
      let overlap = 0;
      for (const [i, top] of tops.entries()) {
        const expected = reference[i]!;
        overlap +=
          expected.length === 0 ? 1 : top.filter((id) => expected.includes(id)).length / expected.length;
      }
      latencies.sort((x, y) => x - y);
      queryFigures.push({
        mix,
        queries: queries.length,
        topK: o.topK,
        p50Ms: round(percentile(latencies, 50)),
        p95Ms: round(percentile(latencies, 95)),
        maxMs: round(latencies[latencies.length - 1] ?? 0),
        serverMs: round(serverUsec / 1000),
        roundTrips,
        meanHits: round(hits / queries.length),
        overlapWithFirst: round(overlap / queries.length),
      });
    }
    await index.remove(
      partition,
      documents.map((d) => d.id),
    );
    figures.push({
      label: variant.label,
      documents: documents.length,
      batchSize: o.batchSize,
      indexDocsPerSecond: Math.round(documents.length / indexSeconds),
      indexRoundTripsPerBatch: batches > 1 ? laterBatchTrips / (batches - 1) : Number.NaN,
      queries: queryFigures,
    });
  }

  return {
    documents: documents.length,
    meanTermsPerDocument: round(tokens / documents.length),
    distinctTerms: new Set(termLists.flat()).size,
    tokenizeTokensPerSecond: Math.round(tokens / tokenizeSeconds),
    variants: figures,
  };
}

export function formatKeywordIndexFigures(figures: KeywordIndexFigures): string {
  const head = [
    `${figures.documents.toLocaleString('en-US')} documents in one partition, ${figures.meanTermsPerDocument} terms each on average, ${figures.distinctTerms.toLocaleString('en-US')} distinct terms`,
    `tokenizer: ${figures.tokenizeTokensPerSecond.toLocaleString('en-US')} tokens/s`,
    '',
  ];
  const indexRows = figures.variants.map((f) => [
    f.label,
    f.indexDocsPerSecond.toLocaleString('en-US'),
    String(f.batchSize),
    String(f.indexRoundTripsPerBatch),
  ]);
  const queryRows = figures.variants.flatMap((f) =>
    f.queries.map((q) => [
      `${f.label}, ${q.mix}`,
      q.p50Ms.toFixed(2),
      q.p95Ms.toFixed(2),
      q.maxMs.toFixed(2),
      q.serverMs.toFixed(2),
      String(q.roundTrips),
      q.meanHits.toFixed(1),
      q.overlapWithFirst.toFixed(2),
    ]),
  );
  return [
    ...head,
    formatTable(['variant', 'index docs/s', 'batch', 'round trips/batch'], indexRows),
    '',
    `queries: ${figures.variants[0]?.queries[0]?.queries ?? 0} per mix, 2-5 words, top ${figures.variants[0]?.queries[0]?.topK ?? 0}, sequential`,
    formatTable(
      [
        'variant, query mix',
        'p50 ms',
        'p95 ms',
        'max ms',
        'in Redis ms',
        'round trips',
        'hits',
        'top-10 overlap',
      ],
      queryRows,
    ),
  ].join('\n');
}

async function countRequests(upstash: UpstashRestServer, run: () => Promise<unknown>): Promise<number> {
  upstash.resetStats();
  await run();
  return upstash.stats.httpRequests;
}

/** A command straight to the emulator (CONFIG/INFO: local only, hosted Upstash refuses them). */
async function rawCommand(upstash: UpstashRestServer, command: readonly string[]): Promise<unknown> {
  const response = await fetch(upstash.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${upstash.token}` },
    body: JSON.stringify(command),
  });
  const body = (await response.json()) as { result?: unknown };
  return body.result;
}

async function scriptUsecPerCall(upstash: UpstashRestServer): Promise<number> {
  const info = String(await rawCommand(upstash, ['INFO', 'commandstats']));
  const match = /cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(info);
  return match ? Number(match[1]) : Number.NaN;
}

/** Pronounceable, distinct, stemming-stable-enough synthetic words. */
function vocabulary(size: number, random: () => number): string[] {
  const consonants = 'bcdfghjklmnprstvz';
  const vowels = 'aeiou';
  const seen = new Set<string>(LEADING_WORDS);
  const out = [...LEADING_WORDS];
  while (out.length < size) {
    const syllables = 1 + Math.floor(random() * 3);
    let word = '';
    for (let s = 0; s < syllables; s++) {
      word += consonants[Math.floor(random() * consonants.length)]!;
      word += vowels[Math.floor(random() * vowels.length)]!;
    }
    word += consonants[Math.floor(random() * consonants.length)]!;
    if (!seen.has(word)) {
      seen.add(word);
      out.push(word);
    }
  }
  return out.slice(0, size);
}

/** Sampler of ranks 0..n-1 with P(rank r) proportional to 1 / (r + 1)^s. */
function zipf(n: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** s;
    cumulative[r] = total;
  }
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

if (isMainModule(import.meta.url)) {
  // `tsx bench/keyword-index.ts [documents]`
  const documents = process.argv[2] ? Number(process.argv[2]) : undefined;
  const redis = await startRedis({ onProgress: (line) => process.stderr.write(`[bench] ${line}\n`) });
  const upstash = await startUpstashRestServer({ redisUrl: redis.url, token: 'bench-keyword-index' });
  try {
    const figures = await measureKeywordIndex({ upstash }, documents ? { documents } : {});
    console.log(formatKeywordIndexFigures(figures));
  } catch (error) {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  } finally {
    await upstash.stop();
    await redis.stop();
  }
}
