import type { ErasureJob, ErasurePhase } from '../contracts/erasure.js';

/** What an erasure covers: one owner of a store, or (no owner) the whole store. */
export interface ErasureScope {
  readonly storeId: string;
  readonly ownerId?: string;
}

/** One bounded batch of a phase. */
export interface ErasureStep {
  /** What the batch deleted, by kind (added to the job's counts). */
  readonly sessions: number;
  readonly memories: number;
  readonly partitions: number;
  readonly keys: number;
  /** Where the phase resumes; ignored once `done`. */
  readonly cursor: string;
  readonly done: boolean;
}

/**
 * Deletes a scope's data in bounded batches. Every batch is idempotent and leaves the indexes
 * consistent, so a job that dies between two batches resumes from its saved phase and cursor.
 * The adapter alone knows key shapes (lib/adapters/upstash/keys.ts `erasureKeys`).
 */
export interface DataEraser {
  /**
   * Refuses the owner's writes from now on (409) and returns the id of the job erasing the owner:
   * `jobId` when this call started the erase, another job's id when one already runs, undefined
   * when the store does not exist.
   */
  beginOwnerErase(storeId: string, ownerId: string, jobId: string): Promise<string | undefined>;
  /** Accepts the owner's writes again (the erase has finished). */
  endOwnerErase(storeId: string, ownerId: string): Promise<void>;
  /** One batch of `phase` (not `verify`) from `cursor`. */
  step(
    scope: ErasureScope,
    phase: Exclude<ErasurePhase, 'verify'>,
    cursor: string,
    batch: number,
  ): Promise<ErasureStep>;
  /** How many index entries or keys of the scope still exist (0: erased). */
  remaining(scope: ErasureScope): Promise<number>;
}

/** Erasure job records, their listing for the sweeper, and a lease so one runner works a job at a time. */
export interface ErasureJobs {
  /** Saves a new job and lists it as pending. */
  create(job: ErasureJob): Promise<void>;
  get(jobId: string): Promise<ErasureJob | undefined>;
  /** Saves the job; a succeeded job leaves the pending list (and is kept for a while for its status). */
  save(job: ErasureJob): Promise<void>;
  /** Takes the job's lease for `ttlMs`; false when another runner holds it. */
  claim(jobId: string, holder: string, ttlMs: number): Promise<boolean>;
  release(jobId: string, holder: string): Promise<void>;
  /** Unfinished jobs, oldest first. */
  pending(limit: number): Promise<string[]>;
}
