import { hashApiKey, keyIdOf } from '../../domain/api-key.js';
import type { Clock } from '../../ports/clock.js';
import type { ApiKeyRecord, ApiKeyResolver } from '../../ports/registry.js';

/**
 * Turns a presented token into the key it is, or undefined when it is unknown, malformed, revoked
 * or past its expiry (a rotated key after its grace period).
 *
 * Answers are reused in memory for `ttlMs` (API_KEY_CACHE_SECONDS): API Gateway cannot cache
 * authorizer results here, because its cache needs every identity source present and clients send
 * either `Authorization` or `X-Api-Key`. So a revocation or grant change takes effect within the
 * TTL, as the reference documents for its own cache. Expiry is judged at every call, cached or not.
 */
export class CachedKeyResolver {
  private readonly cache = new Map<string, { record: ApiKeyRecord | undefined; until: number }>();

  constructor(
    private readonly registry: ApiKeyResolver,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  async resolve(token: string): Promise<ApiKeyRecord | undefined> {
    const keyId = keyIdOf(token);
    // Not one of our tokens: no registry read, so garbage cannot cost a round trip.
    if (!keyId) return undefined;
    const now = this.clock.now();
    const cacheKey = hashApiKey(token);
    let entry = this.ttlMs > 0 ? this.cache.get(cacheKey) : undefined;
    if (!entry || entry.until <= now) {
      entry = { record: await this.registry.resolveKey(token), until: now + this.ttlMs };
      if (this.ttlMs > 0) {
        // Unknown tokens are cached too (bounded), so repeated bad keys do not each reach Redis.
        if (this.cache.size >= this.maxEntries) this.cache.clear();
        this.cache.set(cacheKey, entry);
      }
    }
    const { record } = entry;
    if (!record || record.keyId !== keyId) return undefined;
    if (record.expiresAt !== 0 && record.expiresAt * 1000 <= now) return undefined;
    return record;
  }
}
