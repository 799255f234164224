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

import type { CommandArg } from './encoding.js';
import { VECTOR_FUNCTION_NAME } from './vector-library.js';

/** Name of the element that marks a vector set as an Upstash vector index and carries its config. */
export const INDEX_SENTINEL = '\u0000upstash-vector-index';

/** Up to this many vectors, DOT and EUCLIDEAN queries scan the whole index and are exact. */
export const EXACT_SCAN_LIMIT = 10_000;

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
