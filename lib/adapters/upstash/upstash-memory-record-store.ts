import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import { type StoredMemory, storedMemorySchema } from '../../contracts/long-term-memory.js';
import { DEFAULT_QUOTAS, LIMITS } from '../../domain/limits.js';
import type {
  CreateOutcome,
  MemoryPartitionRef,
  MemoryRecordStore,
  ReplaceOutcome,
} from '../../ports/memory-record-store.js';
import { memoryKeys, partitionTag, storeKeys, storePrefix } from './keys.js';
import { redisCall } from './redis-call.js';
import {
  CREATE_RECORDS,
  DELETE_RECORDS,
  READ_AND_TOUCH,
  REPLACE_RECORD,
  SCAN_BY_CREATED,
} from './scripts/generated.js';

const jsonOrNull = z.union([z.string(), z.null(), z.literal(false)]);
const recordJson = z.string().transform((raw) => storedMemorySchema.parse(JSON.parse(raw)));

/** `\udxxx` escapes that start an escape (an even number of backslashes before them). */
const LONE_SURROGATE_ESCAPE = /(?<=(?<!\\)(?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/gi;

/**
 * A record as the JSON the scripts read. JSON.stringify writes a lone UTF-16 surrogate (not Unicode
 * text; UTF-8 cannot carry it) as a `\udxxx` escape, which Redis's cjson refuses to decode: the
 * replace and delete scripts would then fail on that record for good (a memory that can be neither
 * updated nor deleted, nor swept at its TTL, answered 424 every time). Such characters are stored
 * as U+FFFD, as any UTF-8 round trip would leave them; well-formed pairs are never escaped.
 */
export function serializeRecord(record: StoredMemory): string {
  return JSON.stringify(record).replace(LONE_SURROGATE_ESCAPE, '\\ufffd');
}

/**
 * Long-term records in Redis through the Upstash REST protocol; one round trip per method. The
 * scripts, with their keys and arguments, are `scripts/*.lua` (create-records, replace-record,
 * delete-records, read-and-touch, scan-by-created), the key layout keys.ts.
 */
export class UpstashMemoryRecordStore implements MemoryRecordStore {
  private readonly createScript;
  private readonly replaceScript;
  private readonly deleteScript;
  private readonly scanScript;
  private readonly readAndTouchScript;

  constructor(private readonly redis: Redis) {
    this.createScript = redis.createScript<unknown>(CREATE_RECORDS.source);
    this.replaceScript = redis.createScript<unknown>(REPLACE_RECORD.source);
    this.deleteScript = redis.createScript<unknown>(DELETE_RECORDS.source);
    this.scanScript = redis.createScript<unknown, true>(SCAN_BY_CREATED.source, { readonly: true });
    this.readAndTouchScript = redis.createScript<unknown>(READ_AND_TOUCH.source);
  }

  async getMany(
    storeId: string,
    ids: readonly string[],
    now: number,
  ): Promise<Array<StoredMemory | undefined>> {
    if (ids.length === 0) return [];
    const keys = ids.map((id) => memoryKeys.record(storeId, id));
    const raw = await redisCall('read memories', () => this.redis.mget<unknown[]>(...keys));
    return z
      .array(jsonOrNull)
      .parse(raw)
      .map((value) => live(value, now));
  }

  async createMany(storeId: string, records: readonly StoredMemory[]): Promise<CreateOutcome[]> {
    if (records.length === 0) return [];
    const args = [
      storePrefix(storeId),
      String(LIMITS.memoriesPerOwner),
      String(DEFAULT_QUOTAS.longTermRecords),
      String(DEFAULT_QUOTAS.bytes),
    ];
    for (const record of records) {
      args.push(
        record.id,
        serializeRecord(record),
        String(record.createdAt),
        String(record.expiresAt),
        partitionTag({ storeId, ownerId: record.ownerId, namespace: record.namespace }),
      );
    }
    const reply = await redisCall('create memories', () =>
      this.createScript.exec(
        [
          memoryKeys.byCreated(storeId),
          memoryKeys.expiry(storeId),
          memoryKeys.partitions(storeId),
          storeKeys.config(storeId),
          storeKeys.usage(storeId),
          ...records.map((r) => memoryKeys.record(storeId, r.id)),
        ],
        args,
      ),
    );
    const [limit, ...outcomes] = z.tuple([z.number()], z.number()).parse(reply);
    return outcomes.map((v): CreateOutcome => {
      if (v === 3) return { quota: 'longTermRecords', limit };
      if (v === 4) return { quota: 'bytes', limit };
      if (v === 5) return 'owner-erasing';
      return v === 1 ? 'created' : v === 2 ? 'owner-full' : 'exists';
    });
  }

  async replace(storeId: string, record: StoredMemory, expectedUpdatedAt: number): Promise<ReplaceOutcome> {
    const reply = await redisCall('update memory', () =>
      this.replaceScript.exec(
        [
          memoryKeys.record(storeId, record.id),
          memoryKeys.byCreated(storeId),
          memoryKeys.expiry(storeId),
          memoryKeys.partitions(storeId),
          storeKeys.usage(storeId),
        ],
        [
          storePrefix(storeId),
          record.id,
          serializeRecord(record),
          String(expectedUpdatedAt),
          partitionTag({ storeId, ownerId: record.ownerId, namespace: record.namespace }),
          String(record.expiresAt),
        ],
      ),
    );
    const outcome = z.number().parse(reply);
    return outcome === 1 ? 'replaced' : outcome === 0 ? 'missing' : 'conflict';
  }

  async deleteMany(storeId: string, ids: readonly string[]): Promise<Array<StoredMemory | undefined>> {
    if (ids.length === 0) return [];
    const reply = await redisCall('delete memories', () =>
      this.deleteScript.exec(
        [
          memoryKeys.byCreated(storeId),
          memoryKeys.expiry(storeId),
          memoryKeys.accessed(storeId),
          storeKeys.usage(storeId),
          ...ids.map((id) => memoryKeys.record(storeId, id)),
        ],
        [storePrefix(storeId), ...ids],
      ),
    );
    return z
      .array(jsonOrNull)
      .parse(reply)
      .map((value) => (typeof value === 'string' ? recordJson.parse(value) : undefined));
  }

  async listPartitions(storeId: string): Promise<MemoryPartitionRef[]> {
    const tags = z
      .array(z.string())
      .parse(await redisCall('list partitions', () => this.redis.smembers(memoryKeys.partitions(storeId))));
    return tags.map((tag) => {
      const [ownerId, namespace] = tag.split(':') as [string, string];
      return { ownerId, namespace: namespace === '_' ? undefined : namespace };
    });
  }

  async scanByCreated(
    storeId: string,
    query: { ownerId: string | undefined; offset: number; count: number; now: number },
  ): Promise<{ records: Array<StoredMemory | undefined>; total: number }> {
    const index =
      query.ownerId === undefined
        ? memoryKeys.byCreated(storeId)
        : memoryKeys.ownerByCreated(storeId, query.ownerId);
    const reply = await redisCall('list memories', () =>
      this.scanScript.exec(
        [index],
        [storePrefix(storeId), String(query.offset), String(query.offset + query.count - 1)],
      ),
    );
    const [total, ...values] = z.tuple([z.number()], jsonOrNull).parse(reply);
    return { total, records: values.map((value) => live(value, query.now)) };
  }

  async expiredIds(storeId: string, now: number, limit: number): Promise<string[]> {
    const reply = await redisCall('read expired memories', () =>
      this.redis.zrange(memoryKeys.expiry(storeId), '-inf', now, { byScore: true, offset: 0, count: limit }),
    );
    return z.array(z.string()).parse(reply);
  }

  async readAndTouch(storeId: string, id: string, now: number): Promise<StoredMemory | undefined> {
    const reply = await redisCall('read memory', () =>
      this.readAndTouchScript.exec(
        [memoryKeys.record(storeId, id), memoryKeys.accessed(storeId)],
        [id, String(now)],
      ),
    );
    return live(jsonOrNull.parse(reply), now);
  }

  async recordAccess(storeId: string, ids: readonly string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    const [first, ...rest] = ids.map((member) => ({ score: now, member }));
    await redisCall('record access', () => this.redis.zadd(memoryKeys.accessed(storeId), first!, ...rest));
  }

  async lastAccess(storeId: string, ids: readonly string[]): Promise<Array<number | undefined>> {
    if (ids.length === 0) return [];
    const reply = await redisCall('read access times', () =>
      this.redis.zmscore(memoryKeys.accessed(storeId), [...ids]),
    );
    return z
      .array(z.union([z.number(), z.string(), z.null()]))
      .parse(reply ?? ids.map(() => null))
      .map((v) => (v === null ? undefined : Number(v)));
  }
}

function live(value: string | null | false, now: number): StoredMemory | undefined {
  if (typeof value !== 'string') return undefined;
  const record = recordJson.parse(value);
  return record.expiresAt > now ? record : undefined;
}
