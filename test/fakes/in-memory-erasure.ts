import type { ErasureJob, ErasurePhase } from '../../lib/contracts/erasure.js';
import type { DataEraser, ErasureJobs, ErasureScope, ErasureStep } from '../../lib/ports/erasure.js';

/**
 * A store's data as the erasure job sees it: items per owner and phase (sessions, records, ...),
 * erased a batch at a time. `add` plants more (a write racing the job).
 */
export class InMemoryEraser implements DataEraser {
  /** `<storeId>/<ownerId>/<phase>` -> items left. */
  readonly items = new Map<string, number>();
  /** storeId -> ownerId -> job id, as the config hash's `erasing:` fields. */
  readonly erasing = new Map<string, Map<string, string>>();
  readonly stores = new Set<string>();

  add(storeId: string, ownerId: string, phase: Exclude<ErasurePhase, 'verify'>, count: number): void {
    this.stores.add(storeId);
    const key = `${storeId}/${ownerId}/${phase}`;
    this.items.set(key, (this.items.get(key) ?? 0) + count);
  }

  async beginOwnerErase(storeId: string, ownerId: string, jobId: string) {
    if (!this.stores.has(storeId)) return undefined;
    const owners = this.erasing.get(storeId) ?? new Map<string, string>();
    this.erasing.set(storeId, owners);
    if (!owners.has(ownerId)) owners.set(ownerId, jobId);
    return owners.get(ownerId);
  }

  async endOwnerErase(storeId: string, ownerId: string) {
    this.erasing.get(storeId)?.delete(ownerId);
  }

  async step(
    scope: ErasureScope,
    phase: Exclude<ErasurePhase, 'verify'>,
    _cursor: string,
    batch: number,
  ): Promise<ErasureStep> {
    let erased = 0;
    for (const [key, left] of this.items) {
      if (!this.inScope(key, scope) || !key.endsWith(`/${phase}`) || left === 0) continue;
      const taken = Math.min(left, batch - erased);
      this.items.set(key, left - taken);
      erased += taken;
      if (erased === batch) break;
    }
    const more = [...this.items].some(
      ([key, left]) => this.inScope(key, scope) && key.endsWith(`/${phase}`) && left > 0,
    );
    const counts = { sessions: 0, memories: 0, partitions: 0, keys: 0 };
    if (phase === 'sessions' || phase === 'session-owners') counts.sessions = erased;
    else if (phase === 'records') counts.memories = erased;
    else if (phase === 'partitions') counts.partitions = erased;
    else counts.keys = erased;
    return { ...counts, cursor: more ? 'more' : '0', done: !more };
  }

  async remaining(scope: ErasureScope) {
    return [...this.items]
      .filter(([key]) => this.inScope(key, scope))
      .reduce((sum, [, left]) => sum + left, 0);
  }

  private inScope(key: string, scope: ErasureScope): boolean {
    return key.startsWith(scope.ownerId ? `${scope.storeId}/${scope.ownerId}/` : `${scope.storeId}/`);
  }
}

/** Job records, the pending list and leases, in memory. */
export class InMemoryErasureJobs implements ErasureJobs {
  readonly jobs = new Map<string, ErasureJob>();
  readonly leases = new Map<string, string>();

  async create(job: ErasureJob) {
    this.jobs.set(job.jobId, structuredClone(job));
  }
  async get(jobId: string) {
    const job = this.jobs.get(jobId);
    return job && structuredClone(job);
  }
  async save(job: ErasureJob) {
    this.jobs.set(job.jobId, structuredClone(job));
  }
  async claim(jobId: string, holder: string, _ttlMs: number) {
    if (this.leases.has(jobId)) return false;
    this.leases.set(jobId, holder);
    return true;
  }
  async release(jobId: string, holder: string) {
    if (this.leases.get(jobId) === holder) this.leases.delete(jobId);
  }
  async pending(limit: number) {
    return [...this.jobs.values()]
      .filter((job) => job.state === 'RUNNING')
      .sort((a, b) => a.createdAt - b.createdAt)
      .slice(0, limit)
      .map((job) => job.jobId);
  }
}
