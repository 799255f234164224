import * as z from 'zod';
import { idSchema, storePathSchema } from './common.js';

/**
 * Erasure jobs: erasing one owner of a store, and deleting a whole store (issue 15 item 4, issue 13
 * item 7). One record shape for both; stored as JSON (lib/adapters/upstash/upstash-erasure-jobs.ts)
 * and answered, without its cursor, by GetErasure. Decision record 0017.
 */

/**
 * The phases a job walks, in order; `verify` starts another pass from `sessions` when anything of
 * the scope is still there (a write that raced the job), else the job has succeeded.
 */
export const ERASURE_PHASES = [
  'sessions',
  'session-owners',
  'partitions',
  'records',
  'scope-keys',
  'verify',
] as const;
export type ErasurePhase = (typeof ERASURE_PHASES)[number];

export const JOB_ID_PATTERN = /^[0-9a-f]{32}$/;
export const jobIdSchema = z.string().regex(JOB_ID_PATTERN, 'must be 32 characters of [0-9a-f]');

const erasedCountsSchema = z.object({
  /** Sessions whose keys were deleted. */
  sessions: z.number().int().min(0),
  /** Long-term records (memories and conversation records). */
  memories: z.number().int().min(0),
  /** Index partitions (one vector set and one keyword index each). */
  partitions: z.number().int().min(0),
  /** Other keys: indexes and counters of the owner or the store. */
  keys: z.number().int().min(0),
});

export const erasureJobSchema = z.object({
  jobId: jobIdSchema,
  kind: z.enum(['ERASE_OWNER', 'DELETE_STORE']),
  storeId: idSchema,
  /** Present while an owner erase runs; dropped when it succeeds, so the job keeps no trace of the owner. */
  ownerId: idSchema.optional(),
  state: z.enum(['RUNNING', 'SUCCEEDED']),
  phase: z.enum(ERASURE_PHASES),
  /** Where the phase resumes (a Redis SCAN-family cursor; `0` at its start). */
  cursor: z.string(),
  /** Full passes over the phases so far (a pass after the first means writes raced the job). */
  passes: z.number().int().min(0),
  erased: erasedCountsSchema,
  /** Runs that ended in an error (the sweeper retries them), and the last error's code. */
  failures: z.number().int().min(0),
  lastError: z.string().optional(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  finishedAt: z.number().int().optional(),
});
export type ErasureJob = z.infer<typeof erasureJobSchema>;

export const ownerPathSchema = storePathSchema.extend({ ownerId: idSchema });
export const erasurePathSchema = storePathSchema.extend({ jobId: jobIdSchema });

/** GetErasure and EraseOwner's answer: the job without its cursor, dates as RFC 3339. */
export const erasureViewSchema = z.object({
  jobId: z.string(),
  kind: z.enum(['ERASE_OWNER', 'DELETE_STORE']),
  ownerId: z.string().optional(),
  state: z.enum(['RUNNING', 'SUCCEEDED']),
  phase: z.enum(ERASURE_PHASES),
  passes: z.number().int(),
  erased: erasedCountsSchema,
  failures: z.number().int(),
  lastError: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
});
export const erasureResponseSchema = z.object({ erasure: erasureViewSchema });
export type ErasureResponse = z.infer<typeof erasureResponseSchema>;

export function erasureView(job: ErasureJob): ErasureResponse {
  return {
    erasure: {
      jobId: job.jobId,
      kind: job.kind,
      ...(job.ownerId ? { ownerId: job.ownerId } : {}),
      state: job.state,
      phase: job.phase,
      passes: job.passes,
      erased: job.erased,
      failures: job.failures,
      ...(job.lastError ? { lastError: job.lastError } : {}),
      createdAt: new Date(job.createdAt).toISOString(),
      updatedAt: new Date(job.updatedAt).toISOString(),
      ...(job.finishedAt ? { finishedAt: new Date(job.finishedAt).toISOString() } : {}),
    },
  };
}
