import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BuildOptions, buildSync } from 'esbuild';

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
 * Synchronous, because CDK's local asset bundling (infra/constructs/explorer-site.ts) is.
 */
export function buildExplorer(outDir = EXPLORER_DIST): ExplorerBuild {
  mkdirSync(outDir, { recursive: true });
  buildSync({ ...BUNDLE_OPTIONS, outfile: resolve(outDir, 'explorer.js') });
  copyFileSync(resolve(HERE, 'index.html'), resolve(outDir, 'index.html'));
  copyFileSync(resolve(HERE, 'explorer.css'), resolve(outDir, 'explorer.css'));
  const bytes: Record<string, number> = {};
  for (const file of SITE_FILES) bytes[file] = statSync(resolve(outDir, file)).size;
  return { outDir, bytes };
}

/** The files of the built site (config.json comes from whoever serves it). */
export const SITE_FILES = ['index.html', 'explorer.js', 'explorer.css'] as const;

const BUNDLE_OPTIONS: BuildOptions = {
  entryPoints: [resolve(HERE, 'src/main.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  // Browsers of the last two years: no down-levelling of private fields or async.
  target: ['es2022'],
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const { outDir, bytes } = buildExplorer(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.stdout.write(`explorer built into ${outDir}: ${JSON.stringify(bytes)}\n`);
}
