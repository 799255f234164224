import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ValidationError } from './errors.js';

/** HKDF `info` for the page-token key: a new purpose or format gets a new label, never a reused key. */
export const PAGE_TOKEN_KEY_INFO = 'agent-memory/page-tokens/v2';

const VERSION = 2;
const tokenSchema = z.object({ v: z.literal(VERSION), s: z.string(), o: z.number().int().min(0).max(1e9) });

/**
 * Opaque page tokens bound to the store and the query that produced them, and signed: a token from
 * another store or another filter/sort, with an edited offset, cut short or minted under another key
 * is a 400 naming `pageToken`, never silently reinterpreted.
 */
export interface PageTokenCodec {
  encode(scope: string, offset: number): string;
  /** @returns the offset the token points at; throws a 400 naming `pageToken` when it is not ours. */
  decode(token: string, scope: string): number;
}

/** The use cases' view of the codec, added to the deps of the queries that page. */
export interface PageTokenDeps {
  readonly pageTokens: PageTokenCodec;
}

/**
 * `base64url(payload) + '.' + base64url(HMAC-SHA256(key, base64url(payload)))`. The key is derived
 * with HKDF-SHA256 from `secret` (the Upstash REST token in the service), so no new configuration is
 * needed and rotating that token invalidates outstanding page tokens (callers start from page one).
 */
export function createPageTokenCodec(secret: string | Uint8Array): PageTokenCodec {
  if (secret.length === 0) throw new Error('the page-token secret is empty');
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), PAGE_TOKEN_KEY_INFO, 32));
  const mac = (payload: string): string => createHmac('sha256', key).update(payload).digest('base64url');
  return {
    encode(scope, offset) {
      const payload = Buffer.from(JSON.stringify({ v: VERSION, s: fingerprint(scope), o: offset })).toString(
        'base64url',
      );
      return `${payload}.${mac(payload)}`;
    },
    decode(token, scope) {
      const parts = token.split('.');
      if (parts.length !== 2) throw invalid('is not a page token issued by this service');
      const [payload, signature] = parts as [string, string];
      // Compared as canonical base64url text, so no second spelling of the same MAC is accepted.
      const expected = Buffer.from(mac(payload));
      const presented = Buffer.from(signature);
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
        throw invalid('is not a page token issued by this service');
      }
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalid('is not a page token issued by this service');
      }
      const parsed = tokenSchema.safeParse(decoded);
      if (!parsed.success) throw invalid('is not a page token issued by this service');
      if (parsed.data.s !== fingerprint(scope)) throw invalid('belongs to another store or query');
      return parsed.data.o;
    },
  };
}

function fingerprint(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 22);
}

function invalid(message: string): ValidationError {
  return new ValidationError(`pageToken ${message}`, [{ field: 'pageToken', rule: 'format', message }]);
}
