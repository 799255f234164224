import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import { type StoreRecord, storeRecordSchema } from '../../contracts/store-config.js';
import { hashApiKey } from '../../domain/api-key.js';
import { grantsSchema } from '../../domain/grants.js';
import type { ApiKeyRecord, ApiKeyRegistry, StoreRegistry } from '../../ports/registry.js';
import { storeKeys, systemKeys } from './keys.js';
import { redisCall } from './redis-call.js';

const apiKeyRecordSchema = z.object({
  keyId: z.string(),
  name: z.string(),
  grants: grantsSchema,
  createdAt: z.string(),
});

/**
 * Store configuration lives in the store's own keyspace as a hash: scalar fields that scripts read
 * in the same round trip as the data they guard (e.g. the session TTL inside the append script),
 * plus the full record as JSON.
 */
export class UpstashStoreRegistry implements StoreRegistry {
  constructor(private readonly redis: Redis) {}

  async putStore(store: StoreRecord): Promise<void> {
    const record = storeRecordSchema.parse(store);
    const tx = this.redis.multi();
    tx.hset(storeKeys.config(record.storeId), {
      shortTermTtlSeconds: String(record.config.shortMemory.ttlSeconds),
      longTermTtlSeconds: String(record.config.longTermMemory.ttlSeconds),
      extractionCadenceSeconds: String(record.config.extractionCadence.activeIntervalSeconds),
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
}

export class UpstashApiKeyRegistry implements ApiKeyRegistry {
  constructor(private readonly redis: Redis) {}

  async putKey(token: string, record: ApiKeyRecord): Promise<void> {
    const value = JSON.stringify(apiKeyRecordSchema.parse(record));
    await redisCall('save api key', () => this.redis.set(systemKeys.apiKey(hashApiKey(token)), value));
  }

  async resolveKey(token: string): Promise<ApiKeyRecord | undefined> {
    const raw = await redisCall('resolve api key', () =>
      this.redis.get<string>(systemKeys.apiKey(hashApiKey(token))),
    );
    return raw === null ? undefined : apiKeyRecordSchema.parse(JSON.parse(raw));
  }
}
