import { describe, expect, it } from 'vitest';
import { parsePromotionJob, sessionKey, sessionSerializer } from '../../functions/queue/session-batches.js';

const job = (storeId: string, sessionId: string) => ({
  version: 1,
  kind: 'session-promotion',
  storeId,
  sessionId,
  windowStartedAt: 1,
  dueAt: 2,
});

/** A promise with its resolve and reject. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((done) => setImmediate(done));

describe('parsePromotionJob', () => {
  it('parses a promotion job and refuses anything else', () => {
    expect(parsePromotionJob({ body: JSON.stringify(job('s1', 'a')) })).toEqual(job('s1', 'a'));
    expect(parsePromotionJob({ body: '{"kind":' })).toBeUndefined();
    expect(parsePromotionJob({ body: JSON.stringify({ ...job('s1', 'a'), version: 2 }) })).toBeUndefined();
    expect(parsePromotionJob({ body: JSON.stringify({ kind: 'other' }) })).toBeUndefined();
  });

  it('keys jobs by store and session', () => {
    expect(sessionKey(job('s1', 'a'))).toBe('s1/a');
    expect(sessionKey(job('s1', 'a'))).not.toBe(sessionKey(job('s2', 'a')));
  });
});

describe('sessionSerializer', () => {
  it('runs the jobs of one session one after the other, in order, and other sessions meanwhile', async () => {
    // Prepare
    const run = sessionSerializer();
    const started: string[] = [];
    const first = deferred();
    const other = deferred();

    // Act
    const a1 = run('s/a', async () => {
      started.push('a1');
      await first.promise;
    });
    const a2 = run('s/a', async () => {
      started.push('a2');
    });
    const b1 = run('s/b', async () => {
      started.push('b1');
      await other.promise;
    });
    await tick();

    // Assess: a2 waits for a1; b1 does not wait for anything
    expect(started).toEqual(['a1', 'b1']);
    first.resolve();
    await a1;
    await a2;
    expect(started).toEqual(['a1', 'b1', 'a2']);
    other.resolve();
    await b1;
  });

  it('runs the next job of a session after a failed one, and reports each outcome to its caller', async () => {
    // Prepare
    const run = sessionSerializer();
    const failing = deferred();

    // Act
    const a1 = run('s/a', () => failing.promise);
    const a2 = run('s/a', async () => 'second');
    failing.reject(new Error('first failed'));

    // Assess
    await expect(a1).rejects.toThrow('first failed');
    await expect(a2).resolves.toBe('second');
  });
});
