import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import { type StoreRecord, storeRecordSchema } from '../../contracts/store-config.js';
import { hashApiKey } from '../../domain/api-key.js';
import { grantsSchema } from '../../domain/grants.js';
import type { ApiKeyRecord, ApiKeyRegistry, StoreRegistry, StoreRemoval } from '../../ports/registry.js';
import { storeKeys, storePrefix, systemKeys } from './keys.js';
import { redisCall } from './redis-call.js';

const apiKeyRecordSchema = z.object({
  keyId: z.string().regex(/^[0-9a-f]{32}$/),
  name: z.string(),
  grants: grantsSchema,
  createdAt: z.number().int(),
  expiresAt: z.number().int().min(0),
  rotatedFrom: z.string().optional(),
  rotatedTo: z.string().optional(),
  plan: z.string(),
  gatewayKeyId: z.string().optional(),
});

/**
 * Store configuration lives in the store's own keyspace as a hash: scalar fields that scripts read
 * in the same round trip as the data they guard (e.g. the session TTL inside the append script),
 * plus the full record as JSON.
 */
export class UpstashStoreRegistry implements StoreRegistry, StoreRemoval {
  constructor(private readonly redis: Redis) {}

  async putStore(store: StoreRecord): Promise<void> {
    const record = storeRecordSchema.parse(store);
    const tx = this.redis.multi();
    tx.hset(storeKeys.config(record.storeId), {
      shortTermTtlSeconds: String(record.config.shortMemory.ttlSeconds),
      longTermTtlSeconds: String(record.config.longTermMemory.ttlSeconds),
      extractionCadenceSeconds: String(record.config.extractionCadence.activeIntervalSeconds),
      quotaSessions: String(record.config.quotas.sessions),
      quotaEvents: String(record.config.quotas.events),
      quotaLongTermRecords: String(record.config.quotas.longTermRecords),
      quotaBytes: String(record.config.quotas.bytes),
      record: JSON.stringify(record),
    });
    tx.sadd(systemKeys.stores(), record.storeId);
    await redisCall('save store', () => tx.exec());
  }

  async getStore(storeId: string): Promise<StoreRecord | undefined> {
    const raw = await redisCall('read store', () =>
      this.redis.hget<string>(storeKeys.config(storeId), 'record'),
    );
    return raw === null ? undefined : storeRecordSchema.parse(JSON.parse(raw));
  }

  async listStoreIds(): Promise<string[]> {
    const ids = await redisCall('list stores', () => this.redis.smembers(systemKeys.stores()));
    return z.array(z.string()).parse(ids).sort();
  }

  async markDeleted(storeId: string, at: number): Promise<boolean> {
    const tx = this.redis.multi();
    tx.srem(systemKeys.stores(), storeId);
    // The configuration goes first: the append script and every long-term request treat a store
    // without it as missing.
    tx.del(storeKeys.config(storeId));
    tx.zadd(systemKeys.deletedStores(), { score: at, member: storeId });
    const [removed, deleted] = z
      .tuple([z.coerce.number(), z.coerce.number(), z.unknown()])
      .parse(await redisCall('delete store', () => tx.exec()));
    return removed > 0 || deleted > 0;
  }

  async flush(storeId: string): Promise<number> {
    // Every key of a store shares this prefix (keys.ts); store ids hold no glob characters.
    const match = `${storePrefix(storeId)}*`;
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = z
        .tuple([z.coerce.string(), z.array(z.string())])
        .parse(await redisCall('scan store', () => this.redis.scan(cursor, { match, count: 500 })));
      cursor = next;
      if (keys.length > 0) {
        deleted += z.coerce.number().parse(await redisCall('flush store', () => this.redis.unlink(...keys)));
      }
    } while (cursor !== '0');
    return deleted;
  }

  async recentlyDeleted(since: number): Promise<string[]> {
    const key = systemKeys.deletedStores();
    const tx = this.redis.multi();
    tx.zremrangebyscore(key, '-inf', `(${since}`);
    tx.zrange(key, 0, -1);
    const [, ids] = z
      .tuple([z.unknown(), z.array(z.string())])
      .parse(await redisCall('list deleted stores', () => tx.exec()));
    return ids;
  }
}

/**
 * API keys: the record under the token's SHA-256 (what the authorizer reads, one GET), an id ->
 * hash pointer for operators, a listing index and an expiry index. Writes touching several of them
 * are one MULTI, so a reader never sees half a key.
 */
export class UpstashApiKeyRegistry implements ApiKeyRegistry {
  constructor(private readonly redis: Redis) {}

  async resolveKey(token: string): Promise<ApiKeyRecord | undefined> {
    const raw = await redisCall('resolve api key', () =>
      this.redis.get<string>(systemKeys.apiKey(hashApiKey(token))),
    );
    return raw === null ? undefined : parseRecord(raw);
  }

  async putKey(token: string, record: ApiKeyRecord): Promise<void> {
    const tx = this.redis.multi();
    this.stage(tx, hashApiKey(token), apiKeyRecordSchema.parse(record));
    await redisCall('save api key', () => tx.exec());
  }

