import { createHash, randomBytes } from 'node:crypto';

const ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const TOKEN_PATTERN = /^amk([0-9a-f]{32})([0-9a-zA-Z]{40})$/;

/**
 * API keys look like `amk` + 32 hex (the key id, not secret) + 40 alphanumerics (the secret,
 * about 238 bits). Only letters and digits, so the same string is a valid API Gateway API key
 * value for usage-plan accounting. The service stores only the SHA-256 of the whole token.
 */
export function newApiKeyToken(): { keyId: string; token: string } {
  const keyId = randomBytes(16).toString('hex');
  let secret = '';
  // Rejection sampling keeps every character uniform.
  while (secret.length < 40) {
    for (const byte of randomBytes(48)) {
      if (byte < 248 && secret.length < 40) secret += ALPHANUMERIC[byte % 62];
    }
  }
  return { keyId, token: `amk${keyId}${secret}` };
}

/** The key id embedded in a well-formed token, or undefined for anything else. */
export function keyIdOf(token: string): string | undefined {
  return TOKEN_PATTERN.exec(token)?.[1];
}

export function hashApiKey(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The value of a key's API Gateway key, which the authorizer returns as `usageIdentifierKey`: the
 * token's SHA-256 (64 hex), not the token. API Gateway keeps key values readable to anyone with
 * `apigateway:GET`; what it holds meters a caller but cannot authenticate one.
 */
export function usageIdentifierOf(token: string): string {
  return hashApiKey(token);
}

/**
 * Pulls the presented key from `Authorization: Bearer <key>` or `X-Api-Key: <key>` (both are
 * honoured, as in the reference). Header names are case-insensitive.
 */
export function presentedApiKey(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  let bearer: string | undefined;
  let apiKey: string | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower === 'authorization') {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
      if (match) bearer = match[1];
    } else if (lower === 'x-api-key') {
      apiKey = value.trim() || undefined;
    }
  }
  return apiKey ?? bearer;
}

/**
 * A key's principal: the first key id of its rotation line (`principalId`, carried over by every
 * rotation), or its own id. What a caller creates that is private to it (summary views) is owned by
 * the principal, so a rotation does not lose it (decision record 0020).
 */
export function principalOf(record: { readonly keyId: string; readonly principalId?: string }): string {
  return record.principalId ?? record.keyId;
}
