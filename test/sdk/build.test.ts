import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

/**
 * The SDK package builds on its own (`npm run sdk:build` does the same into sdk/dist): DOM lib, no
 * Node types, declarations emitted. Its output has no dependency outside itself and loads in plain
 * Node without a TypeScript loader.
 */
describe('SDK package build', () => {
  let outDir: string | undefined;
  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('emits JavaScript and declarations with tsc -p sdk, importing nothing outside itself', async () => {
    outDir = await mkdtemp(join(tmpdir(), 'agent-memory-sdk-'));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', join(root, 'sdk', 'tsconfig.json'), '--outDir', outDir], {
      cwd: root,
    });
    const files = await readdir(outDir);
    expect(files).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'client.js', 'client.d.ts']));

    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const code = await readFile(join(outDir, file), 'utf8');
      const imports = [...code.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      expect(
        imports.filter((specifier) => !specifier.startsWith('./')),
        file,
      ).toEqual([]);
    }

    await writeFile(join(outDir, 'package.json'), JSON.stringify({ type: 'module' }));
    const probe = `
      const sdk = await import(${JSON.stringify(join(outDir, 'index.js'))});
      const am = new sdk.AgentMemory({ serverURL: 'http://127.0.0.1:9/', apiKey: 'k', storeId: 's' });
      console.log(JSON.stringify({ url: am.serverURL, error: new sdk.NotFoundError({ status: 404, problem: { type: 't', title: 'Not found', status: 404 } }) instanceof sdk.AgentMemoryError }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe]);
    expect(JSON.parse(stdout)).toEqual({ url: 'http://127.0.0.1:9', error: true });
  }, 60_000);
});
