-- Bench-only variant of lib/adapters/upstash/scripts/keyword-query.lua over `impact` postings
-- (impact-upsert.lua): N and df pooled over the partitions, length normalization per partition
-- as indexed.
--
-- KEYS (P + 1): 1..P the partitions' stats hashes, P+1 a scratch key (under the first
--               partition's prefix; only exists while a `zunion` query runs)
-- ARGV: 1 merge ('zunion' | 'lua'), 2 top K, 3 postings budget (`lua` only), 4 P, 5 T, then P term
--       key prefixes, then T pairs (term, count in the query)
-- Returns {id1, score1, id2, score2, ...}, best first (ties: greater id first, as ZREVRANGE).
--
-- Work: P HMGET and T x P ZCARD, then
-- - 'zunion': one ZUNIONSTORE over the non-empty sets (O(sum of their sizes) + O(M log M) for M
--   distinct documents, in C), one ZREVRANGE of K, one DEL. Not capped: bounded only by the
--   term and partition caps and the partitions' sizes.
-- - 'lua': at most 'budget' postings read (ZREVRANGE, best impact first), a Lua table of at most
--   that many documents, and a K-sized heap: O(budget log K).

--- @include "../../../lib/adapters/upstash/scripts/includes/keyword-query"

local merge, top_k, budget = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local P, T = tonumber(ARGV[4]), tonumber(ARGV[5])
local N, _, keys, weights, sizes = pooled_terms(P, T, 6, 'impact')
if not N then return _ end
if N == 0 or #keys == 0 then return {} end

if merge == 'zunion' then
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
      local id = postings[x]
      scores[id] = (scores[id] or 0) + w * tonumber(postings[x + 1])
    end
  end
end
return top_k_pairs(scores, top_k)
