import { createHash } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import { DependencyUnavailableError } from '../../domain/errors.js';
import { tokenize } from '../../domain/text/tokenizer.js';
import type { KeywordHit, KeywordIndex, KeywordPartition } from '../../ports/keyword-index.js';
import { indexKeys } from './keys.js';
import { type RawPipeline, rawPipeline, type WireCommand } from './raw-pipeline.js';
import { redisCall } from './redis-call.js';

/**
 * BM25 full-text search on plain Redis: sorted sets and Lua only (no modules), so it runs on hosted
 * Upstash as well as on the local Redis 8.
 *
 * Layout, per partition (one owner in one namespace), all under `indexKeys.keywordPrefix(partition)`:
 * - `t:<term>`  sorted set, the term's postings: member = document id, score = see "Scoring".
 * - `docs`      hash, document id -> `"<length> <term> <term> ..."`: the document's length in terms
 *               and its distinct terms, so re-indexing and removal delete exactly its postings.
 * - `stats`     hash: `n` documents, `len` total length (both exact after every change), `scheme`.
 * - `scratch`   only exists while a `zunion` query runs (created and deleted inside the script).
 * A partition with no documents has no keys at all.
 *
 * Scoring (BM25, k1 = {@link BM25_K1} = 1.2, b = {@link BM25_B} = 0.4, Lucene's IDF `ln(1 + (N - df + 0.5) / (df + 0.5))`):
 * - `exact` (default): a posting's score packs the term frequency and the document's length,
 *   `tf * 2^24 + (2^24 - 1 - length)`. The query script decodes both and computes BM25 with the
 *   current document count, document frequencies and average length, so scores are those of a
 *   textbook BM25 over the queried documents. The packing also sorts postings by impact (higher tf
 *   first, then shorter documents), which is what bounds a query's work: see `postingsBudget`.
 * - `impact`: a posting's score is the BM25 term-frequency component `tf (k1 + 1) / (tf + k1 (1 - b +
 *   b |D| / avgdl))` with the partition's average length when the document was indexed, so a query is
 *   one weighted `ZUNIONSTORE` (weights = IDF). Approximation: that average drifts as the partition
 *   grows, and a document is only rescored when it is re-indexed.
 * A partition keeps the scheme it was created with (`stats.scheme`); scripts refuse to mix them.
 *
 * Merge, measured (bench/keyword-index.ts, Redis 8 via the emulator, time inside Redis per query):
 * with short postings (10,000 short documents, 2-5 word queries) ZUNIONSTORE takes 0.2-0.9 ms and
 * the Lua merge 0.35-1.7 ms, both well below the HTTP round trip; with long postings (a term in each
 * of 50,000 documents) the Lua merge of exact postings is the faster, ~40 ms against 70-90 ms, as
 * ZUNIONSTORE materializes the whole union as a sorted set (the Lua merge of `impact` postings is
 * the slowest, ~115 ms: Redis formats their fractional scores for the script). And only the Lua
 * merge has a cap. Hence the default: exact scoring, Lua merge, bounded by `postingsBudget`.
 *
 * Several partitions: statistics are pooled (N = sum of document counts, df = sum of the postings'
 * sizes, average length over all queried documents), so the merged ranking is the one BM25 would
 * give over the union of the partitions and scores from different partitions are comparable
 * (`impact` pools N and df; its length normalization stays per partition, as indexed). Any number of
 * partitions of one store (they share a cluster slot); over many, fewer query terms are used, see
 * MAX_TERM_PARTITION_PAIRS. Document ids are assumed to be unique across partitions (memory ids are).
 *
 * Round trips: `query` is one script call, sent through the client's shared raw pipeline
 * (raw-pipeline.ts), so a search's vector queries and keyword query are one HTTP request; `upsert` and `remove` are one script call per chunk, all
 * chunks sent together (auto-pipelined), so one HTTP request however large the batch. Each chunk is
 * atomic and every document lies wholly in one chunk.
 */

export type KeywordScoring = 'exact' | 'impact';

export interface UpstashKeywordIndexOptions {
  /** See "Scoring" above. Do not change it for an existing index. */
  readonly scoring?: KeywordScoring;
  /** `impact` only: merge with `ZUNIONSTORE` (default) or in Lua (`exact` always merges in Lua). */
  readonly merge?: 'zunion' | 'lua';
  /**
   * Lua merge only: the most postings one query reads, over all its (term, partition) sorted sets.
   * The budget is shared out in order of ascending size (small sets are read whole, what they leave
   * goes to the larger ones), each set read best-impact first. Redis 8 reads about one posting
   * per microsecond in the script, so the default 50,000 bounds a query at roughly 50 ms of Redis time
   * (a 10,000-document partition never reaches it with fewer than five terms).
   */
  readonly postingsBudget?: number;
}

