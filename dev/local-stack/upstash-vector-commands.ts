/**
 * Upstash's `VECTOR.*` commands, emulated on Redis 8 vector sets.
 *
 * Upstash Redis has vector indexes as a server-side extension; open-source Redis does not. This
 * module translates each `VECTOR.*` command that `@upstash/redis` (>= 1.39) sends into one `FCALL`
 * of a Lua function, so every command stays a single atomic Redis command: it can sit in a pipeline
 * or inside `MULTI`/`EXEC` like any other, and a concurrent `DEL` cannot interleave with its checks.
 *
 * Wire shapes (from the client source and Upstash's command reference):
 *
 * | Command | Arguments | Reply (RESP2) |
 * | --- | --- | --- |
 * | `VECTOR.CREATE` | `<index> DIM <n> METRIC <COSINE\|EUCLIDEAN\|DOT> [EXISTSOK]` | `1` created, `0` existed (EXISTSOK) |
 * | `VECTOR.ADD` | `<index> <id> <vector>` | `1` inserted, `0` replaced |
 * | `VECTOR.QUERY` | `<index> TOPK <k> [PROFILE <FAST\|BALANCED\|PRECISE>] <vector>` (PROFILE may also follow the vector) | `[[id, score], ...]`, best first, scores as bulk strings |
 * | `VECTOR.GET` | `<index> <id>` | elements as bulk strings, or null |
 * | `VECTOR.DEL` | `<index> <id>` | `1` / `0` |
 * | `VECTOR.COUNT` | `<index>` | integer, `0` for a missing index |
 * | `VECTOR.INFO` | `<index>` | `["dimension", n, "metric", m]`, or null for a missing index |
 * | `VECTOR.DROP` | `<index>` | `1` dropped, `0` missing |
 *
 * `<vector>` is `VALUES <n> <f1> ... <fn>`, `BASE64-FP32 <b64>` (what the client sends for a
 * `Float32Array`) or `FP32 <blob>` (the bytes of the argument). All three are converted here to a
 * little-endian FP32 blob and handed to Redis as `VADD key FP32 <blob>`, which skips the decimal
 * formatting and parsing that `VALUES` costs.
 *
 * Mapping onto a vector set, and where it differs from Upstash:
 *
 * - Storage: the index is a vector set stored at the index key itself, so `EXISTS`, `DEL`,
 *   `UNLINK`, `EXPIRE`, `TTL` and `RENAME` act on the index as on Upstash. `TYPE` answers
 *   `vectorset` (Upstash's answer is not documented).
 * - Config and empty indexes: Redis deletes a vector set when its last element goes and has no
 *   place for a metric, while an Upstash index exists from `VECTOR.CREATE` until it is dropped.
 *   So every index holds one sentinel element, {@link INDEX_SENTINEL} (a zero vector), whose
 *   vector-set attribute carries the config as JSON (`{"upstashVectorIndex":1,"dim":3,"metric":"COSINE"}`).
 *   The sentinel is never returned, counted, fetched or deleted through `VECTOR.*`; a vector set
 *   without it (one made with a raw `VADD`) is treated as a key of another type (`WRONGTYPE`).
 * - Precision: vectors are stored unquantized (`NOQUANT`, FP32), so `VECTOR.GET` returns the stored
 *   float32 values widened to doubles (`0.2` comes back as `0.20000000298023224`), which is what
 *   Upstash documents ("float precision rather than exactly as sent").
 * - Scores are Upstash's normalized similarities, higher is closer:
 *   COSINE `(1 + cos) / 2` (this is exactly the score `VSIM` returns), DOT `(1 + a.b) / 2`,
 *   EUCLIDEAN `1 / (1 + |a - b|^2)` — the formulas Upstash documents for its vector database; the
 *   Redis-side formulas are not published. DOT scores stay within 0..1 only for unit vectors, as on
 *   Upstash Vector; they are not clamped so that ordering is kept for other vectors.
 * - Search: COSINE uses the HNSW graph (`VSIM ... EF`, with PROFILE choosing EF), so like Upstash it
 *   is approximate. Vector sets only rank by cosine, so DOT and EUCLIDEAN rescore candidates from
 *   the cosine and each candidate's norm (`a.b = cos * |a| * |b|`); up to
 *   {@link EXACT_SCAN_LIMIT} vectors every vector is a candidate (`VSIM ... TRUTH`, a linear scan),
 *   so the answer is exact; above it the candidates are a widened HNSW cosine neighbourhood, which
 *   can miss high-norm neighbours that point elsewhere. The leading candidates are then rescored
 *   from their stored elements, so the scores returned are exact to float32.
 * - Errors: Upstash documents `ERR Index <index> is not found` for GET and DEL on a missing index;
 *   ADD and QUERY reply the same here. The texts for an existing index, a dimension mismatch and bad
 *   arguments are this emulator's own wording.
 * - Attributes: the client's vector API (`add(id, vector)`) has no metadata, so each element's
 *   vector-set attribute holds the emulator's own bookkeeping instead: the vector's norm
 *   (`{"norm":3.74}`), which DOT and EUCLIDEAN scoring need for every candidate.
 */

