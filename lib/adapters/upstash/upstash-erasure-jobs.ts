import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import { type ErasureJob, erasureJobSchema } from '../../contracts/erasure.js';
import type { ErasureJobs } from '../../ports/erasure.js';
import { systemKeys } from './keys.js';
import { redisCall } from './redis-call.js';
import { RELEASE_PROMOTION_LOCK } from './scripts/generated.js';

/** A finished job's record is kept this long for its status route, then expires. */
const FINISHED_JOB_TTL_SECONDS = 30 * 86_400;

/**
 * Erasure job records (JSON, in the system keyspace so a store deletion's status outlives the
 * store), the pending list the maintenance sweep works through, and a lease per job.
 */
export class UpstashErasureJobs implements ErasureJobs {
  private readonly releaseScript;

  constructor(private readonly redis: Redis) {
    // Compare-and-delete of a holder token: the promotion lock's script fits a lease as it is.
    this.releaseScript = redis.createScript<unknown>(RELEASE_PROMOTION_LOCK.source);
  }

  async create(job: ErasureJob): Promise<void> {
    const tx = this.redis.multi();
    tx.set(systemKeys.erasureJob(job.jobId), JSON.stringify(erasureJobSchema.parse(job)));
    tx.zadd(systemKeys.pendingErasures(), { score: job.createdAt, member: job.jobId });
    await redisCall('create erasure', () => tx.exec());
  }

  async get(jobId: string): Promise<ErasureJob | undefined> {
    const raw = await redisCall('read erasure', () => this.redis.get<string>(systemKeys.erasureJob(jobId)));
    return raw === null ? undefined : erasureJobSchema.parse(JSON.parse(raw));
  }

  async save(job: ErasureJob): Promise<void> {
    const json = JSON.stringify(erasureJobSchema.parse(job));
    const tx = this.redis.multi();
    if (job.state === 'SUCCEEDED') {
      tx.set(systemKeys.erasureJob(job.jobId), json, { ex: FINISHED_JOB_TTL_SECONDS });
      tx.zrem(systemKeys.pendingErasures(), job.jobId);
    } else {
      tx.set(systemKeys.erasureJob(job.jobId), json);
    }
    await redisCall('save erasure', () => tx.exec());
  }

  async claim(jobId: string, holder: string, ttlMs: number): Promise<boolean> {
    const reply = await redisCall('claim erasure', () =>
      this.redis.set(systemKeys.erasureLease(jobId), holder, { nx: true, px: ttlMs }),
    );
    return reply === 'OK';
  }

  async release(jobId: string, holder: string): Promise<void> {
    await redisCall('release erasure', () =>
      this.releaseScript.exec([systemKeys.erasureLease(jobId)], [holder]),
    );
  }

  async pending(limit: number): Promise<string[]> {
    return z
      .array(z.string())
      .parse(
        await redisCall('list erasures', () => this.redis.zrange(systemKeys.pendingErasures(), 0, limit - 1)),
      );
  }
}