export const BM25_K1 = 1.2;
/**
 * Length normalization. Memories are short (a fact, a message), and length says little about
 * relevance there: 0.4 rather than the textbook 0.75 lifted LoCoMo turn recall@10 from 0.610 to
 * 0.629 in keyword mode (docs/decisions/0002-retrieval.md).
 */
export const BM25_B = 0.4;
/** Distinct query terms considered (the first ones, in query order); the rest are ignored. */
export const MAX_QUERY_TERMS = 64;
/**
 * (term, partition) pairs one query looks at: a query over many partitions (a store-wide search)
 * considers fewer terms, at least one (e.g. 64 terms up to 256 partitions, 4 terms over 4,096).
 */
export const MAX_TERM_PARTITION_PAIRS = 16_384;
export const MAX_TOP_K = 10_000;
/** Script arguments per upsert chunk (a 20-word document takes about 45). */
const MAX_ARGS_PER_CHUNK = 20_000;
const MAX_IDS_PER_CHUNK = 2_000;
const DEFAULT_POSTINGS_BUDGET = 50_000;
/** Terms as the tokenizer makes them: letters, digits and marks only (they become key parts). */
const TERM_PATTERN = /^[\p{L}\p{N}\p{M}]+$/u;

/** Keys inside a partition's prefix. The scripts derive `t:<term>` keys: keep them in step. */
const keywordKeys = {
  docs: (prefix: string) => `${prefix}docs`,
  stats: (prefix: string) => `${prefix}stats`,
  termPrefix: (prefix: string) => `${prefix}t:`,
  scratch: (prefix: string) => `${prefix}scratch`,
};

const HELPERS = `
-- Reads what a document was indexed with: its set of terms and its length (nil when not indexed).
local function indexed(docs_key, id)
  local stored = redis.call('HGET', docs_key, id)
  if not stored then return nil, 0 end
  local terms, len = {}, nil
  for token in string.gmatch(stored, '%S+') do
    if len == nil then len = tonumber(token) else terms[token] = true end
  end
  return terms, len
end
local function check_scheme(stats, scheme)
  if stats and stats ~= scheme then
    return redis.error_reply('ERR keyword index partition holds ' .. stats .. ' postings, not ' .. scheme)
  end
end
local function save_stats(stats_key, n, total, scheme)
  if n <= 0 then redis.call('DEL', stats_key)
  else redis.call('HSET', stats_key, 'n', n, 'len', total, 'scheme', scheme) end
end
local LEN_SPAN = 16777216
`;

/**
 * Indexes documents of one partition (each replaces the document's previous postings).
 * KEYS: 1 docs hash, 2 stats hash
 * ARGV: 1 term key prefix (`<partition prefix>t:`), 2 scheme ('exact' | 'impact'), 3 k1, 4 b,
 *       5 number of documents D, then per document: id, length, number of distinct terms m,
 *       then m pairs (term, term frequency)
 * Returns the partition's document count. A document with no terms is removed.
 * Work: O(total postings written + previous postings of the documents) ZADD/ZREM.
 */
export const UPSERT_DOCUMENTS = `${HELPERS}
local docs_key, stats_key, term_prefix, scheme = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
local k1, b = tonumber(ARGV[3]), tonumber(ARGV[4])
local st = redis.call('HMGET', stats_key, 'n', 'len', 'scheme')
local refused = check_scheme(st[3], scheme)
if refused then return refused end
local n, total = tonumber(st[1]) or 0, tonumber(st[2]) or 0
local impact = scheme == 'impact'
local i = 6
for _ = 1, tonumber(ARGV[5]) do
  local id, len, m = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  i = i + 3
  local old, old_len = indexed(docs_key, id)
  if old then n = n - 1; total = total - old_len end
  if m > 0 then
    n = n + 1
    total = total + len
    local norm = k1 * (1 - b + b * len / (total / n))
    local packed_len = LEN_SPAN - 1 - math.min(len, LEN_SPAN - 1)
    local list = {len}
    for j = i, i + 2 * m - 1, 2 do
      local term, tf = ARGV[j], tonumber(ARGV[j + 1])
      local score
      if impact then score = tf * (k1 + 1) / (tf + norm) else score = tf * LEN_SPAN + packed_len end
      redis.call('ZADD', term_prefix .. term, string.format('%.17g', score), id)
      if old then old[term] = nil end
      list[#list + 1] = term
    end
    redis.call('HSET', docs_key, id, table.concat(list, ' '))
    i = i + 2 * m
  elseif old then
    redis.call('HDEL', docs_key, id)
  end
  if old then
    for term in pairs(old) do redis.call('ZREM', term_prefix .. term, id) end
  end
end
save_stats(stats_key, n, total, scheme)
return n
`;

