import { describe, expect, it } from 'vitest';
import {
  getErasure,
  runErasure,
  runPendingErasures,
  startOwnerErase,
  startStoreDeletion,
  storeDeletionJobId,
} from '../../../lib/use-cases/erasure/jobs.js';
import { FakeClock } from '../../fakes/clock.js';
import { InMemoryEraser, InMemoryErasureJobs } from '../../fakes/in-memory-erasure.js';
import { InMemoryStoreRegistry } from '../../fakes/in-memory-registry.js';
import { RecordingLogger } from '../../fakes/logger.js';

async function world() {
  const stores = new InMemoryStoreRegistry();
  const eraser = new InMemoryEraser();
  const deps = {
    stores,
    eraser,
    erasures: new InMemoryErasureJobs(),
    clock: new FakeClock(),
    logger: new RecordingLogger(),
  };
  await stores.putStore({
    storeId: 's1',
    name: 's1',
    createdAt: '2026-06-25T12:00:00.000Z',
    config: {} as never,
  });
  eraser.add('s1', 'alice', 'sessions', 7);
  eraser.add('s1', 'alice', 'records', 23);
  eraser.add('s1', 'alice', 'partitions', 3);
  eraser.add('s1', 'bob', 'records', 5);
  return deps;
}
const far = () => Date.now() + 60_000;

describe('erasure jobs', () => {
  it("erases an owner's data and nobody else's, then drops the owner from the job and accepts writes again", async () => {
    const deps = await world();
    const job = await startOwnerErase(deps, 's1', 'alice');
    expect(deps.eraser.erasing.get('s1')?.get('alice')).toBe(job.jobId);

    const done = await runErasure(deps, job.jobId, { deadline: far(), batch: 4 });

    expect(done).toMatchObject({ state: 'SUCCEEDED', erased: { sessions: 7, memories: 23, partitions: 3 } });
    expect(done?.ownerId).toBeUndefined();
    expect(await deps.eraser.remaining({ storeId: 's1', ownerId: 'alice' })).toBe(0);
    expect(await deps.eraser.remaining({ storeId: 's1', ownerId: 'bob' })).toBe(5);
    expect(deps.eraser.erasing.get('s1')?.has('alice')).toBe(false);
    expect(await deps.erasures.pending(10)).toEqual([]);
  });

  it('resumes from the last saved batch after a run that died, and the sweeper finishes it', async () => {
    const deps = await world();
    const job = await startOwnerErase(deps, 's1', 'alice');
    let batches = 0;
    const crash = runErasure(deps, job.jobId, {
      deadline: far(),
      batch: 4,
      afterBatch: () => {
        batches += 1;
        if (batches === 3) throw new Error('crash');
      },
    });
    await expect(crash).rejects.toThrow('crash');
    const saved = await deps.erasures.get(job.jobId);
    expect(saved).toMatchObject({ state: 'RUNNING', failures: 1 });
    // Three batches of 4 were saved (sessions 4 + 3, no session left in the owners' hash): the run
    // resumes at the partitions, and what was erased is not counted again.
    expect(saved).toMatchObject({ phase: 'partitions', erased: { sessions: 7, memories: 0 } });

    const swept = await runPendingErasures(deps, { deadline: far() });

    expect(swept).toEqual({ jobs: 1, finished: 1, failed: 0 });
    expect((await deps.erasures.get(job.jobId))?.erased).toMatchObject({ sessions: 7, memories: 23 });
  });

  it('erases what a racing write added with another pass', async () => {
    const deps = await world();
    const job = await startOwnerErase(deps, 's1', 'alice');
    let raced = false;
    const done = await runErasure(deps, job.jobId, {
      deadline: far(),
      afterBatch: (j) => {
        if (!raced && j.phase === 'verify') {
          raced = true;
          deps.eraser.add('s1', 'alice', 'records', 2);
        }
      },
    });
    expect(done).toMatchObject({ state: 'SUCCEEDED', passes: 2, erased: { memories: 25 } });
  });

  it('answers the running job to a second start, and refuses a second runner while one holds the lease', async () => {
    const deps = await world();
    const first = await startOwnerErase(deps, 's1', 'alice');
    expect((await startOwnerErase(deps, 's1', 'alice')).jobId).toBe(first.jobId);
    await deps.erasures.claim(first.jobId, 'someone-else', 60_000);
    expect(await runErasure(deps, first.jobId, { deadline: far() })).toBeUndefined();
  });

  it("keeps each store's jobs to itself and answers unknown stores 404", async () => {
    const deps = await world();
    const job = await startOwnerErase(deps, 's1', 'alice');
    await expect(getErasure(deps, 's2', job.jobId)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(getErasure(deps, 's1', 'f'.repeat(32))).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(startOwnerErase(deps, 'nope', 'alice')).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('deletes a whole store through the same job, under an id derived from the store', async () => {
    const deps = await world();
    const job = await startStoreDeletion(deps, 's1');
    expect(job.jobId).toBe(storeDeletionJobId('s1'));
    const done = await runErasure(deps, job.jobId, { deadline: far() });
    expect(done).toMatchObject({ state: 'SUCCEEDED', kind: 'DELETE_STORE', erased: { memories: 28 } });
    expect(await deps.eraser.remaining({ storeId: 's1' })).toBe(0);
  });
});
