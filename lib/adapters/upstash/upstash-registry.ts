import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import { type StoreRecord, storeRecordSchema } from '../../contracts/store-config.js';
import { hashApiKey } from '../../domain/api-key.js';
import { grantsSchema } from '../../domain/grants.js';
import type {
  ApiKeyRecord,
  ApiKeyRegistry,
  RegistryWriteOutcome,
  StoreRegistry,
  StoreRemoval,
} from '../../ports/registry.js';
import { storeKeys, systemKeys } from './keys.js';
import { redisCall } from './redis-call.js';
import { REPLACE_API_KEY, REPLACE_STORE } from './scripts/generated.js';

const apiKeyRecordSchema = z.object({
  keyId: z.string().regex(/^[0-9a-f]{32}$/),
  name: z.string(),
  grants: grantsSchema,
  createdAt: z.number().int(),
  expiresAt: z.number().int().min(0),
  rotatedFrom: z.string().optional(),
  principalId: z.string().optional(),
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
  private readonly replaceScript;

  constructor(private readonly redis: Redis) {
    this.replaceScript = redis.createScript<unknown>(REPLACE_STORE.source);
  }

  async putStore(store: StoreRecord): Promise<void> {
    const record = storeRecordSchema.parse(store);
    const tx = this.redis.multi();
    tx.hset(storeKeys.config(record.storeId), { ...scriptFields(record), record: JSON.stringify(record) });
    tx.sadd(systemKeys.stores(), record.storeId);
    await redisCall('save store', () => tx.exec());
  }

  async replaceStore(expected: StoreRecord, next: StoreRecord): Promise<RegistryWriteOutcome> {
    const record = storeRecordSchema.parse(next);
    if (record.storeId !== expected.storeId) throw new Error('replaceStore cannot change the store id');
    const result = await redisCall('update store', () =>
      this.replaceScript.exec(
        [storeKeys.config(record.storeId)],
        [
          JSON.stringify(storeRecordSchema.parse(expected)),
          JSON.stringify(record),
          ...Object.entries(scriptFields(record)).flat(),
        ],
      ),
    );
    return casOutcome(result);
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

  async markDeleted(storeId: string): Promise<boolean> {
    const tx = this.redis.multi();
    tx.srem(systemKeys.stores(), storeId);
    // The configuration goes first: the append script and every data route treat a store without
    // it as missing. The data itself is the deletion job's (lib/use-cases/erasure).
    tx.del(storeKeys.config(storeId));
    const [removed, deleted] = z
      .tuple([z.coerce.number(), z.coerce.number()])
      .parse(await redisCall('delete store', () => tx.exec()));
    return removed > 0 || deleted > 0;
  }
}

/**
 * API keys: the record under the token's SHA-256 (what the authorizer reads, one GET), an id ->
 * hash pointer for operators, a listing index and an expiry index. Writes touching several of them
 * are one MULTI, so a reader never sees half a key.
 */
export class UpstashApiKeyRegistry implements ApiKeyRegistry {
  private readonly replaceScript;

  constructor(private readonly redis: Redis) {
    this.replaceScript = redis.createScript<unknown>(REPLACE_API_KEY.source);
  }

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

  async updateKey(expected: ApiKeyRecord, next: ApiKeyRecord): Promise<RegistryWriteOutcome> {
    const hash = await this.hashOf(next.keyId);
    if (!hash || expected.keyId !== next.keyId) return 'missing';
    const record = apiKeyRecordSchema.parse(next);
    const result = await redisCall('update api key', () =>
      this.replaceScript.exec(
        [systemKeys.apiKey(hash), systemKeys.apiKeyExpiry()],
        [canonical(expected), JSON.stringify(record), record.keyId, String(record.expiresAt)],
      ),
    );
    return casOutcome(result);
  }

  async putRotation(
    token: string,
    replacement: ApiKeyRecord,
    expected: ApiKeyRecord,
    old: ApiKeyRecord,
  ): Promise<RegistryWriteOutcome> {
    const oldHash = await this.hashOf(old.keyId);
    if (!oldHash || expected.keyId !== old.keyId) return 'missing';
    const wound = apiKeyRecordSchema.parse(old);
    const added = apiKeyRecordSchema.parse(replacement);
    const newHash = hashApiKey(token);
    const result = await redisCall('rotate api key', () =>
      this.replaceScript.exec(
        [
          systemKeys.apiKey(oldHash),
          systemKeys.apiKeyExpiry(),
          systemKeys.apiKey(newHash),
          systemKeys.apiKeyHash(added.keyId),
          systemKeys.apiKeyIds(),
        ],
        [
          canonical(expected),
          JSON.stringify(wound),
          wound.keyId,
          String(wound.expiresAt),
          JSON.stringify(added),
          newHash,
          added.keyId,
          String(added.expiresAt),
        ],
      ),
    );
    return casOutcome(result);
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

  private stageExpiry(tx: Transaction, record: z.infer<typeof apiKeyRecordSchema>): void {
    if (record.expiresAt > 0) {
      tx.zadd(systemKeys.apiKeyExpiry(), { score: record.expiresAt, member: record.keyId });
    } else {
      tx.zrem(systemKeys.apiKeyExpiry(), record.keyId);
    }
  }
}

type Transaction = ReturnType<Redis['multi']>;

/** A key record as the registry stores it (schema order), the value its compare-and-set compares. */
function canonical(record: ApiKeyRecord): string {
  return JSON.stringify(apiKeyRecordSchema.parse(record));
}

function casOutcome(result: unknown): RegistryWriteOutcome {
  const code = z.coerce.number().parse(result);
  return code === 1 ? 'replaced' : code === 0 ? 'missing' : 'conflict';
}

function parseRecord(raw: string): ApiKeyRecord {
  return apiKeyRecordSchema.parse(JSON.parse(raw));
}

/**
 * The configuration fields the data scripts read from a store's config hash (TTLs, cadence,
 * quotas), beside the whole record: one list for the create and the compare-and-set update.
 */
function scriptFields(record: StoreRecord): Record<string, string> {
  const { config } = record;
  return {
    shortTermTtlSeconds: String(config.shortMemory.ttlSeconds),
    longTermTtlSeconds: String(config.longTermMemory.ttlSeconds),
    extractionCadenceSeconds: String(config.extractionCadence.activeIntervalSeconds),
    quotaSessions: String(config.quotas.sessions),
    quotaEvents: String(config.quotas.events),
    quotaLongTermRecords: String(config.quotas.longTermRecords),
    quotaBytes: String(config.quotas.bytes),
  };
}