/**
 * Removes documents of one partition.
 * KEYS: 1 docs hash, 2 stats hash; ARGV: 1 term key prefix, 2.. document ids
 * Returns the number of documents removed. Work: O(postings of the removed documents).
 */
export const REMOVE_DOCUMENTS = `${HELPERS}
local docs_key, stats_key, term_prefix = KEYS[1], KEYS[2], ARGV[1]
local st = redis.call('HMGET', stats_key, 'n', 'len', 'scheme')
local n, total, removed = tonumber(st[1]) or 0, tonumber(st[2]) or 0, 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local old, old_len = indexed(docs_key, id)
  if old then
    for term in pairs(old) do redis.call('ZREM', term_prefix .. term, id) end
    redis.call('HDEL', docs_key, id)
    n, total, removed = n - 1, total - old_len, removed + 1
  end
end
if removed > 0 then save_stats(stats_key, n, total, st[3] or 'exact') end
return removed
`;

/**
 * BM25 top K over several partitions.
 * KEYS: 1..P the partitions' stats hashes, P+1 a scratch key (under the first partition's prefix)
 * ARGV: 1 mode ('exact' | 'impact' | 'impact-lua'), 2 k1, 3 b, 4 top K, 5 postings budget,
 *       6 P, 7 T, then P term key prefixes, then T pairs (term, count in the query)
 * Returns {id1, score1, id2, score2, ...}, best first (ties: greater id first, as ZREVRANGE).
 *
 * Work: P HMGET and T x P ZCARD (the caller keeps T x P <= MAX_TERM_PARTITION_PAIRS), then
 * - 'impact': one ZUNIONSTORE over the non-empty sets (O(sum of their sizes) + O(M log M) for M
 *   distinct documents, in C), one ZREVRANGE of K, one DEL. Not capped: bounded only by the
 *   term and partition caps and the partitions' sizes.
 * - 'exact' / 'impact-lua': at most 'budget' postings read (ZREVRANGE, best impact first), a Lua
 *   table of at most that many documents, and a K-sized heap: O(budget log K).
 */