import type { CommandArg } from './upstash-encoding.js';

/** Name of the element that marks a vector set as an Upstash vector index and carries its config. */
export const INDEX_SENTINEL = '\u0000upstash-vector-index';

/** Up to this many vectors, DOT and EUCLIDEAN queries scan the whole index and are exact. */
export const EXACT_SCAN_LIMIT = 10_000;

/** Name of the Redis function library that holds the vector implementation. */
export const VECTOR_LIBRARY_NAME = 'upstash_rest_emulator';

/** The function every `VECTOR.*` command is translated to (`FCALL <this> 1 <index> <op> ...`). */
export const VECTOR_FUNCTION_NAME = 'upstash_rest_emulator_vector';

const MAX_DIMENSION = 32_768;
const MAX_TOP_K = 1000;
const METRICS = new Set(['COSINE', 'EUCLIDEAN', 'DOT']);

/**
 * HNSW exploration factor per query PROFILE. Redis's own default EF is 200 (`BALANCED` here); the
 * factor never drops below what TOPK needs so a profile cannot truncate the answer.
 */
const PROFILE_EF: Record<string, (topK: number) => number> = {
  FAST: (topK) => Math.max(50, topK * 2),
  BALANCED: (topK) => Math.max(200, topK * 4),
  PRECISE: (topK) => Math.max(800, topK * 8),
};

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

/** A `VECTOR.*` command rewritten as the Redis command that implements it. */
export interface TranslatedCommand {
  readonly name: string;
  readonly args: CommandArg[];
}

/** A malformed `VECTOR.*` command; its message is the Redis-style error text returned to the caller. */
export class VectorCommandError extends Error {
  override readonly name = 'VectorCommandError';
}

/** True for the command names this module handles (`VECTOR.ADD`, case-insensitive). */
export function isVectorCommand(name: string): boolean {
  return name.toUpperCase().startsWith('VECTOR.');
}

/**
 * Rewrites one `VECTOR.*` command (name first, as sent by the client) into `FCALL` of the vector
 * function. Throws {@link VectorCommandError} for syntax errors, which need no trip to Redis.
 */
export function translateVectorCommand(command: readonly CommandArg[]): TranslatedCommand {
  const [rawName, key, ...rest] = command;
  const name = String(rawName).toUpperCase();
  const arity = (min: number, max = min) => {
    if (key === undefined || rest.length < min || rest.length > max) {
      throw new VectorCommandError(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);
    }
  };
  const call = (op: string, ...args: CommandArg[]): TranslatedCommand => ({
    name: 'FCALL',
    args: [VECTOR_FUNCTION_NAME, '1', key as CommandArg, op, ...args],
  });
  switch (name) {
    case 'VECTOR.CREATE':
      arity(4, 5);
      return call('CREATE', ...parseCreateOptions(rest.map(String)));
    case 'VECTOR.ADD': {
      arity(3, Number.POSITIVE_INFINITY);
      const [id, ...vectorArgs] = rest;
      const vector = parseVector(vectorArgs, 0);
      if (vector.next !== vectorArgs.length) throw syntaxError();
      return call('ADD', requireId(id), vector.blob, String(vector.norm));
    }
    case 'VECTOR.QUERY': {
      arity(4, Number.POSITIVE_INFINITY);
      const { topK, profile, vector } = parseQueryOptions(rest);
      return call(
        'QUERY',
        vector.blob,
        String(topK),
        String(PROFILE_EF[profile]!(topK)),
        String(vector.norm),
        String(EXACT_SCAN_LIMIT),
      );
    }
    case 'VECTOR.GET':
      arity(1);
      return call('GET', requireId(rest[0]));
    case 'VECTOR.DEL':
      arity(1);
      return call('DEL', requireId(rest[0]));
    case 'VECTOR.COUNT':
      arity(0);
      return call('COUNT');
    case 'VECTOR.INFO':
      arity(0);
      return call('INFO');
    case 'VECTOR.DROP':
      arity(0);
      return call('DROP');
    default:
      throw new VectorCommandError(`ERR unknown command '${String(rawName)}'`);
  }
}

function syntaxError(): VectorCommandError {
  return new VectorCommandError('ERR syntax error');
}

function requireId(id: CommandArg | undefined): CommandArg {
  if (id === undefined || id.length === 0) throw new VectorCommandError('ERR id cannot be empty');
  return id;
}

