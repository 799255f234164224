-- Indexes documents of one keyword index partition, BM25 `exact` postings (each replaces the
-- document's previous postings). A posting's score packs the term frequency and the document's
-- length, `tf * 2^24 + (2^24 - 1 - length)`: keyword-query.lua decodes both and computes BM25 with
-- the current statistics, and the packing sorts postings by impact (higher tf first, then shorter
-- documents), which is what bounds a query's work.
--
-- KEYS (2): 1 docs hash, 2 stats hash (of the partition)
-- ARGV: 1 term key prefix (`<partition prefix>t:`), 2 number of documents D, then per document:
--       id, length, number of distinct terms m, then m pairs (term, term frequency)
-- Returns the partition's document count. A document with no terms is removed. Refuses (error
-- reply) a partition that holds postings of another scheme.
-- Work: O(total postings written + previous postings of the documents) ZADD/ZREM.

--- @include "includes/keyword-documents"

local docs_key, stats_key, term_prefix, scheme = KEYS[1], KEYS[2], ARGV[1], 'exact'
local st = redis.call('HMGET', stats_key, 'n', 'len', 'scheme')
local refused = check_scheme(st[3], scheme)
if refused then return refused end
local n, total = tonumber(st[1]) or 0, tonumber(st[2]) or 0
local i = 3
for _ = 1, tonumber(ARGV[2]) do
  local id, len, m = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  i = i + 3
  local old, old_len = indexed(docs_key, id)
  if old then n = n - 1; total = total - old_len end
  if m > 0 then
    n = n + 1
    total = total + len
    local packed_len = LEN_SPAN - 1 - math.min(len, LEN_SPAN - 1)
    local list = {len}
    for j = i, i + 2 * m - 1, 2 do
      local term, tf = ARGV[j], tonumber(ARGV[j + 1])
      redis.call('ZADD', term_prefix .. term, string.format('%.17g', tf * LEN_SPAN + packed_len), id)
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
