import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

/**
 * `npm run example:ai-sdk` without AWS credentials: it says what it needs and exits 1, before
 * starting anything. (With credentials it calls Bedrock, which cannot run here.)
 */
describe('example:ai-sdk without AWS credentials', () => {
  let home: string | undefined;
  afterAll(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('prints what it needs and exits non-zero', async () => {
    home = await mkdtemp(join(tmpdir(), 'ai-sdk-example-home-'));
    // No AWS_* variable and a home without ~/.aws: no credentials anywhere.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith('AWS_') && !name.startsWith('AGENT_MEMORY_'),
      ),
    );
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const outcome = await run(process.execPath, [tsx, join(root, 'examples', 'ai-sdk', 'main.ts')], {
      cwd: root,
      env: { ...env, HOME: home },
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('found no AWS credentials');
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_PROFILE',
      'AWS_BEARER_TOKEN_BEDROCK',
      'AWS_REGION',
    ]) {
      expect(outcome.stderr).toContain(name);
    }
    // It stopped before starting the local stack.
    expect(outcome.stdout).not.toContain('starting the local stack');
  }, 60_000);
});
