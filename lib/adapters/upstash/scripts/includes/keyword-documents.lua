-- Keyword index helpers for the scripts that write a partition (upsert, removal).
-- A partition, under its prefix (keys.ts keywordKeys): `docs` hash (id -> "<length> <term>..."),
-- `stats` hash (`n`, `len`, `scheme`), and `t:<term>` postings (the term key prefix is passed in).

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
-- A partition keeps the scoring scheme it was created with; postings of two schemes never mix.
local function check_scheme(stats, scheme)
  if stats and stats ~= scheme then
    return redis.error_reply('ERR keyword index partition holds ' .. stats .. ' postings, not ' .. scheme)
  end
end
local function save_stats(stats_key, n, total, scheme)
  if n <= 0 then redis.call('DEL', stats_key)
  else redis.call('HSET', stats_key, 'n', n, 'len', total, 'scheme', scheme) end
end
-- Exact postings pack (term frequency, length) as tf * LEN_SPAN + (LEN_SPAN - 1 - length).
local LEN_SPAN = 16777216
