import type { StoredMemory } from '../../lib/contracts/long-term-memory.js';
import { LIMITS } from '../../lib/domain/limits.js';
import type {
  CreateOutcome,
  MemoryPartitionRef,
  MemoryRecordStore,
  ReplaceOutcome,
} from '../../lib/ports/memory-record-store.js';

/**
 * Long-term records in a map per store, with the Upstash store's semantics: never overwrites on
 * create, compare-and-set on `updatedAt`, expired records read as missing, the owner limit and a
 * record quota refusing a whole call, creation order for listing, an access log.
 */
export class InMemoryMemoryRecordStore implements MemoryRecordStore {
  private readonly stores = new Map<string, Map<string, StoredMemory>>();
  private readonly access = new Map<string, number>();
  private readonly ownerLimit: number;
  private readonly recordQuota: number | undefined;
  /** Ids passed to `recordAccess`, call by call. */
  readonly accessCalls: string[][] = [];

  constructor(options: { ownerLimit?: number; recordQuota?: number } = {}) {
    this.ownerLimit = options.ownerLimit ?? LIMITS.memoriesPerOwner;
    this.recordQuota = options.recordQuota;
  }

  private of(storeId: string): Map<string, StoredMemory> {
    const records = this.stores.get(storeId) ?? new Map<string, StoredMemory>();
    this.stores.set(storeId, records);
    return records;
  }

  async getMany(storeId: string, ids: readonly string[], now: number) {
    const records = this.of(storeId);
    return ids.map((id) => {
      const record = records.get(id);
      return record && record.expiresAt > now ? structuredClone(record) : undefined;
    });
  }

  async createMany(storeId: string, records: readonly StoredMemory[]): Promise<CreateOutcome[]> {
    const stored = this.of(storeId);
    const fresh = records.filter((r) => !stored.has(r.id));
    if (this.recordQuota !== undefined && stored.size + fresh.length > this.recordQuota) {
      const over = { quota: 'longTermRecords' as const, limit: this.recordQuota };
      return records.map((r) => (stored.has(r.id) ? 'exists' : over));
    }
    return records.map((r): CreateOutcome => {
      if (stored.has(r.id)) return 'exists';
      const owned = [...stored.values()].filter((s) => s.ownerId === r.ownerId).length;
      if (owned >= this.ownerLimit) return 'owner-full';
      stored.set(r.id, structuredClone(r));
      return 'created';
    });
  }

  async replace(storeId: string, record: StoredMemory, expectedUpdatedAt: number): Promise<ReplaceOutcome> {
    const stored = this.of(storeId);
    const current = stored.get(record.id);
    if (!current) return 'missing';
    if (current.updatedAt !== expectedUpdatedAt) return 'conflict';
    stored.set(record.id, structuredClone(record));
    return 'replaced';
  }

  async deleteMany(storeId: string, ids: readonly string[]) {
    const stored = this.of(storeId);
    return ids.map((id) => {
      const record = stored.get(id);
      stored.delete(id);
      return record;
    });
  }

  async listPartitions(storeId: string): Promise<MemoryPartitionRef[]> {
    const seen = new Map<string, MemoryPartitionRef>();
    for (const r of this.of(storeId).values()) {
      const namespace = r.namespace?.toLowerCase();
      seen.set(`${r.ownerId}\u0000${namespace ?? ''}`, { ownerId: r.ownerId, namespace });
    }
    return [...seen.values()];
  }

  async scanByCreated(
    storeId: string,
    query: { ownerId: string | undefined; offset: number; count: number; now: number },
  ) {
    const all = [...this.of(storeId).values()]
      .filter((r) => query.ownerId === undefined || r.ownerId === query.ownerId)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    const records = all
      .slice(query.offset, query.offset + query.count)
      .map((r) => (r.expiresAt > query.now ? structuredClone(r) : undefined));
    return { records, total: all.length };
  }

  async expiredIds(storeId: string, now: number, limit: number): Promise<string[]> {
    return [...this.of(storeId).values()]
      .filter((r) => r.expiresAt <= now)
      .slice(0, limit)
      .map((r) => r.id);
  }

  async readAndTouch(storeId: string, id: string, now: number) {
    const [record] = await this.getMany(storeId, [id], now);
    if (record) this.access.set(`${storeId}/${id}`, now);
    return record;
  }

  async recordAccess(storeId: string, ids: readonly string[], now: number) {
    this.accessCalls.push([...ids]);
    for (const id of ids) if (this.of(storeId).has(id)) this.access.set(`${storeId}/${id}`, now);
  }

  async lastAccess(storeId: string, ids: readonly string[]) {
    return ids.map((id) => this.access.get(`${storeId}/${id}`));
  }

  /** Every stored record of a store, expired ones included (for assertions). */
  all(storeId: string): StoredMemory[] {
    return [...this.of(storeId).values()].map((r) => structuredClone(r));
  }
}
