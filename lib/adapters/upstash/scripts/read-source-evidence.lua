-- Reads the evidence of a memory's event sources (the sources route) in one round trip: for each
-- event, its text from session memory while the event exists, else from its conversation record
-- while that exists (and is not past its TTL); and which of the memory's sessions still live.
-- Texts are cut here, at a byte bound on a UTF-8 character boundary, so a page of sources never
-- carries whole 256 KiB events over the wire; the caller cuts to its character limit.
--
-- KEYS (2n + m): 1..n each event's session events hash, n+1..2n each event's conversation record,
--                then m session meta hashes
-- ARGV: 1 n, 2 now (ms), 3 max text bytes, 4..n+3 the event ids
-- Returns 6 values per event {code, text, fullBytes, role, actorId, occurredAt}, then one per session.
--   code 1 from the session event (occurredAt its createdAt text), 2 from the conversation record
--   (occurredAt epoch ms), 3 the session event's JSON as stored, uncut, when cjson cannot decode it
--   (a lone surrogate escape: the caller parses it), 0 neither exists ('' for the rest);
--   then per session 1 (live) or 0.

local n, now, max_bytes = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])

local function cut(text)
  if #text <= max_bytes then return text end
  local stop = max_bytes
  -- Back off continuation bytes (10xxxxxx) so a multi-byte character is never split.
  while stop > 0 do
    local b = string.byte(text, stop + 1)
    if b < 128 or b >= 192 then break end
    stop = stop - 1
  end
  return string.sub(text, 1, stop)
end

local function str(v) return type(v) == 'string' and v or '' end

local out = {}
for i = 1, n do
  local event_json = redis.call('HGET', KEYS[i], ARGV[3 + i])
  local done = false
  if event_json then
    local ok, event = pcall(cjson.decode, event_json)
    if ok and type(event) == 'table' then
      local parts = {}
      if type(event.content) == 'table' then
        for _, part in ipairs(event.content) do
          if type(part) == 'table' and type(part.text) == 'string' then parts[#parts + 1] = part.text end
        end
      end
      local text = table.concat(parts, '\n')
      for _, v in ipairs({1, cut(text), #text, str(event.role), str(event.actorId), str(event.createdAt)}) do
        out[#out + 1] = v
      end
    else
      for _, v in ipairs({3, event_json, #event_json, '', '', ''}) do out[#out + 1] = v end
    end
    done = true
  end
  if not done then
    local record_json = redis.call('GET', KEYS[n + i])
    if record_json then
      local ok, record = pcall(cjson.decode, record_json)
      if ok and type(record) == 'table' and type(record.text) == 'string'
        and tonumber(record.expiresAt) and tonumber(record.expiresAt) > now then
        local at = tonumber(record.occurredAt) or ''
        for _, v in ipairs({2, cut(record.text), #record.text, str(record.role), str(record.actorId), at}) do
          out[#out + 1] = v
        end
        done = true
      end
    end
  end
  if not done then
    for _, v in ipairs({0, '', 0, '', '', ''}) do out[#out + 1] = v end
  end
end
for j = 2 * n + 1, #KEYS do
  out[#out + 1] = redis.call('EXISTS', KEYS[j])
end
return out
