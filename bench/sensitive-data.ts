/**
 * `npm run bench:sensitive-data`: time of the promotion consumer's exclusion pass (every built-in
 * detector, plus custom patterns that backtrack catastrophically on a backtracking engine) on one
 * event of `LIMITS.eventTextChars`, for inputs chosen to be each detector's worst case.
 * Security review 2026-12 finding 1: the old `email` detector took ~48 s on 256 KiB of `a`.
 * Measures only (machines are noisy); the tests check what the detectors match, not how fast.
 * Writes bench/results/sensitive-data-latest.json and appends to sensitive-data-history.jsonl.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { regexProblem } from '../lib/contracts/exclusion-patterns.js';
import { BUILT_IN_DETECTORS, exclusionsSchema } from '../lib/contracts/store-config.js';
import { LIMITS } from '../lib/domain/limits.js';
import { createExclusionFilter } from '../lib/domain/sensitive-data.js';
import { round } from './stats.js';

const N = LIMITS.eventTextChars;
const fill = (unit: string) => unit.repeat(Math.ceil(N / unit.length)).slice(0, N);

/** Each input is one event's text at the limit, shaped to make some detector work hardest. */
const INPUTS: Record<string, string> = {
  'letters, no @ (email worst case)': fill('a'),
  'one @ then a long domain': `a@${fill('a.').slice(2)}`,
  'digits and dashes (card, phone, ssn)': fill('1-'),
  digits: fill('7'),
  'prose with an email every 1 KiB': fill(`${'lorem ipsum dolor sit amet '.repeat(37)}ann@example.com `),
};

/**
 * Patterns that take seconds on 30 characters with a backtracking engine; run only if the screen
 * accepts them. BENCH_SKIP_CUSTOM=1 leaves them out (to measure an engine they would hang).
 */
const CUSTOM = ['((a+))+$', '(\\w|\\d)+$', '\\w*\\w*\\w*\\w*x'];
const accepted =
  process.env.BENCH_SKIP_CUSTOM === '1'
    ? []
    : CUSTOM.filter((pattern) => regexProblem(pattern) === undefined);

const config = exclusionsSchema.parse({
  enabled: true,
  builtInDetectors: {
    enabled: true,
    detectors: BUILT_IN_DETECTORS.map((id) => ({ id, enabled: true, action: 'redact' })),
  },
  customDetectors: {
    enabled: accepted.length > 0,
    detectors: accepted.map((pattern, i) => ({
      name: `custom-${i}`,
      enabled: true,
      action: 'redact',
      matcher: { kind: 'regex', regex: { pattern } },
    })),
  },
});
const filter = createExclusionFilter(config);

const cases = [];
for (const [input, text] of Object.entries(INPUTS)) {
  const started = performance.now();
  const outcome = filter(text);
  const ms = round(performance.now() - started);
  cases.push({ input, chars: text.length, ms, detectorsFired: outcome.detectors.length });
  console.log(`${input.padEnd(40)} ${String(text.length).padStart(7)} chars  ${String(ms).padStart(9)} ms`);
}
console.log(
  `custom patterns run: ${accepted.length ? accepted.join('  ') : 'none (all refused at configure time)'}`,
);

const result = {
  at: new Date().toISOString(),
  // What was measured, when it is not the tree's own code (e.g. "before: …").
  ...(process.env.BENCH_LABEL ? { label: process.env.BENCH_LABEL } : {}),
  node: process.version,
  builtInDetectors: BUILT_IN_DETECTORS,
  customPatterns: accepted,
  cases,
};
const dir = resolve(import.meta.dirname, 'results');
await mkdir(dir, { recursive: true });
await writeFile(resolve(dir, 'sensitive-data-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
await appendFile(resolve(dir, 'sensitive-data-history.jsonl'), `${JSON.stringify(result)}\n`);
console.log('\nwritten to bench/results/sensitive-data-latest.json');