function parseCreateOptions(args: string[]): [dim: string, metric: string, existsOk: string] {
  let dim: number | undefined;
  let metric: string | undefined;
  let existsOk = false;
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!.toUpperCase();
    if (token === 'DIM' && i + 1 < args.length) {
      dim = parseInteger(args[++i]!);
      if (dim === undefined || dim < 1 || dim > MAX_DIMENSION) {
        throw new VectorCommandError(`ERR DIM must be an integer between 1 and ${MAX_DIMENSION}`);
      }
    } else if (token === 'METRIC' && i + 1 < args.length) {
      metric = args[++i]!.toUpperCase();
      if (!METRICS.has(metric)) throw new VectorCommandError('ERR METRIC must be COSINE, EUCLIDEAN or DOT');
    } else if (token === 'EXISTSOK') {
      existsOk = true;
    } else {
      throw syntaxError();
    }
  }
  if (dim === undefined || metric === undefined) throw syntaxError();
  return [String(dim), metric, existsOk ? '1' : '0'];
}

function parseQueryOptions(args: CommandArg[]): {
  topK: number;
  profile: string;
  vector: ParsedVector;
} {
  let topK: number | undefined;
  let profile = 'BALANCED';
  let vector: ParsedVector | undefined;
  for (let i = 0; i < args.length; ) {
    const token = String(args[i]).toUpperCase();
    if (token === 'TOPK' && i + 1 < args.length) {
      topK = parseInteger(String(args[i + 1]));
      if (topK === undefined || topK < 1 || topK > MAX_TOP_K) {
        throw new VectorCommandError(`ERR TOPK must be an integer between 1 and ${MAX_TOP_K}`);
      }
      i += 2;
    } else if (token === 'PROFILE' && i + 1 < args.length) {
      profile = String(args[i + 1]).toUpperCase();
      if (!(profile in PROFILE_EF))
        throw new VectorCommandError('ERR PROFILE must be FAST, BALANCED or PRECISE');
      i += 2;
    } else if (vector === undefined && (token === 'VALUES' || token === 'FP32' || token === 'BASE64-FP32')) {
      vector = parseVector(args, i);
      i = vector.next;
    } else {
      throw syntaxError();
    }
  }
  if (topK === undefined || vector === undefined) throw syntaxError();
  return { topK, profile, vector };
}

interface ParsedVector {
  /** Little-endian FP32 blob. */
  readonly blob: Buffer;
  /** Euclidean norm, needed to turn VSIM's cosine into DOT and EUCLIDEAN scores. */
  readonly norm: number;
  /** Index of the first argument after the vector. */
  readonly next: number;
}

/** Parses `VALUES n f1..fn`, `FP32 blob` or `BASE64-FP32 b64` starting at `args[start]`. */
function parseVector(args: readonly CommandArg[], start: number): ParsedVector {
  const form = String(args[start] ?? '').toUpperCase();
  let floats: Float32Array;
  let next: number;
  if (form === 'VALUES') {
    const count = parseInteger(String(args[start + 1] ?? ''));
    if (count === undefined || count < 1 || start + 2 + count > args.length) {
      throw new VectorCommandError('ERR VALUES needs a positive count followed by that many elements');
    }
    floats = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const text = String(args[start + 2 + i]).trim();
      const value = text === '' ? Number.NaN : Number(text);
      if (!Number.isFinite(value)) throw new VectorCommandError('ERR vector elements must be finite numbers');
      floats[i] = value;
    }
    next = start + 2 + count;
  } else if (form === 'FP32' || form === 'BASE64-FP32') {
    const arg = args[start + 1];
    if (arg === undefined) throw syntaxError();
    const bytes = form === 'FP32' ? toBuffer(arg) : decodeBase64(String(arg));
    if (bytes.length === 0 || bytes.length % 4 !== 0) {
      throw new VectorCommandError('ERR FP32 blob length must be a non-zero multiple of 4');
    }
    // Copy into an aligned buffer: a slice of a larger Buffer may start at an odd offset.
    floats = new Float32Array(bytes.length / 4);
    Buffer.from(floats.buffer).set(bytes);
    if (!floats.every(Number.isFinite))
      throw new VectorCommandError('ERR vector elements must be finite numbers');
    next = start + 2;
  } else {
    throw syntaxError();
  }
  if (floats.length > MAX_DIMENSION) throw new VectorCommandError('ERR vector has too many elements');
  // The wire format is little-endian; so is every platform Node ships for, which the copy relies on.
  const blob = Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
  let sum = 0;
  for (const value of floats) sum += value * value;
  if (!Number.isFinite(sum)) throw new VectorCommandError('ERR vector is too long: its norm overflows');
  return { blob, norm: Math.sqrt(sum), next };
}

function decodeBase64(text: string): Buffer {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new VectorCommandError('ERR BASE64-FP32 argument is not valid base64');
  }
  return Buffer.from(text, 'base64');
}

function toBuffer(arg: CommandArg): Buffer {
  return typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
}

function parseInteger(text: string): number | undefined {
  return /^\d+$/.test(text.trim()) ? Number(text) : undefined;
}
