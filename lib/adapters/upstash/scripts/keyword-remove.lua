-- Removes documents of one keyword index partition (of any scoring scheme).
--
-- KEYS (2): 1 docs hash, 2 stats hash (of the partition)
-- ARGV: 1 term key prefix (`<partition prefix>t:`), 2.. document ids
-- Returns the number of documents removed. Work: O(postings of the removed documents).

--- @include "includes/keyword-documents"

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
