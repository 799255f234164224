import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import {
  type GroupValues,
  groupValuesSchema,
  type StoredSummaryView,
  storedSummaryViewSchema,
} from '../../contracts/summary-views.js';
import { VIEW_LIMITS } from '../../domain/summary-views.js';
import type {
  MarkOutcome,
  PartitionMark,
  PartitionView,
  RefreshCommit,
  StoredPartition,
  SummaryViewStore,
} from '../../ports/summary-views.js';
import { viewKeys } from './keys.js';
import { redisCall } from './redis-call.js';
import {
  COMMIT_VIEW_REFRESH,
  DELETE_SUMMARY_VIEW,
  MARK_VIEW_CHANGES,
  PUT_SUMMARY_VIEW,
} from './scripts/generated.js';

const storedPartitionSchema = z.object({
  partitionId: z.string(),
  group: groupValuesSchema,
  state: z.enum(['pending', 'ready', 'failed']),
  memoryCount: z.number(),
  computedAt: z.number().optional(),
  text: z.string().optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }).optional(),
  error: z.object({ code: z.string(), message: z.string(), at: z.number() }).optional(),
  revision: z.number().optional(),
  refreshes: z.number(),
});

const OVERFLOW = '*';

function parseJson<T>(schema: z.ZodType<T>, text: unknown, what: string): T {
  if (typeof text !== 'string') throw new Error(`${what} is not a string`);
  return schema.parse(JSON.parse(text));
}

/** Hash replies come back as an object (or null) or, raw, as a flat field/value array. */
function hashEntries(reply: unknown): Array<[string, string]> {
  if (reply === null || reply === undefined) return [];
  if (Array.isArray(reply)) {
    const out: Array<[string, string]> = [];
    for (let i = 0; i + 1 < reply.length; i += 2) out.push([String(reply[i]), String(reply[i + 1])]);
    return out;
  }
  return Object.entries(reply as Record<string, unknown>).map(([k, v]) => [
    k,
    typeof v === 'string' ? v : JSON.stringify(v),
  ]);
}

function pendingPartition(partitionId: string, group: GroupValues): StoredPartition {
  return { partitionId, group, state: 'pending', memoryCount: 0, refreshes: 0 };
}

/**
 * Summary views in Redis (keys.ts `viewKeys`): definitions in one hash per store, partitions in
 * one hash per view, and per partition a set of changed memory ids, a sorted set of covered ids and
 * the debounce latch. Multi-key changes are the `*-summary-view*.lua`/`*-view-*.lua` scripts.
 */
export class UpstashSummaryViewStore implements SummaryViewStore {
  private readonly putScript;
  private readonly deleteScript;
  private readonly markScript;
  private readonly commitScript;

  constructor(private readonly redis: Redis) {
    this.putScript = redis.createScript<unknown>(PUT_SUMMARY_VIEW.source);
    this.deleteScript = redis.createScript<unknown>(DELETE_SUMMARY_VIEW.source);
    this.markScript = redis.createScript<unknown>(MARK_VIEW_CHANGES.source);
    this.commitScript = redis.createScript<unknown>(COMMIT_VIEW_REFRESH.source);
  }

  async createView(storeId: string, view: StoredSummaryView): Promise<'created' | 'full'> {
    const reply = await redisCall('create summary view', () =>
      this.putScript.exec(
        [viewKeys.views(storeId)],
        [view.id, JSON.stringify(view), String(VIEW_LIMITS.viewsPerStore), '1'],
      ),
    );
    if (Number(reply) === -1) throw new Error('summary view id collision');
    return Number(reply) === 1 ? 'created' : 'full';
  }

  async replaceView(storeId: string, view: StoredSummaryView): Promise<void> {
    await redisCall('replace summary view', () =>
      this.redis.hset(viewKeys.views(storeId), { [view.id]: JSON.stringify(view) }),
    );
  }

  async getView(storeId: string, viewId: string): Promise<StoredSummaryView | undefined> {
    const text = await redisCall('read summary view', () => this.redis.hget(viewKeys.views(storeId), viewId));
    return text === null || text === undefined
      ? undefined
      : parseJson(storedSummaryViewSchema, text, 'summary view');
  }

