import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Lua scripts live as `.lua` files (one script per file, a header naming its KEYS, ARGV and
 * reply, like BullMQ's `src/commands/*.lua`) and reach the code through a generated TypeScript
 * module: `npm run lua` embeds each script's text and SHA-1 as constants, and
 * `test/unit/lua-scripts.test.ts` fails when a committed module is stale.
 *
 * Why generated and committed rather than read or loaded: the Lambda bundles are single files
 * (no `.lua` beside them to read at run time), and the same modules run under four toolchains
 * (esbuild via scripts/build-functions.ts and via CDK's NodejsFunction, tsx, vitest, tsc). A
 * `.lua` import would need a loader in each; a `.ts` module needs none.
 *
 * Includes: a line `--- @include "<path>"` (relative to the including file, without `.lua`) is
 * replaced by that file's body, once per script (a second include of the same file is dropped),
 * recursively. A file's header (its leading `--` comment lines) documents it and is not sent to
 * Redis: the generated constant carries it as JSDoc instead.
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface LuaBundle {
  /** Directory of the scripts (repository-relative); `includes/` below it holds shared snippets. */
  readonly sourceDir: string;
  /** The generated module (repository-relative). */
  readonly output: string;
}

export const LUA_BUNDLES: readonly LuaBundle[] = [
  { sourceDir: 'lib/adapters/upstash/scripts', output: 'lib/adapters/upstash/scripts/generated.ts' },
  { sourceDir: 'bench/index-variants/scripts', output: 'bench/index-variants/scripts/generated.ts' },
];

const INCLUDE = /^--- @include "([^"]+)"\s*$/;

/** Repository-relative path to absolute. */
export function repoPath(path: string): string {
  return resolve(REPO_ROOT, path);
}

/** A file's leading comment lines (its header) and the rest (its body). */
export function splitHeader(text: string): { header: string[]; body: string } {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let at = 0;
  while (at < lines.length && lines[at]!.startsWith('--') && !INCLUDE.test(lines[at]!)) at++;
  return {
    header: lines.slice(0, at).map((line) => line.replace(/^-- ?/, '')),
    body: lines.slice(at).join('\n').replace(/^\n+/, ''),
  };
}

/** A piece of a script: its own text, or an include (an absolute path). */
type Piece = { readonly text: string } | { readonly include: string };

/**
 * What Redis needs of a piece, and no more: comment-only lines become empty lines and indentation
 * goes. Every bundle that uses a script carries its text, and about half of it was comments and
 * indentation; keeping the (now empty) lines keeps the line numbers in Redis's error messages those
 * of the source file. Lua is not indentation-sensitive, and no script uses a long string (`[[`) or a
 * block comment, whose lines this would change (checked here).
 */
function compacted(text: string): string {
  if (text.includes('[[') || text.includes('--[')) {
    throw new Error('long strings and block comments are not supported by the Lua compaction');
  }
  return text
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      return trimmed.startsWith('--') ? '' : trimmed;
    })
    .join('\n');
}

function normalized(text: string): string {
  const trimmed = compacted(text).replace(/^\n+/, '').replace(/\n+$/, '');
  return trimmed === '' ? '' : `${trimmed}\n`;
}

/** An include file: the includes it needs first, and its own text (its header and directives left out). */
function readInclude(file: string): { needs: string[]; text: string } {
  const { body } = splitHeader(readFileSync(file, 'utf8'));
  const needs: string[] = [];
  const text: string[] = [];
  for (const line of body.split('\n')) {
    const include = INCLUDE.exec(line);
    if (!include) {
      text.push(line);
      continue;
    }
    if (text.some((l) => l.trim() !== '')) {
      throw new Error(`${file}: an include file's @include lines come before its code`);
    }
    needs.push(resolve(dirname(file), `${include[1]}.lua`));
  }
  return { needs, text: normalized(text.join('\n')) };
}

/** The pieces of `file`, its includes (each once, those they need first) in place of their lines. */
function piecesOf(file: string): Piece[] {
  const { body } = splitHeader(readFileSync(file, 'utf8'));
  const pieces: Piece[] = [];
  const seen = new Set<string>();
  const include = (target: string) => {
    if (seen.has(target)) return;
    seen.add(target);
    for (const need of readInclude(target).needs) include(need);
    pieces.push({ include: target });
  };
  let text: string[] = [];
  const flush = () => {
    const piece = normalized(text.join('\n'));
    if (piece !== '') pieces.push({ text: piece });
    text = [];
  };
  for (const line of body.split('\n')) {
    const directive = INCLUDE.exec(line);
    if (!directive) {
      text.push(line);
      continue;
    }
    flush();
    include(resolve(dirname(file), `${directive[1]}.lua`));
  }
  flush();
  return pieces;
}