export const QUERY = `
local mode, k1, b = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local top_k, budget = tonumber(ARGV[4]), tonumber(ARGV[5])
local P, T = tonumber(ARGV[6]), tonumber(ARGV[7])
local scheme = mode == 'exact' and 'exact' or 'impact'
local N, total = 0, 0
for p = 1, P do
  local st = redis.call('HMGET', KEYS[p], 'n', 'len', 'scheme')
  if st[3] and st[3] ~= scheme then
    return redis.error_reply('ERR keyword index partition holds ' .. st[3] .. ' postings, not ' .. scheme)
  end
  N, total = N + (tonumber(st[1]) or 0), total + (tonumber(st[2]) or 0)
end
if N == 0 then return {} end
local avgdl = total / N

-- Pooled document frequency and IDF of each term; the (term, partition) sets to read.
local keys, weights, sizes = {}, {}, {}
for t = 0, T - 1 do
  local term, qtf = ARGV[8 + P + 2 * t], tonumber(ARGV[9 + P + 2 * t])
  local first, df = #keys + 1, 0
  for p = 1, P do
    local key = ARGV[7 + p] .. term
    local size = redis.call('ZCARD', key)
    if size > 0 then
      keys[#keys + 1] = key
      sizes[#keys] = size
      df = df + size
    end
  end
  local idf = math.log(1 + (N - df + 0.5) / (df + 0.5)) * qtf
  for j = first, #keys do weights[j] = idf end
end
if #keys == 0 then return {} end

if mode == 'impact' then
  -- In chunks of 1,000 sets (unpack is limited to a few thousand values), each folded into scratch.
  local scratch = KEYS[P + 1]
  for c = 1, #keys, 1000 do
    local last = math.min(c + 999, #keys)
    local args = {scratch, last - c + 1}
    if c > 1 then args[2], args[3] = last - c + 2, scratch end
    for j = c, last do args[#args + 1] = keys[j] end
    args[#args + 1] = 'WEIGHTS'
    if c > 1 then args[#args + 1] = '1' end
    for j = c, last do args[#args + 1] = string.format('%.17g', weights[j]) end
    redis.call('ZUNIONSTORE', unpack(args))
  end
  local top = redis.call('ZREVRANGE', scratch, 0, top_k - 1, 'WITHSCORES')
  redis.call('DEL', scratch)
  return top
end

-- Lua merge. Share the budget out smallest set first, so what small sets leave goes to large ones.
local order = {}
for j = 1, #keys do order[j] = j end
table.sort(order, function(x, y) return sizes[x] < sizes[y] end)
local scores = {}
local left = budget
for r = 1, #order do
  local j = order[r]
  local take = math.min(sizes[j], math.floor(left / (#order - r + 1)))
  if take > 0 then
    left = left - take
    local postings = redis.call('ZREVRANGE', keys[j], 0, take - 1, 'WITHSCORES')
    local w = weights[j]
    for x = 1, #postings, 2 do
      local id, s = postings[x], tonumber(postings[x + 1])
      local v
      if mode == 'exact' then
        local tf = math.floor(s / 16777216)
        local len = 16777215 - (s - tf * 16777216)
        v = w * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avgdl))
      else
        v = w * s
      end
      scores[id] = (scores[id] or 0) + v
    end
  end
end

-- Top K with a min-heap (root = the worst kept hit).
local hs, hi, size = {}, {}, 0
local function worse(s1, id1, s2, id2) return s1 < s2 or (s1 == s2 and id1 < id2) end
for id, s in pairs(scores) do
  if size < top_k then
    size = size + 1
    local j = size
    while j > 1 do
      local parent = math.floor(j / 2)
      if worse(s, id, hs[parent], hi[parent]) then
        hs[j], hi[j] = hs[parent], hi[parent]
        j = parent
      else break end
    end
    hs[j], hi[j] = s, id
  elseif worse(hs[1], hi[1], s, id) then
    local j = 1
    while true do
      local c = 2 * j
      if c > size then break end
      if c < size and worse(hs[c + 1], hi[c + 1], hs[c], hi[c]) then c = c + 1 end
      if worse(hs[c], hi[c], s, id) then
        hs[j], hi[j] = hs[c], hi[c]
        j = c
      else break end
    end
    hs[j], hi[j] = s, id
  end
end
local ranked = {}
for j = 1, size do ranked[j] = j end
table.sort(ranked, function(x, y) return worse(hs[y], hi[y], hs[x], hi[x]) end)
local out = {}
for _, j in ipairs(ranked) do
  out[#out + 1] = hi[j]
  out[#out + 1] = string.format('%.17g', hs[j])
end
return out
`;

const queryReplySchema = z.array(z.string());

export class UpstashKeywordIndex implements KeywordIndex {
  private readonly upsertScript;
  private readonly removeScript;
  private readonly raw: RawPipeline;
  private readonly scoring: KeywordScoring;
  private readonly mode: 'exact' | 'impact' | 'impact-lua';
  private readonly postingsBudget: number;

  constructor(redis: Redis, options: UpstashKeywordIndexOptions = {}) {
    this.scoring = options.scoring ?? 'exact';
    if (this.scoring === 'exact' && options.merge === 'zunion') {
      throw new Error('exact BM25 scoring merges in Lua; ZUNIONSTORE needs impact scoring');
    }
    this.mode = this.scoring === 'exact' ? 'exact' : options.merge === 'lua' ? 'impact-lua' : 'impact';
    this.postingsBudget = options.postingsBudget ?? DEFAULT_POSTINGS_BUDGET;
    this.upsertScript = redis.createScript<unknown>(UPSERT_DOCUMENTS);
    this.removeScript = redis.createScript<unknown>(REMOVE_DOCUMENTS);
    this.raw = rawPipeline(redis);
  }

