import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { problemResponse } from '../../functions/middleware/problem.js';
import { ValidationError } from '../../lib/domain/errors.js';
import { createPageTokenCodec, PAGE_TOKEN_KEY_INFO } from '../../lib/domain/page-token.js';

const scope = 'store-a|sessions|*|createdAt|asc';
const codec = createPageTokenCodec('upstash-rest-token-a');

/** Decodes and returns the 400 problem the handler would send, or fails when the token is accepted. */
function rejection(token: string, at = scope) {
  try {
    codec.decode(token, at);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const response = problemResponse(error);
    return { status: response.statusCode, body: JSON.parse(response.body) };
  }
  throw new Error(`token accepted: ${token}`);
}

function expectPageTokenProblem(token: string, at = scope) {
  const { status, body } = rejection(token, at);
  expect(status).toBe(400);
  expect(body).toMatchObject({
    type: '/errors/invalid-data',
    status: 400,
    fields: [{ field: 'pageToken', rule: 'format' }],
  });
}

const parts = (token: string) => token.split('.') as [string, string];
const payloadOf = (token: string) => JSON.parse(Buffer.from(parts(token)[0], 'base64url').toString('utf8'));
const encodePayload = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('signed page tokens', () => {
  it('round-trips an offset for the same scope and key', () => {
    // Prepare
    const token = codec.encode(scope, 300);

    // Act
    const offset = createPageTokenCodec('upstash-rest-token-a').decode(token, scope);

    // Assess
    expect(offset).toBe(300);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a token from another store or another query', () => {
    const token = codec.encode(scope, 3);
    expectPageTokenProblem(token, 'store-b|sessions|*|createdAt|asc');
    expectPageTokenProblem(token, 'store-a|sessions|owner-1|createdAt|asc');
    expect(rejection(token, 'store-b|sessions|*|createdAt|asc').body.detail).toMatch(
      /another store or query/,
    );
  });

  it('refuses a token whose offset was changed, even with the scope hash kept', () => {
    const token = codec.encode(scope, 3);
    const [, mac] = parts(token);
    const edited = encodePayload({ ...payloadOf(token), o: 3000 });
    expectPageTokenProblem(`${edited}.${mac}`);
  });

  it('refuses a token recomputed from the scope hash without the key (the v1 forgery)', () => {
    const unsigned = codec.encode(scope, 3).split('.')[0]!;
    expectPageTokenProblem(unsigned);
    const v1 = Buffer.from(JSON.stringify({ v: 1, s: payloadOf(codec.encode(scope, 0)).s, o: 50 })).toString(
      'base64url',
    );
    expectPageTokenProblem(v1);
  });

  it('refuses truncated, padded, extended and garbage tokens', () => {
    const token = codec.encode(scope, 42);
    for (let cut = 1; cut < token.length; cut += 1) expectPageTokenProblem(token.slice(0, cut));
    expectPageTokenProblem(`${token}=`);
    expectPageTokenProblem(`${token}A`);
    expectPageTokenProblem(`${token}.${parts(token)[1]}`);
    expectPageTokenProblem(`.${parts(token)[1]}`);
    expectPageTokenProblem('not-a-token');
    expectPageTokenProblem('.');
    expectPageTokenProblem('');
  });

  it('refuses a token minted under another key', () => {
    const other = createPageTokenCodec('upstash-rest-token-b').encode(scope, 3);
    expectPageTokenProblem(other);
  });

  it('refuses a payload the key signed but the schema does not accept', () => {
    // A token signed with the right key but a payload no encoder writes (e.g. a negative offset):
    // the signature alone is not trusted to carry a valid shape.
    const key = Buffer.from(
      hkdfSync('sha256', 'upstash-rest-token-a', Buffer.alloc(0), PAGE_TOKEN_KEY_INFO, 32),
    );
    const sign = (payload: string) =>
      `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
    const { s } = payloadOf(codec.encode(scope, 0));
    expect(codec.decode(sign(encodePayload({ v: 2, s, o: 7 })), scope)).toBe(7);
    expectPageTokenProblem(sign(encodePayload({ v: 2, s, o: -5 })));
    expectPageTokenProblem(sign(encodePayload({ v: 2, s, o: 1.5 })));
    expectPageTokenProblem(sign(encodePayload({ v: 1, s, o: 5 })));
    expectPageTokenProblem(sign('not json'));
  });

  it('refuses to build a codec without a secret', () => {
    expect(() => createPageTokenCodec('')).toThrow(/secret/);
  });
});
