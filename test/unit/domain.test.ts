import { describe, expect, it } from 'vitest';
import { hashApiKey, keyIdOf, newApiKeyToken, presentedApiKey } from '../../lib/domain/api-key.js';
import { ForbiddenError } from '../../lib/domain/errors.js';
import { assertStoreAccess, type Grant } from '../../lib/domain/grants.js';
import { newEventId, newSessionId } from '../../lib/domain/ids.js';

describe('ids', () => {
  it('generates 32-character dashless session ids', () => {
    expect(newSessionId()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('generates 32-alphanumeric event ids that sort by server time', () => {
    const earlier = newEventId(Date.UTC(2026, 0, 1));
    const later = newEventId(Date.UTC(2026, 0, 1, 0, 0, 0, 1));
    expect(earlier).toMatch(/^[a-zA-Z0-9]{32}$/);
    expect(earlier < later).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newEventId(0))).size).toBe(1000);
  });
});

describe('grants', () => {
  const grants: Grant[] = [
    { resourceType: 'mem-store', resourceId: 'reader', actions: ['read'] },
    { resourceType: 'mem-store', resourceId: 'writer', actions: ['write'] },
  ];

  it('allows what is granted; write implies read', () => {
    expect(() => assertStoreAccess(grants, 'reader', 'read')).not.toThrow();
    expect(() => assertStoreAccess(grants, 'writer', 'read')).not.toThrow();
    expect(() => assertStoreAccess(grants, 'writer', 'write')).not.toThrow();
  });

  it('refuses other stores and missing actions', () => {
    expect(() => assertStoreAccess(grants, 'reader', 'write')).toThrow(ForbiddenError);
    expect(() => assertStoreAccess(grants, 'other', 'read')).toThrow(ForbiddenError);
    expect(() => assertStoreAccess([], 'reader', 'read')).toThrow(ForbiddenError);
  });
});

describe('api keys', () => {
  it('mints alphanumeric tokens that embed their key id', () => {
    const { keyId, token } = newApiKeyToken();
    expect(token).toMatch(/^amk[0-9a-f]{32}[0-9a-zA-Z]{40}$/);
    expect(keyIdOf(token)).toBe(keyId);
    expect(keyIdOf('amk-something-else')).toBeUndefined();
    expect(hashApiKey(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(token)).not.toContain(token);
  });

  it('reads Bearer and X-Api-Key headers in any case', () => {
    expect(presentedApiKey({ Authorization: 'Bearer abc' })).toBe('abc');
    expect(presentedApiKey({ authorization: 'bearer   abc ' })).toBe('abc');
    expect(presentedApiKey({ 'X-API-KEY': 'xyz' })).toBe('xyz');
    expect(presentedApiKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedApiKey({ authorization: 'Bearer' })).toBeUndefined();
    expect(presentedApiKey({})).toBeUndefined();
  });
});

describe('describeError', () => {
  it('keeps the name and stack frames but never the message', async () => {
    const { describeError } = await import('../../lib/observability/logger.js');
    const error = new Error('first line with secret\nsecond line with secret too');
    error.cause = new TypeError('cause with secret');
    const described = describeError(error);
    expect(described.errorName).toBe('Error (cause: TypeError)');
    expect(described.errorStack).toMatch(/^\s+at /);
    expect(JSON.stringify(described)).not.toContain('secret');
  });
});
