/*
 * The Redis function library behind the emulated `VECTOR.*` commands: the Lua that runs each
 * translated command (vector-commands.ts) atomically on a vector set. Index layout, scoring and
 * error texts are described in vector-commands.ts.
 */

/** Name of the Redis function library that holds the vector implementation. */
export const VECTOR_LIBRARY_NAME = 'upstash_rest_emulator';

/** The function every `VECTOR.*` command is translated to (`FCALL <this> 1 <index> <op> ...`). */
export const VECTOR_FUNCTION_NAME = 'upstash_rest_emulator_vector';

/**
 * Lua library loaded with `FUNCTION LOAD REPLACE`. A function (not an `EVALSHA` script) because
 * `SCRIPT FLUSH`, which applications and tests do run, does not remove functions.
 */
export const VECTOR_LIBRARY_SOURCE = `#!lua name=${VECTOR_LIBRARY_NAME}
-- Lua's decimal escape: NUL followed by the name, as INDEX_SENTINEL. Top-level code of a
-- function library may not touch globals such as string, hence a literal.
local SENTINEL = '\\0upstash-vector-index'
local WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value'

-- Returns the index config, nil when the key is missing, or false plus an error reply.
local function load_index(key)
  local kind = redis.call('TYPE', key)['ok']
  if kind == 'none' then return nil end
  if kind ~= 'vectorset' then return false, redis.error_reply(WRONGTYPE) end
  local raw = redis.call('VGETATTR', key, SENTINEL)
  if not raw then return false, redis.error_reply(WRONGTYPE) end
  return cjson.decode(raw)
end

local function not_found(key)
  return redis.error_reply('ERR Index ' .. key .. ' is not found')
end

local function existing_index(key)
  local cfg, err = load_index(key)
  if cfg == nil then return nil, not_found(key) end
  if cfg == false then return nil, err end
  return cfg
end

local function check_dimension(cfg, blob)
  local got = #blob / 4
  if got ~= cfg.dim then
    return redis.error_reply('ERR Vector dimension mismatch: index has ' .. cfg.dim .. ', got ' .. got)
  end
end

local function create(key, args)
  local dim, metric, exists_ok = tonumber(args[2]), args[3], args[4] == '1'
  local cfg, err = load_index(key)
  if cfg == false then return err end
  if cfg ~= nil then
    if exists_ok and cfg.dim == dim and cfg.metric == metric then return 0 end
    if exists_ok then
      return redis.error_reply('ERR Index ' .. key .. ' already exists with a different dimension or metric')
    end
    return redis.error_reply('ERR Index ' .. key .. ' already exists')
  end
  redis.call('VADD', key, 'FP32', string.rep(string.char(0), 4 * dim), SENTINEL, 'NOQUANT')
  redis.call('VSETATTR', key, SENTINEL, cjson.encode({ upstashVectorIndex = 1, dim = dim, metric = metric }))
  return 1
end

-- args: op, id, blob, |vector|
local function add(key, args)
  local id, blob = args[2], args[3]
  local cfg, err = existing_index(key)
  if not cfg then return err end
  if id == SENTINEL then return redis.error_reply('ERR invalid id') end
  local bad = check_dimension(cfg, blob)
  if bad then return bad end
  return redis.call('VADD', key, 'FP32', blob, id, 'NOQUANT', 'SETATTR', '{"norm":' .. args[4] .. '}')
end

local function get(key, args)
  local cfg, err = existing_index(key)
  if not cfg then return err end
  if args[2] == SENTINEL then return false end
  return redis.call('VEMB', key, args[2])
end

local function del(key, args)
  local cfg, err = existing_index(key)
  if not cfg then return err end
  if args[2] == SENTINEL then return 0 end
  return redis.call('VREM', key, args[2])
end

local function count(key)
  local cfg, err = load_index(key)
  if cfg == nil then return 0 end
  if cfg == false then return err end
  return redis.call('VCARD', key) - 1
end

local function info(key)
  local cfg, err = load_index(key)
  if cfg == nil then return false end
  if cfg == false then return err end
  return { 'dimension', cfg.dim, 'metric', cfg.metric }
end

local function drop(key)
  local cfg, err = load_index(key)
  if cfg == nil then return 0 end
  if cfg == false then return err end
  return redis.call('DEL', key)
end

-- The norm VECTOR.ADD stored in the element's attribute. Redis keeps a norm too (VEMB RAW), but
-- reading it copies the whole vector, and for a zero vector it holds 1, not 0.
local function element_norm(key, id)
  local attr = redis.call('VGETATTR', key, id)
  local norm = attr and tonumber(string.match(attr, '"norm":([^,}]+)'))
  if norm then return norm end
  local raw = redis.call('VEMB', key, id, 'RAW')
  if raw[2] == string.rep('\\0', #raw[2]) then return 0 end
  return tonumber(raw[3])
end

-- args: op, blob, topK, ef, |query|, exact scan limit
local function query(key, args)
  local blob, top_k, ef = args[2], tonumber(args[3]), tonumber(args[4])
  local cfg, err = existing_index(key)
  if not cfg then return err end
  local bad = check_dimension(cfg, blob)
  if bad then return bad end
  local size = redis.call('VCARD', key) - 1
  local out = {}
  if size == 0 then return out end

  if cfg.metric == 'COSINE' then
    -- VSIM's score is already (1 + cos) / 2; ask for one extra to make room for the sentinel.
    local res = redis.call('VSIM', key, 'FP32', blob, 'WITHSCORES', 'COUNT', top_k + 1, 'EF', ef)
    for i = 1, #res, 2 do
      if res[i] ~= SENTINEL then
        out[#out + 1] = { res[i], res[i + 1] }
        if #out == top_k then break end
      end
    end
    return out
  end

  local q_norm, exact_limit = tonumber(args[5]), tonumber(args[6])
  local res
  if size <= exact_limit then
    res = redis.call('VSIM', key, 'FP32', blob, 'WITHSCORES', 'COUNT', size + 1, 'TRUTH')
  else
    local pool = math.max(top_k * 20, 1000)
    res = redis.call('VSIM', key, 'FP32', blob, 'WITHSCORES', 'COUNT', pool, 'EF', math.max(ef, pool))
  end
  local hits = {}
  for i = 1, #res, 2 do
    local id = res[i]
    if id ~= SENTINEL then
      local cos = 2 * tonumber(res[i + 1]) - 1
      local norm = element_norm(key, id)
      local dot = cos * q_norm * norm
      local score
      if cfg.metric == 'DOT' then
        score = (1 + dot) / 2
      else
        local d2 = q_norm * q_norm + norm * norm - 2 * dot
        if d2 < 0 then d2 = 0 end
        score = 1 / (1 + d2)
      end
      hits[#hits + 1] = { id, score }
    end
  end
  local function by_score(a, b)
    if a[2] ~= b[2] then return a[2] > b[2] end
    return a[1] < b[1]
  end
  table.sort(hits, by_score)

  -- Scores derived from cos * |a| * |b| lose digits to cancellation when vectors are long and
  -- close (EUCLIDEAN's |a|^2 + |b|^2 - 2ab). The leading candidates are rescored from the stored
  -- elements, exactly, and re-sorted; a candidate further down would need an approximation error
  -- larger than its gap to the shortlist to be missed.
  local q = {}
  for i = 1, cfg.dim do q[i] = struct.unpack('<f', blob, 4 * i - 3) end
  local shortlist = {}
  for i = 1, math.min(#hits, top_k * 2 + 10) do
    local x = redis.call('VEMB', key, hits[i][1])
    local sum = 0
    for j = 1, #x do
      if cfg.metric == 'DOT' then
        sum = sum + q[j] * tonumber(x[j])
      else
        local d = q[j] - tonumber(x[j])
        sum = sum + d * d
      end
    end
    shortlist[i] = { hits[i][1], cfg.metric == 'DOT' and (1 + sum) / 2 or 1 / (1 + sum) }
  end
  table.sort(shortlist, by_score)
  for i = 1, math.min(top_k, #shortlist) do
    out[i] = { shortlist[i][1], string.format('%.17g', shortlist[i][2]) }
  end
  return out
end

local OPS = { CREATE = create, ADD = add, GET = get, DEL = del, COUNT = count, INFO = info, DROP = drop, QUERY = query }

redis.register_function('${VECTOR_FUNCTION_NAME}', function(keys, args)
  return OPS[args[1]](keys[1], args)
end)
`;
