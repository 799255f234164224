-- BM25 top K over several keyword index partitions of one store (`exact` postings, see
-- keyword-upsert.lua). Statistics are pooled over the partitions (includes/keyword-query.lua), so
-- the ranking is the one BM25 would give over their union.
--
-- KEYS (P): 1..P the partitions' stats hashes
-- ARGV: 1 k1, 2 b, 3 top K, 4 postings budget, 5 P, 6 T, then P term key prefixes, then T pairs
--       (term, count in the query)
-- Returns {id1, score1, id2, score2, ...}, best first (ties: greater id first, as ZREVRANGE).
-- Refuses (error reply) a partition that holds postings of another scheme.
--
-- Work: P HMGET and T x P ZCARD (the caller keeps T x P <= MAX_TERM_PARTITION_PAIRS), then at
-- most 'budget' postings read (ZREVRANGE, best impact first), a Lua table of at most that many
-- documents, and a K-sized heap: O(budget log K).

--- @include "includes/keyword-query"

local k1, b = tonumber(ARGV[1]), tonumber(ARGV[2])
local top_k, budget = tonumber(ARGV[3]), tonumber(ARGV[4])
local P, T = tonumber(ARGV[5]), tonumber(ARGV[6])
local N, avgdl, keys, weights, sizes = pooled_terms(P, T, 7, 'exact')
if not N then return avgdl end
if N == 0 or #keys == 0 then return {} end

-- Share the budget out smallest set first, so what small sets leave goes to large ones.
local order = smallest_first(sizes, #keys)
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
      local tf = math.floor(s / 16777216)
      local len = 16777215 - (s - tf * 16777216)
      scores[id] = (scores[id] or 0) + w * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avgdl))
    end
  end
end
return top_k_pairs(scores, top_k)
