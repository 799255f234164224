-- Bench-only variant of lib/adapters/upstash/scripts/keyword-upsert.lua: BM25 `impact` postings.
-- A posting's score is the BM25 term-frequency component
-- `tf (k1 + 1) / (tf + k1 (1 - b + b |D| / avgdl))` with the partition's average length when the
-- document was indexed, so a query can be one weighted `ZUNIONSTORE` (weights = IDF).
-- Approximation: that average drifts as the partition grows, and a document is only rescored when
-- it is re-indexed. The production scripts refuse a partition with these postings (`scheme`).
--
-- KEYS (2): 1 docs hash, 2 stats hash (of the partition)
-- ARGV: 1 term key prefix (`<partition prefix>t:`), 2 k1, 3 b, 4 number of documents D, then per
--       document: id, length, number of distinct terms m, then m pairs (term, term frequency)
-- Returns the partition's document count. A document with no terms is removed.

--- @include "../../../lib/adapters/upstash/scripts/includes/keyword-documents"

local docs_key, stats_key, term_prefix, scheme = KEYS[1], KEYS[2], ARGV[1], 'impact'
local k1, b = tonumber(ARGV[2]), tonumber(ARGV[3])
local st = redis.call('HMGET', stats_key, 'n', 'len', 'scheme')
local refused = check_scheme(st[3], scheme)
if refused then return refused end
local n, total = tonumber(st[1]) or 0, tonumber(st[2]) or 0
local i = 5
for _ = 1, tonumber(ARGV[4]) do
  local id, len, m = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  i = i + 3
  local old, old_len = indexed(docs_key, id)
  if old then n = n - 1; total = total - old_len end
  if m > 0 then
    n = n + 1
    total = total + len
    local norm = k1 * (1 - b + b * len / (total / n))
    local list = {len}
    for j = i, i + 2 * m - 1, 2 do
      local term, tf = ARGV[j], tonumber(ARGV[j + 1])
      redis.call('ZADD', term_prefix .. term, string.format('%.17g', tf * (k1 + 1) / (tf + norm)), id)
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