/** The script as sent to Redis: the body of `file` with its includes expanded. */
export function expandLua(file: string): string {
  return piecesOf(file)
    .map((piece) => ('text' in piece ? piece.text : readInclude(piece.include).text))
    .join('');
}

export interface LuaScriptSource {
  /** File name without `.lua`, e.g. `append-event`. */
  readonly name: string;
  /** Exported constant, e.g. `APPEND_EVENT`. */
  readonly constant: string;
  readonly header: readonly string[];
  readonly pieces: readonly Piece[];
  readonly source: string;
  readonly sha1: string;
}

/** The scripts of a bundle (its `.lua` files, not its includes), sorted by name. */
export function readBundle(bundle: LuaBundle): LuaScriptSource[] {
  const dir = repoPath(bundle.sourceDir);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.lua'))
    .sort()
    .map((file) => {
      const path = join(dir, file);
      const name = basename(file, '.lua');
      const source = expandLua(path);
      return {
        name,
        constant: constantOf(name),
        header: splitHeader(readFileSync(path, 'utf8')).header,
        pieces: piecesOf(path),
        source,
        sha1: createHash('sha1').update(source).digest('hex'),
      };
    });
}

function constantOf(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

/**
 * The generated module of a bundle. Each include is one constant that the scripts join, so a
 * bundle carries its text once however many scripts include it. The join is a call marked pure:
 * esbuild keeps a template literal with substitutions even when nothing uses it, which put every
 * script into every function's bundle.
 */
export function renderBundle(bundle: LuaBundle): string {
  const scripts = readBundle(bundle);
  const from = relative(REPO_ROOT, repoPath(bundle.sourceDir));
  const includeNames = new Map<string, string>();
  for (const script of scripts) {
    for (const piece of script.pieces) {
      if ('include' in piece && !includeNames.has(piece.include)) {
        includeNames.set(piece.include, `INCLUDE_${constantOf(basename(piece.include, '.lua'))}`);
      }
    }
  }
  if (new Set(includeNames.values()).size !== includeNames.size) {
    throw new Error(`${from}: two included files share a name`);
  }
  const parts = [
    `// Generated by \`npm run lua\` from ${from}/*.lua: edit those files, then run it again.`,
    '// test/unit/lua-scripts.test.ts fails when this file is stale.',
    '',
    '/** A Lua script: its text as sent to Redis (includes expanded) and its SHA-1 (for EVALSHA). */',
    'export interface LuaScript {',
    '  readonly name: string;',
    '  readonly source: string;',
    '  readonly sha1: string;',
    '}',
    '',
    "/** Joins a script's pieces; a pure call, so bundlers drop the scripts a function never uses. */",
    'function lua(...pieces: string[]): string {',
    "  return pieces.join('');",
    '}',
  ];
  for (const [path, constant] of [...includeNames].sort((a, b) => (a[1] < b[1] ? -1 : 1))) {
    parts.push(
      '',
      `/** ${relative(repoPath(bundle.sourceDir), path)} */`,
      `const ${constant} = \`${escapeTemplate(readInclude(path).text)}\`;`,
    );
  }
  for (const script of scripts) {
    const doc = [`${script.name}.lua`, '', ...script.header].map((line) => line.replace(/\*\//g, '*\\/'));
    const args = script.pieces.map((piece) =>
      'text' in piece ? `\`${escapeTemplate(piece.text)}\`` : includeNames.get(piece.include)!,
    );
    // One piece per line; biome.json leaves generated files alone (its layout depends on line widths).
    const source = args.length === 1 ? args[0]! : `\n${args.map((arg) => `    ${arg},\n`).join('')}  `;
    parts.push(
      '',
      '/**',
      ...doc.map((line) => (line === '' ? ' *' : ` * ${line}`)),
      ' */',
      `export const ${script.constant}: LuaScript = {`,
      `  name: '${script.name}',`,
      `  sha1: '${script.sha1}',`,
      `  source: /* @__PURE__ */ lua(${source}),`,
      '};',
    );
  }
  return `${parts.join('\n')}\n`;
}

function escapeTemplate(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}
