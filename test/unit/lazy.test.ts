import { describe, expect, it, vi } from 'vitest';
import { lazy } from '../../lib/adapters/decorators/lazy.js';

describe('lazy (memoised promise, forgotten on failure)', () => {
  it('loads once and hands every later caller the same value', async () => {
    // Prepare
    const load = vi.fn(async () => ({ client: 'built' }));
    const get = lazy(load);

    // Act
    const first = await get();
    const second = await get();

    // Assess
    expect(load).toHaveBeenCalledTimes(1);
    expect(second).toBe(first);
  });

  it('shares one load between concurrent first callers', async () => {
    // Prepare
    let finish: (value: number) => void = () => {};
    const load = vi.fn(() => new Promise<number>((resolve) => (finish = resolve)));
    const get = lazy(load);

    // Act
    const waiting = [get(), get(), get()];
    finish(42);

    // Assess
    expect(await Promise.all(waiting)).toEqual([42, 42, 42]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('forgets a rejection, so the next call loads again', async () => {
    // Prepare
    const load = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error('secret unreachable'))
      .mockResolvedValueOnce('ok');
    const get = lazy(load);

    // Act
    const failed = get();
    const sharedFailure = get();

    // Assess
    await expect(failed).rejects.toThrow('secret unreachable');
    await expect(sharedFailure).rejects.toThrow('secret unreachable');
    expect(await get()).toBe('ok');
    expect(await get()).toBe('ok');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('turns a load that throws before it awaits into a forgotten rejection', async () => {
    // Prepare
    let calls = 0;
    const get = lazy((): Promise<string> => {
      calls++;
      if (calls === 1) throw new Error('not configured');
      return Promise.resolve('configured');
    });

    // Act / Assess
    await expect(get()).rejects.toThrow('not configured');
    expect(await get()).toBe('configured');
  });
});
