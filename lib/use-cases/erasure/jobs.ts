import { createHash, randomUUID } from 'node:crypto';
import { ERASURE_PHASES, type ErasureJob } from '../../contracts/erasure.js';
import { NotFoundError } from '../../domain/errors.js';
import { describeError, type Logger } from '../../observability/logger.js';
import type { Clock } from '../../ports/clock.js';
import type { DataEraser, ErasureJobs } from '../../ports/erasure.js';
import type { StoreLookup } from '../../ports/registry.js';
import { requireStore } from '../shared/require-store.js';

/**
 * Erasure jobs: one mechanism for erasing an owner (issue 15 item 4) and deleting a store (issue 13
 * item 7). A job is a record in Redis (phase, cursor, counts) worked in bounded batches; after each
 * batch the record is saved, so a runner that dies resumes from the last saved batch: the
 * maintenance schedule picks up every unfinished job whose lease has lapsed. Decision record 0017.
 */
export interface ErasureDeps {
  readonly eraser: DataEraser;
  readonly erasures: ErasureJobs;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Index entries or keys one batch handles (sessions, records, scanned hash fields). */
export const ERASURE_BATCH = 100;
/** A runner's lease: longer than one batch takes, short enough that a crash delays the job little. */
const LEASE_MS = 60_000;
/** Passes after which a job that keeps finding new data stops for this run (the next run goes on). */
const MAX_PASSES_PER_RUN = 5;

function newJob(
  kind: ErasureJob['kind'],
  jobId: string,
  storeId: string,
  now: number,
  ownerId?: string,
): ErasureJob {
  return {
    jobId,
    kind,
    storeId,
    ...(ownerId ? { ownerId } : {}),
    state: 'RUNNING',
    phase: ERASURE_PHASES[0],
    cursor: '0',
    passes: 0,
    erased: { sessions: 0, memories: 0, partitions: 0, keys: 0 },
    failures: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Starts erasing one owner of a store (or answers the erase already running for that owner). From
 * here on the owner's appends and long-term creates answer 409 until the job has finished.
 */
export async function startOwnerErase(
  deps: ErasureDeps & { stores: StoreLookup },
  storeId: string,
  ownerId: string,
): Promise<ErasureJob> {
  await requireStore(deps, storeId);
  const proposed = randomUUID().replaceAll('-', '');
  const jobId = await deps.eraser.beginOwnerErase(storeId, ownerId, proposed);
  if (!jobId) throw new NotFoundError('Store not found');
  const existing = await deps.erasures.get(jobId);
  if (existing) return existing;
  // Also when the marker names a job whose record a crash kept from being written: the owner
  // would otherwise stay refused for ever.
  const job = newJob('ERASE_OWNER', jobId, storeId, deps.clock.now(), ownerId);
  await deps.erasures.create(job);
  deps.logger.info('erasure started', { storeId, jobId, kind: job.kind });
  return job;
}

/** The job id of a store's deletion: derived from the store, so a repeated DeleteStore finds the same job. */
export function storeDeletionJobId(storeId: string): string {
  return createHash('sha256').update(`delete-store\n${storeId}`).digest('hex').slice(0, 32);
}

/** Starts (or finds) the deletion job of a store whose configuration is already gone. */
export async function startStoreDeletion(deps: ErasureDeps, storeId: string): Promise<ErasureJob> {
  const jobId = storeDeletionJobId(storeId);
  const existing = await deps.erasures.get(jobId);
  if (existing?.state === 'RUNNING') return existing;
  // A store re-created under the same id and deleted again starts a fresh job.
  const job = newJob('DELETE_STORE', jobId, storeId, deps.clock.now());
  await deps.erasures.create(job);
  deps.logger.info('erasure started', { storeId, jobId, kind: job.kind });
  return job;
}

/** A job of the path's store, or a 404 (another store's job ids are 404). */
export async function getErasure(
  deps: Pick<ErasureDeps, 'erasures'>,
  storeId: string,
  jobId: string,
): Promise<ErasureJob> {
  const job = await deps.erasures.get(jobId);
  if (!job || job.storeId !== storeId || job.kind !== 'ERASE_OWNER')
    throw new NotFoundError('Erasure not found');
  return job;
}

export interface RunOptions {
  /** Stop starting batches after this time (ms since epoch); the job resumes on a later run. */
  readonly deadline: number;
  readonly batch?: number;
  /** Called after each saved batch (progress reports; tests use it to crash a run part-way). */
  readonly afterBatch?: (job: ErasureJob) => void | Promise<void>;
}

/**
 * Works one job until it succeeds or the deadline passes; returns the job as saved last, or
 * undefined when another runner holds it. An error leaves the job as of its last saved batch
 * (counted in `failures`) and propagates; the sweeper retries it.
 */
export async function runErasure(
  deps: ErasureDeps,
  jobId: string,
  options: RunOptions,
): Promise<ErasureJob | undefined> {
  const holder = randomUUID();
  if (!(await deps.erasures.claim(jobId, holder, LEASE_MS))) return undefined;
  let job = await deps.erasures.get(jobId);
  try {
    let passes = 0;
    while (
      job &&
      job.state === 'RUNNING' &&
      deps.clock.now() < options.deadline &&
      passes < MAX_PASSES_PER_RUN
    ) {
      job = await advance(deps, job, options.batch ?? ERASURE_BATCH);
      if (job.phase === ERASURE_PHASES[0] && job.cursor === '0') passes += 1;
      await deps.erasures.save(job);
      await options.afterBatch?.(job);
    }
    return job;
  } catch (error) {
    const failed = job && (await deps.erasures.get(jobId));
    if (failed) {
      await deps.erasures.save({
        ...failed,
        failures: failed.failures + 1,
        lastError: errorCode(error),
        updatedAt: deps.clock.now(),
      });
    }
    deps.logger.warn('erasure run failed', { jobId, ...describeError(error) });
    throw error;
  } finally {
    await deps.erasures.release(jobId, holder);
  }
}

/** One batch of the job's phase, and the job after it (not yet saved). */
async function advance(deps: ErasureDeps, job: ErasureJob, batch: number): Promise<ErasureJob> {
  const scope = { storeId: job.storeId, ...(job.ownerId ? { ownerId: job.ownerId } : {}) };
  const now = deps.clock.now();
  if (job.phase === 'verify') {
    if ((await deps.eraser.remaining(scope)) > 0) {
      // A write raced the job (a promotion run of the owner, a record created as the store went):
      // erase it too, with another pass.
      return { ...job, phase: ERASURE_PHASES[0], cursor: '0', passes: job.passes + 1, updatedAt: now };
    }
    if (job.ownerId) await deps.eraser.endOwnerErase(job.storeId, job.ownerId);
    const { ownerId: _erased, ...rest } = job;
    deps.logger.info('erasure finished', {
      storeId: job.storeId,
      jobId: job.jobId,
      kind: job.kind,
      ...job.erased,
    });
    return {
      ...rest,
      state: 'SUCCEEDED',
      cursor: '0',
      passes: job.passes + 1,
      updatedAt: now,
      finishedAt: now,
    };
  }
  const step = await deps.eraser.step(scope, job.phase, job.cursor, batch);
  const erased = {
    sessions: job.erased.sessions + step.sessions,
    memories: job.erased.memories + step.memories,
    partitions: job.erased.partitions + step.partitions,
    keys: job.erased.keys + step.keys,
  };
  if (!step.done) return { ...job, erased, cursor: step.cursor, updatedAt: now };
  const phase = ERASURE_PHASES[ERASURE_PHASES.indexOf(job.phase) + 1] ?? 'verify';
  return { ...job, erased, phase, cursor: '0', updatedAt: now };
}

/**
 * The maintenance schedule's part: works unfinished jobs, oldest first, until the deadline. A job
 * whose run fails is left for the next run (its error is logged); the others go on.
 */
export async function runPendingErasures(
  deps: ErasureDeps,
  options: { deadline: number; limit?: number },
): Promise<{ jobs: number; finished: number; failed: number }> {
  const ids = await deps.erasures.pending(options.limit ?? 20);
  let finished = 0;
  let failed = 0;
  let jobs = 0;
  for (const jobId of ids) {
    if (deps.clock.now() >= options.deadline) break;
    jobs += 1;
    try {
      const job = await runErasure(deps, jobId, { deadline: options.deadline });
      if (job?.state === 'SUCCEEDED') finished += 1;
    } catch {
      failed += 1;
    }
  }
  return { jobs, finished, failed };
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'internal';
}
