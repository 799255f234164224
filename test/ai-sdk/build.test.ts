import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

/**
 * The package builds on its own (what `npm run ai-sdk:build` does into ai-sdk/dist) against the
 * SDK's built declarations, imports nothing but `@agent-memory/sdk`, `ai` and `zod`, and loads in
 * plain Node as an installed package would: from a node_modules holding the built SDK and the peers.
 */
describe('ai-sdk package build', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('emits JavaScript and declarations, imports only its dependency and peers, and loads in Node', async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-memory-ai-sdk-'));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const sdkDir = join(dir, 'node_modules', '@agent-memory', 'sdk');
    await run(process.execPath, [
      tsc,
      '-p',
      join(root, 'sdk', 'tsconfig.json'),
      '--outDir',
      join(sdkDir, 'dist'),
    ]);
    await writeFile(join(sdkDir, 'package.json'), await readFile(join(root, 'sdk', 'package.json')));

    // The package's tsconfig, with the SDK's declarations taken from the build above.
    const outDir = join(dir, 'node_modules', '@agent-memory', 'ai-sdk', 'dist');
    const config = join(dir, 'tsconfig.json');
    await writeFile(
      config,
      JSON.stringify({
        extends: join(root, 'ai-sdk', 'tsconfig.json'),
        compilerOptions: {
          outDir,
          paths: { '@agent-memory/sdk': [join(sdkDir, 'dist', 'index.d.ts')] },
          typeRoots: [join(root, 'node_modules', '@types')],
        },
      }),
    );
    await run(process.execPath, [tsc, '-p', config], { cwd: root });
    const files = await readdir(outDir);
    expect(files).toEqual(
      expect.arrayContaining([
        'index.js',
        'index.d.ts',
        'middleware.js',
        'tools.js',
        'config.js',
        'render.js',
      ]),
    );
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const code = await readFile(join(outDir, file), 'utf8');
      const imports = [...code.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      for (const specifier of imports.filter((s) => !s.startsWith('./'))) {
        expect(['@agent-memory/sdk', 'ai', 'zod'], `${file} imports ${specifier}`).toContain(specifier);
      }
    }
    await writeFile(join(outDir, '..', 'package.json'), await readFile(join(root, 'ai-sdk', 'package.json')));
    // The peers, as the application would have installed them (their own dependencies resolve from
    // where the links point).
    for (const peer of ['ai', 'zod']) {
      await symlink(join(root, 'node_modules', peer), join(dir, 'node_modules', peer));
    }

    const probe = `
      const { createAgentMemory, AgentMemoryConfigError } = await import('@agent-memory/ai-sdk');
      const memory = createAgentMemory({ serverURL: 'http://127.0.0.1:9/', storeId: 's', apiKey: 'k' });
      let missing;
      try { createAgentMemory({ serverURL: '', storeId: '', apiKey: '' }); } catch (e) { missing = e instanceof AgentMemoryConfigError && e.missing; }
      console.log(JSON.stringify({ store: memory.storeId, tools: Object.keys(memory.tools({ ownerId: 'u' })), missing }));
    `;
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([n]) => !n.startsWith('AGENT_MEMORY_')),
    );
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: dir, env });
    expect(JSON.parse(stdout)).toEqual({
      store: 's',
      tools: ['searchMemories', 'saveMemory', 'updateMemory', 'deleteMemory'],
      missing: ['AGENT_MEMORY_URL', 'AGENT_MEMORY_STORE_ID', 'AGENT_MEMORY_API_KEY'],
    });
  }, 120_000);
});
