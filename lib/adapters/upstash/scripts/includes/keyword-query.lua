-- Keyword query helpers: BM25 statistics pooled over several partitions, and a top-K selection.

-- Pooled statistics of the partitions whose stats hashes are KEYS[1..P] (N = sum of document
-- counts, total length), refusing partitions of another scoring scheme; then, per query term,
-- its non-empty (term, partition) postings sets with their sizes and the term's IDF (Lucene's
-- `ln(1 + (N - df + 0.5) / (df + 0.5))`, df pooled too) times its count in the query.
-- ARGV[first .. first + P - 1] are the partitions' term key prefixes, followed by T pairs
-- (term, count in the query).
-- Returns N, avgdl, keys, weights, sizes (N = 0: nothing indexed); or nil and an error reply.
local function pooled_terms(P, T, first, scheme)
  local N, total = 0, 0
  for p = 1, P do
    local st = redis.call('HMGET', KEYS[p], 'n', 'len', 'scheme')
    if st[3] and st[3] ~= scheme then
      return nil, redis.error_reply('ERR keyword index partition holds ' .. st[3] .. ' postings, not ' .. scheme)
    end
    N, total = N + (tonumber(st[1]) or 0), total + (tonumber(st[2]) or 0)
  end
  local keys, weights, sizes = {}, {}, {}
  if N == 0 then return 0, 0, keys, weights, sizes end
  for t = 0, T - 1 do
    local term, qtf = ARGV[first + P + 2 * t], tonumber(ARGV[first + P + 1 + 2 * t])
    local from, df = #keys + 1, 0
    for p = 1, P do
      local key = ARGV[first + p - 1] .. term
      local size = redis.call('ZCARD', key)
      if size > 0 then
        keys[#keys + 1] = key
        sizes[#keys] = size
        df = df + size
      end
    end
    local idf = math.log(1 + (N - df + 0.5) / (df + 0.5)) * qtf
    for j = from, #keys do weights[j] = idf end
  end
  return N, total / N, keys, weights, sizes
end

-- The order in which to read the postings sets under a budget: smallest first, so what small sets
-- leave goes to large ones; returns the indexes in that order.
local function smallest_first(sizes, count)
  local order = {}
  for j = 1, count do order[j] = j end
  table.sort(order, function(x, y) return sizes[x] < sizes[y] end)
  return order
end

-- The best top_k of scores (id -> score) as {id1, score1, id2, score2, ...}, best first (ties:
-- greater id first, as ZREVRANGE), with a K-sized min-heap (root = the worst kept hit).
local function top_k_pairs(scores, top_k)
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
end
