/**
 * Bundles every function of `functions/catalog.ts` with the same esbuild settings CDK uses
 * (`BUNDLE_SETTINGS` of infra/constructs/memory-function.ts) into `dist/functions/<name>/index.mjs`,
 * and reports bundle sizes.
 *
 *   tsx scripts/build-functions.ts                 # every function
 *   tsx scripts/build-functions.ts health authorizer
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { allFunctions, type FunctionDefinition } from '../functions/catalog.js';
import { BUNDLE_SETTINGS } from '../infra/constructs/memory-function.js';
import { formatTable } from './format-table.js';
import { isMainModule } from './main-module.js';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface BuildFunctionsOptions {
  /** Catalog names to build; all when absent or empty. An unknown name is an error. */
  readonly names?: readonly string[];
  /** Default: `<repo>/dist/functions`. */
  readonly outDir?: string;
}

export interface FunctionBundle {
  readonly name: string;
  readonly entry: string;
  /** Absolute path of `index.mjs`. */
  readonly outfile: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Builds the selected functions (in parallel) and returns their sizes in catalog order. */
export async function buildFunctions(options: BuildFunctionsOptions = {}): Promise<FunctionBundle[]> {
  const outDir = resolve(options.outDir ?? join(REPO_ROOT, 'dist', 'functions'));
  const selected = selectFunctions(options.names ?? []);

  const missing = selected.filter((fn) => !existsSync(join(REPO_ROOT, fn.entry)));
  if (missing.length > 0) {
    throw new Error(
      `missing function entries (functions/catalog.ts is the source of truth):\n${missing
        .map((fn) => `  ${fn.name}: ${fn.entry}`)
        .join('\n')}`,
    );
  }

  return Promise.all(
    selected.map(async (fn): Promise<FunctionBundle> => {
      const dir = join(outDir, fn.name);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const outfile = join(dir, 'index.mjs');
      await build({
        entryPoints: [join(REPO_ROOT, fn.entry)],
        outfile,
        absWorkingDir: REPO_ROOT,
        bundle: true,
        platform: BUNDLE_SETTINGS.platform,
        target: BUNDLE_SETTINGS.target,
        format: BUNDLE_SETTINGS.format,
        minify: BUNDLE_SETTINGS.minify,
        sourcemap: BUNDLE_SETTINGS.sourcemap,
        external: [...BUNDLE_SETTINGS.external],
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        banner: { js: BUNDLE_SETTINGS.banner },
        alias: { ...BUNDLE_SETTINGS.alias },
        logLevel: 'warning',
      });
      const code = await readFile(outfile);
      return {
        name: fn.name,
        entry: fn.entry,
        outfile,
        bytes: (await stat(outfile)).size,
        gzipBytes: gzipSync(code).length,
      };
    }),
  );
}

function selectFunctions(names: readonly string[]): FunctionDefinition[] {
  if (names.length === 0) return [...allFunctions];
  const byName = new Map<string, FunctionDefinition>(allFunctions.map((fn) => [fn.name, fn]));
  const unknown = names.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new Error(`unknown function(s): ${unknown.join(', ')}; known: ${[...byName.keys()].join(', ')}`);
  }
  return [...new Set(names)].map((name) => byName.get(name)!);
}

/** Plain-text table of bundle sizes, largest first. */
export function formatBundleTable(bundles: readonly FunctionBundle[]): string {
  const rows = [...bundles]
    .sort((a, b) => b.bytes - a.bytes)
    .map((b) => [b.name, b.bytes.toLocaleString('en-US'), b.gzipBytes.toLocaleString('en-US')]);
  return formatTable(['function', 'bytes', 'gzip bytes'], rows);
}

if (isMainModule(import.meta.url)) {
  try {
    const started = performance.now();
    const bundles = await buildFunctions({ names: process.argv.slice(2) });
    console.log(formatBundleTable(bundles));
    const ms = Math.round(performance.now() - started);
    console.log(`\n${bundles.length} function(s) → dist/functions/<name>/index.mjs in ${ms} ms`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
