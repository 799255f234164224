import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import { indexKeys } from '../../lib/adapters/upstash/keys.js';
import { type RawPipeline, rawPipeline, type WireCommand } from '../../lib/adapters/upstash/raw-pipeline.js';
import type { VectorHit, VectorPartition } from '../../lib/ports/vector-index.js';

/** `VECTOR.QUERY`: `[[id, score], ...]`, best first; RESP2 doubles arrive as strings. */
const queryReplySchema = z.array(z.tuple([z.string(), z.union([z.string(), z.number()]).transform(Number)]));

export type VectorQueryProfile = 'FAST' | 'BALANCED' | 'PRECISE';

/**
 * Bench-only: `VECTOR.QUERY ... PROFILE <profile>` over partitions written by the production
 * UpstashVectorIndex, the same wire request as its `query` plus the profile (moved out of the
 * production adapter, architecture review 2026-12, 2.8). Unset, the server uses `BALANCED`.
 * Measured on the emulator (bench/vector-index.ts): BALANCED finds every true top-10 neighbour on
 * clustered data, but only about 70% on 10,000 uniformly random 512-d vectors, where PRECISE
 * reaches about 98% at roughly twice the latency. No model check (the bench wrote the vectors) and
 * no clamping of scores beyond [0, 1]: it measures the server's work, one request per query.
 */
export class ProfiledVectorQuery {
  private readonly raw: RawPipeline;

  constructor(
    redis: Redis,
    private readonly profile: VectorQueryProfile,
  ) {
    this.raw = rawPipeline(redis);
  }

  async query(
    partitions: readonly VectorPartition[],
    vector: Float32Array,
    topK: number,
  ): Promise<VectorHit[]> {
    const encoded = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
    const keys = [...new Set(partitions.map((partition) => indexKeys.vector(partition)))];
    const replies = await this.raw.send(
      keys.map(
        (key): WireCommand => [
          'VECTOR.QUERY',
          key,
          'TOPK',
          topK,
          'PROFILE',
          this.profile,
          'BASE64-FP32',
          encoded,
        ],
      ),
    );
    const best = new Map<string, number>();
    for (const reply of replies) {
      if (reply.error !== undefined) throw new Error(`VECTOR.QUERY failed: ${reply.error}`);
      for (const [id, raw] of queryReplySchema.parse(reply.result)) {
        const score = Math.min(1, Math.max(0, raw));
        if (!(best.get(id)! >= score)) best.set(id, score);
      }
    }
    return [...best].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
  }
}
