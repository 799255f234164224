import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ValidationError } from './errors.js';

const tokenSchema = z.object({ v: z.literal(1), s: z.string(), o: z.number().int().min(0).max(1e9) });

/**
 * Opaque page tokens bound to the store and the query that produced them: a token from another
 * store or another filter/sort is rejected, not silently reinterpreted. (Signing arrives with the
 * hardening work; binding already stops cross-query reuse.)
 */
export function encodePageToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ v: 1, s: fingerprint(scope), o: offset })).toString('base64url');
}

/** @returns the offset the token points at; throws a 400 naming `pageToken` when it is not ours. */
export function decodePageToken(token: string, scope: string): number {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a page token issued by this service');
  }
  const parsed = tokenSchema.safeParse(decoded);
  if (!parsed.success) throw invalid('is not a page token issued by this service');
  if (parsed.data.s !== fingerprint(scope)) throw invalid('belongs to another store or query');
  return parsed.data.o;
}

function fingerprint(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 22);
}

function invalid(message: string): ValidationError {
  return new ValidationError(`pageToken ${message}`, [{ field: 'pageToken', rule: 'format', message }]);
}
