import { copyFile, mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { build } from 'esbuild';

const HERE = import.meta.dirname;
/** Where `npm run explorer:build` (and the servers, on start) put the static site. */
export const EXPLORER_DIST = resolve(HERE, '../dist/explorer');

export interface ExplorerBuild {
  readonly outDir: string;
  /** Bytes of each file written (minified script and stylesheet, page). */
  readonly bytes: Readonly<Record<string, number>>;
}

/**
 * Bundles the explorer with esbuild: the SDK's source and the views into one minified ES module,
 * plus the page and its stylesheet. No framework and no runtime dependency but the SDK.
 * `config.json` is not part of the build: whoever serves the site writes it (API URL, store).
 */
export async function buildExplorer(outDir = EXPLORER_DIST): Promise<ExplorerBuild> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [resolve(HERE, 'src/main.ts')],
    outfile: resolve(outDir, 'explorer.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    // Browsers of the last two years: no down-levelling of private fields or async.
    target: ['es2022'],
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(resolve(HERE, 'index.html'), resolve(outDir, 'index.html'));
  await copyFile(resolve(HERE, 'explorer.css'), resolve(outDir, 'explorer.css'));
  const bytes: Record<string, number> = {};
  for (const file of ['index.html', 'explorer.js', 'explorer.css'])
    bytes[file] = (await stat(resolve(outDir, file))).size;
  return { outDir, bytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { outDir, bytes } = await buildExplorer(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.stdout.write(`explorer built into ${outDir}: ${JSON.stringify(bytes)}\n`);
}