  async getKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const hash = await this.hashOf(keyId);
    if (!hash) return undefined;
    const raw = await redisCall('read api key', () => this.redis.get<string>(systemKeys.apiKey(hash)));
    return raw === null ? undefined : parseRecord(raw);
  }

  async updateKey(record: ApiKeyRecord): Promise<boolean> {
    const hash = await this.hashOf(record.keyId);
    if (!hash) return false;
    const tx = this.redis.multi();
    this.stageUpdate(tx, hash, apiKeyRecordSchema.parse(record));
    const [written] = z.array(z.unknown()).parse(await redisCall('update api key', () => tx.exec()));
    return written !== null;
  }

  async putRotation(token: string, replacement: ApiKeyRecord, old: ApiKeyRecord): Promise<boolean> {
    const oldHash = await this.hashOf(old.keyId);
    if (!oldHash) return false;
    const tx = this.redis.multi();
    this.stageUpdate(tx, oldHash, apiKeyRecordSchema.parse(old));
    this.stage(tx, hashApiKey(token), apiKeyRecordSchema.parse(replacement));
    const [oldWritten] = z.array(z.unknown()).parse(await redisCall('rotate api key', () => tx.exec()));
    if (oldWritten === null) {
      // Revoked while rotating: a replacement of a revoked key must not outlive it.
      await this.deleteKey(replacement.keyId);
      return false;
    }
    return true;
  }

  async deleteKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const hash = await this.hashOf(keyId);
    if (!hash) return undefined;
    const tx = this.redis.multi();
    tx.getdel(systemKeys.apiKey(hash));
    tx.del(systemKeys.apiKeyHash(keyId));
    tx.zrem(systemKeys.apiKeyIds(), keyId);
    tx.zrem(systemKeys.apiKeyExpiry(), keyId);
    const [raw] = z.array(z.unknown()).parse(await redisCall('delete api key', () => tx.exec()));
    return typeof raw === 'string' ? parseRecord(raw) : undefined;
  }

  async listKeys(options: { after?: string; limit: number }) {
    const start: `(${string}` | '-' = options.after ? `(${options.after}` : '-';
    const ids = z.array(z.string()).parse(
      await redisCall('list api keys', () =>
        this.redis.zrange(systemKeys.apiKeyIds(), start, '+', {
          byLex: true,
          offset: 0,
          count: options.limit + 1,
        }),
      ),
    );
    const page = ids.slice(0, options.limit);
    const hashes =
      page.length === 0
        ? []
        : z
            .array(z.string().nullable())
            .parse(
              await redisCall('list api keys', () =>
                this.redis.mget(...page.map((id) => systemKeys.apiKeyHash(id))),
              ),
            );
    const present = hashes.filter((hash): hash is string => hash !== null);
    const raws =
      present.length === 0
        ? []
        : z
            .array(z.string().nullable())
            .parse(
              await redisCall('list api keys', () =>
                this.redis.mget(...present.map((hash) => systemKeys.apiKey(hash))),
              ),
            );
    const keys = raws.filter((raw): raw is string => raw !== null).map(parseRecord);
    return ids.length > options.limit ? { keys, next: page.at(-1)! } : { keys };
  }

  async expiredKeyIds(now: number, limit: number): Promise<string[]> {
    return z.array(z.string()).parse(
      await redisCall('list expired api keys', () =>
        this.redis.zrange(systemKeys.apiKeyExpiry(), '-inf', now, {
          byScore: true,
          offset: 0,
          count: limit,
        }),
      ),
    );
  }

  async addOrphanedGatewayKey(gatewayKeyId: string): Promise<void> {
    await redisCall('record gateway key', () =>
      this.redis.sadd(systemKeys.orphanedGatewayKeys(), gatewayKeyId),
    );
  }

  async orphanedGatewayKeys(limit: number): Promise<string[]> {
    return z
      .array(z.string())
      .parse(
        await redisCall('list gateway keys', () =>
          this.redis.srandmember(systemKeys.orphanedGatewayKeys(), limit),
        ),
      );
  }

  async removeOrphanedGatewayKey(gatewayKeyId: string): Promise<void> {
    await redisCall('forget gateway key', () =>
      this.redis.srem(systemKeys.orphanedGatewayKeys(), gatewayKeyId),
    );
  }

  private async hashOf(keyId: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{32}$/.test(keyId)) return undefined;
    const hash = await redisCall('find api key', () => this.redis.get<string>(systemKeys.apiKeyHash(keyId)));
    return hash ?? undefined;
  }

  /** Queues the writes of a new key record and its indexes on `tx`. */
  private stage(tx: Transaction, hash: string, record: z.infer<typeof apiKeyRecordSchema>): void {
    tx.set(systemKeys.apiKey(hash), JSON.stringify(record));
    tx.set(systemKeys.apiKeyHash(record.keyId), hash);
    tx.zadd(systemKeys.apiKeyIds(), { score: 0, member: record.keyId });
    this.stageExpiry(tx, record);
  }

  /**
   * Queues an update of an existing record: `SET … XX`, so a key revoked meanwhile stays revoked (its
   * first reply is null then). Index entries without a record are ignored by every reader.
   */
  private stageUpdate(tx: Transaction, hash: string, record: z.infer<typeof apiKeyRecordSchema>): void {
    tx.set(systemKeys.apiKey(hash), JSON.stringify(record), { xx: true });
    this.stageExpiry(tx, record);
  }

  private stageExpiry(tx: Transaction, record: z.infer<typeof apiKeyRecordSchema>): void {
    if (record.expiresAt > 0) {
      tx.zadd(systemKeys.apiKeyExpiry(), { score: record.expiresAt, member: record.keyId });
    } else {
      tx.zrem(systemKeys.apiKeyExpiry(), record.keyId);
    }
  }
}

type Transaction = ReturnType<Redis['multi']>;

function parseRecord(raw: string): ApiKeyRecord {
  return apiKeyRecordSchema.parse(JSON.parse(raw));
}