  async upsert(
    partition: KeywordPartition,
    documents: ReadonlyArray<{ id: string; text: string }>,
  ): Promise<void> {
    if (documents.length === 0) return;
    const prefix = indexKeys.keywordPrefix(partition);
    const chunks: string[][] = [];
    let chunk: string[] = [];
    let count = 0;
    const flush = () => {
      if (count === 0) return;
      chunks.push([
        keywordKeys.termPrefix(prefix),
        this.scoring,
        String(BM25_K1),
        String(BM25_B),
        String(count),
        ...chunk,
      ]);
      chunk = [];
      count = 0;
    };
    for (const { id, text } of documents) {
      const terms = tokenize(text);
      const frequencies = new Map<string, number>();
      for (const term of terms) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
      const args = [id, String(terms.length), String(frequencies.size)];
      for (const [term, tf] of frequencies) {
        assertTerm(term);
        args.push(term, String(tf));
      }
      if (count > 0 && chunk.length + args.length > MAX_ARGS_PER_CHUNK) flush();
      for (const arg of args) chunk.push(arg);
      count++;
    }
    flush();
    const keys = [keywordKeys.docs(prefix), keywordKeys.stats(prefix)];
    await redisCall('index memories for keyword search', () =>
      Promise.all(chunks.map((args) => this.upsertScript.exec(keys, args))),
    );
  }

  async remove(partition: KeywordPartition, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const prefix = indexKeys.keywordPrefix(partition);
    const keys = [keywordKeys.docs(prefix), keywordKeys.stats(prefix)];
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_CHUNK) {
      chunks.push([keywordKeys.termPrefix(prefix), ...ids.slice(i, i + MAX_IDS_PER_CHUNK)]);
    }
    await redisCall('remove memories from keyword search', () =>
      Promise.all(chunks.map((args) => this.removeScript.exec(keys, args))),
    );
  }

  /**
   * The query script through the shared raw pipeline, so it rides in the same request as the
   * vector queries of the same search. `EVALSHA`, then `EVAL` once if Redis lacks the script.
   */
  private async runQuery(keys: string[], args: string[]): Promise<unknown> {
    const command = (name: string, script: string): WireCommand => [
      name,
      script,
      keys.length,
      ...keys,
      ...args,
    ];
    let [reply] = await redisCall('keyword search', () => this.raw.send([command('EVALSHA', QUERY_SHA)]));
    if (reply?.error !== undefined && /NOSCRIPT/.test(reply.error)) {
      [reply] = await redisCall('keyword search', () => this.raw.send([command('EVAL', QUERY)]));
    }
    if (reply === undefined || reply.error !== undefined) {
      throw new DependencyUnavailableError('The memory database is unavailable (keyword search)', 1, {
        cause: new Error(reply?.error ?? 'no reply'),
      });
    }
    return reply.result;
  }

  async query(partitions: readonly KeywordPartition[], text: string, topK: number): Promise<KeywordHit[]> {
    const k = Math.min(Math.floor(topK), MAX_TOP_K);
    if (!(k >= 1) || partitions.length === 0) return [];
    const prefixes = [...new Set(partitions.map((partition) => indexKeys.keywordPrefix(partition)))];
    if (new Set(partitions.map((partition) => partition.storeId)).size > 1) {
      // One store's keys share a cluster slot; a script may not reach across slots.
      throw new RangeError('a keyword query spans partitions of one store');
    }
    const maxTerms = Math.max(
      1,
      Math.min(MAX_QUERY_TERMS, Math.floor(MAX_TERM_PARTITION_PAIRS / prefixes.length)),
    );
    const counts = new Map<string, number>();
    for (const term of tokenize(text)) {
      const seen = counts.get(term);
      if (seen !== undefined) counts.set(term, seen + 1);
      else if (counts.size < maxTerms) counts.set(term, 1);
    }
    if (counts.size === 0) return [];
    const args = [
      this.mode,
      String(BM25_K1),
      String(BM25_B),
      String(k),
      String(this.postingsBudget),
      String(prefixes.length),
      String(counts.size),
      ...prefixes.map(keywordKeys.termPrefix),
    ];
    for (const [term, count] of counts) {
      assertTerm(term);
      args.push(term, String(count));
    }
    const keys = [...prefixes.map(keywordKeys.stats), keywordKeys.scratch(prefixes[0]!)];
    const reply = queryReplySchema.parse(await this.runQuery(keys, args));
    const hits: KeywordHit[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) hits.push({ id: reply[i]!, score: Number(reply[i + 1]) });
    return hits;
  }
}

const QUERY_SHA = createHash('sha1').update(QUERY).digest('hex');

function assertTerm(term: string): void {
  if (!TERM_PATTERN.test(term))
    throw new Error('refusing to build a key from a term the tokenizer did not make');
}