  async listViews(storeId: string): Promise<StoredSummaryView[]> {
    const reply = await redisCall('list summary views', () => this.redis.hgetall(viewKeys.views(storeId)));
    return hashEntries(reply)
      .map(([, text]) => parseJson(storedSummaryViewSchema, text, 'summary view'))
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async deleteView(storeId: string, viewId: string): Promise<boolean> {
    const reply = await redisCall('delete summary view', () =>
      this.deleteScript.exec(
        [viewKeys.views(storeId), viewKeys.partitions(storeId, viewId), viewKeys.reconciled(storeId)],
        [viewId, viewKeys.prefix(storeId, viewId)],
      ),
    );
    return Number(reply) === 1;
  }

  async getPartition(
    storeId: string,
    viewId: string,
    partitionId: string,
  ): Promise<PartitionView | undefined> {
    const [view] = await this.readPartitions(storeId, viewId, [partitionId]);
    return view;
  }

  async listPartitions(storeId: string, viewId: string, offset: number, limit: number) {
    const ids = (
      (await redisCall('list view partitions', () =>
        this.redis.hkeys(viewKeys.partitions(storeId, viewId)),
      )) as string[]
    ).sort();
    const page = ids.slice(offset, offset + limit);
    const items = page.length > 0 ? await this.readPartitions(storeId, viewId, page) : [];
    return { items: items.filter((p): p is PartitionView => p !== undefined), total: ids.length };
  }

  /** The partitions with their changed and covered counts: one pipelined round trip. */
  private async readPartitions(
    storeId: string,
    viewId: string,
    ids: readonly string[],
  ): Promise<Array<PartitionView | undefined>> {
    const pipe = this.redis.pipeline();
    pipe.hmget(viewKeys.partitions(storeId, viewId), ...ids);
    for (const id of ids) {
      pipe.scard(viewKeys.changed(storeId, viewId, id));
      pipe.sismember(viewKeys.changed(storeId, viewId, id), OVERFLOW);
      pipe.zrange(viewKeys.covered(storeId, viewId, id), 0, VIEW_LIMITS.memoryIdsListed - 1, { rev: true });
    }
    const replies = (await redisCall('read view partitions', () => pipe.exec())) as unknown[];
    const records = hmgetValues(replies[0], ids);
    return ids.map((_, i) => {
      const text = records[i];
      if (text === null || text === undefined) return undefined;
      const stored = parseJson(storedPartitionSchema, text, 'view partition');
      const changed = Number(replies[1 + i * 3]);
      const overflow = Number(replies[2 + i * 3]) === 1;
      const covered = (replies[3 + i * 3] as string[] | null) ?? [];
      return {
        ...stored,
        newerCount: overflow ? Math.max(changed, VIEW_LIMITS.changedIds) : changed,
        overflow,
        coveredIds: covered.map(String),
      };
    });
  }

  async allPartitions(storeId: string, viewId: string): Promise<StoredPartition[]> {
    const reply = await redisCall('read view partitions', () =>
      this.redis.hgetall(viewKeys.partitions(storeId, viewId)),
    );
    return hashEntries(reply).map(([, text]) => parseJson(storedPartitionSchema, text, 'view partition'));
  }

  async ensurePartition(
    storeId: string,
    viewId: string,
    partitionId: string,
    group: GroupValues,
    maxPartitions: number,
  ): Promise<'exists' | 'created' | 'over-cap'> {
    const existed = await redisCall('read view partition', () =>
      this.redis.hexists(viewKeys.partitions(storeId, viewId), partitionId),
    );
    if (existed === 1) return 'exists';
    const [outcome] = await this.markChanges(storeId, [
      { viewId, partitionId, group, maxPartitions, memoryIds: [], latchSeconds: undefined },
    ]);
    return outcome === 'over-cap' ? 'over-cap' : 'created';
  }

  async markChanges(storeId: string, marks: readonly PartitionMark[]): Promise<MarkOutcome[]> {
    if (marks.length === 0) return [];
    const keys: string[] = [];
    const args: string[] = [String(marks.length)];
    for (const mark of marks) {
      keys.push(
        viewKeys.partitions(storeId, mark.viewId),
        viewKeys.changed(storeId, mark.viewId, mark.partitionId),
        viewKeys.scheduled(storeId, mark.viewId, mark.partitionId),
      );
      args.push(
        mark.partitionId,
        JSON.stringify(pendingPartition(mark.partitionId, mark.group)),
        String(mark.maxPartitions),
        String(VIEW_LIMITS.changedIds),
        String(mark.latchSeconds ?? 0),
        String(mark.memoryIds.length),
        ...mark.memoryIds,
      );
    }
    const reply = (await redisCall('mark view changes', () => this.markScript.exec(keys, args))) as unknown[];
    return reply.map((code) =>
      Number(code) === 1 ? 'queue-refresh' : Number(code) === -1 ? 'over-cap' : 'recorded',
    );
  }

  async changedIds(storeId: string, viewId: string, partitionId: string): Promise<string[]> {
    const ids = await redisCall('read view changes', () =>
      this.redis.smembers(viewKeys.changed(storeId, viewId, partitionId)),
    );
    return (ids as unknown[]).map(String);
  }

  async coveredIds(storeId: string, viewId: string, partitionId: string): Promise<Map<string, number>> {
    const flat = (await redisCall('read view coverage', () =>
      this.redis.zrange(viewKeys.covered(storeId, viewId, partitionId), 0, -1, { withScores: true }),
    )) as unknown[];
    const out = new Map<string, number>();
    for (let i = 0; i + 1 < flat.length; i += 2) out.set(String(flat[i]), Number(flat[i + 1]));
    return out;
  }

  async commitRefresh(storeId: string, viewId: string, commit: RefreshCommit): Promise<number> {
    const { partition } = commit;
    const args = [
      partition.partitionId,
      JSON.stringify(partition),
      commit.full ? '1' : '0',
      String(commit.processedIds.length),
      ...commit.processedIds,
      String(commit.coveredAdd.length),
      ...commit.coveredAdd.flatMap((c) => [String(c.createdAt), c.id]),
      String(commit.coveredRemove.length),
      ...commit.coveredRemove,
    ];
    const reply = await redisCall('commit view refresh', () =>
      this.commitScript.exec(
        [
          viewKeys.partitions(storeId, viewId),
          viewKeys.changed(storeId, viewId, partition.partitionId),
          viewKeys.covered(storeId, viewId, partition.partitionId),
          viewKeys.scheduled(storeId, viewId, partition.partitionId),
        ],
        args,
      ),
    );
    return Number(reply);
  }

  async savePartition(
    storeId: string,
    viewId: string,
    partition: StoredPartition,
    options: { releaseLatch?: boolean } = {},
  ): Promise<void> {
    const tx = this.redis.multi();
    tx.hset(viewKeys.partitions(storeId, viewId), { [partition.partitionId]: JSON.stringify(partition) });
    if (options.releaseLatch) tx.del(viewKeys.scheduled(storeId, viewId, partition.partitionId));
    await redisCall('save view partition', () => tx.exec());
  }

  async reconciledAt(storeId: string): Promise<Map<string, number>> {
    const reply = await redisCall('read view reconciliation', () =>
      this.redis.hgetall(viewKeys.reconciled(storeId)),
    );
    return new Map(hashEntries(reply).map(([id, at]) => [id, Number(at)]));
  }

  async markReconciled(storeId: string, viewId: string, at: number): Promise<void> {
    await redisCall('mark view reconciled', () =>
      this.redis.hset(viewKeys.reconciled(storeId), { [viewId]: String(at) }),
    );
  }
}

function hmgetValues(reply: unknown, ids: readonly string[]): Array<string | null> {
  if (Array.isArray(reply)) return reply.map((v) => (v === null ? null : String(v)));
  if (reply === null || reply === undefined) return ids.map(() => null);
  const record = reply as Record<string, unknown>;
  return ids.map((id) => {
    const v = record[id];
    return v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);
  });
}
