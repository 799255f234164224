/**
 * Conversion between Upstash REST JSON and Redis RESP2 values.
 *
 * Replies come from ioredis as raw values (`Buffer` for simple and bulk strings alike, `number` for
 * integers, `null` for nil, arrays, and `Error` for error replies nested in arrays). Upstash's JSON
 * keeps that shape: integers stay JSON numbers, nil stays `null`, arrays stay arrays, and strings
 * are either UTF-8 text or, with the `Upstash-Encoding: base64` request header, standard base64.
 */

/** A RESP2 reply as ioredis delivers it with buffer replies. */
export type RedisReply = Buffer | number | null | Error | RedisReply[];

/** What a reply becomes in the `result` field of the JSON response. */
export type JsonResult = string | number | null | JsonResult[];

const OK = Buffer.from('OK');

/**
 * Converts one command's reply for the `result` field.
 *
 * With base64 every string is encoded except a top-level `OK`: Upstash documents that exception,
 * and `@upstash/redis` only special-cases `"OK"` at the top level (inside arrays it base64-decodes
 * every string, so an `OK` nested in a script's reply must be encoded like any other string).
 * ioredis cannot tell a status reply from a bulk string, so a bulk `"OK"` value also comes back
 * as `"OK"`; the client decodes `"OK"` and `"T0s="` to the same string, so nothing observable changes.
 * Invalid UTF-8 without base64 becomes U+FFFD, as it must in JSON text.
 */
export function toJsonResult(reply: RedisReply, base64: boolean): JsonResult {
  if (base64 && Buffer.isBuffer(reply) && reply.equals(OK)) return 'OK';
  return convert(reply, base64);
}

function convert(reply: RedisReply, base64: boolean): JsonResult {
  if (reply === null || typeof reply === 'number') return reply;
  if (Buffer.isBuffer(reply)) return reply.toString(base64 ? 'base64' : 'utf8');
  if (Array.isArray(reply)) return reply.map((item) => convert(item, base64));
  // An error nested in an array (a script returning a caught error): Upstash has no per-element
  // error shape, so the message travels as a string.
  return base64 ? Buffer.from(reply.message).toString('base64') : reply.message;
}

/** A command argument as it goes to Redis: JSON strings are sent as their UTF-8 bytes. */
export type CommandArg = string | Buffer;

/** Thrown for a request body that is not a well-formed command (answered with HTTP 400). */
export class MalformedCommandError extends Error {
  override readonly name = 'MalformedCommandError';
}

/**
 * Validates one command from a JSON body: a non-empty array whose first element is the command
 * name. Numbers and booleans become their decimal / `true` / `false` text, as `@upstash/redis`
 * sends numbers unquoted (its serializer only JSON-stringifies objects).
 */
export function commandFromJson(value: unknown): CommandArg[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new MalformedCommandError('ERR command must be a non-empty JSON array');
  }
  return value.map((arg, index) => {
    if (typeof arg === 'string') return arg;
    if (typeof arg === 'number' && Number.isFinite(arg)) return String(arg);
    if (typeof arg === 'boolean') return String(arg);
    throw new MalformedCommandError(`ERR argument ${index} must be a string or a number`);
  });
}
