import type * as z from 'zod';
import { compileLinearRegex, linearRegexSyntaxProblem } from '../domain/linear-regex.js';
import { type Exclusions, exclusionsSchema, storeConfigSchema } from './store-config.js';

/**
 * Custom detector patterns run over conversation text in the consumer, on the linear-time RE2
 * engine (lib/domain/linear-regex.ts), so no pattern can backtrack catastrophically; what RE2
 * cannot compile (backreferences, lookaround) is refused where settings are written, with its
 * reason. A pattern must not match the empty string (it would fire on every turn).
 *
 * Apart from store-config.ts on purpose: every function parses stored settings, and only the
 * functions that write them (admin API) or run the patterns (promotion) should carry RE2.
 */
export function regexProblem(pattern: string): string | undefined {
  const syntax = linearRegexSyntaxProblem(pattern);
  if (syntax !== undefined) {
    return `is not a regular expression the linear-time (RE2) engine accepts; backreferences and lookaround are not supported (${syntax})`;
  }
  if (compileLinearRegex(pattern).test('')) return 'must not match the empty string';
  return undefined;
}

/** Adds an issue per custom pattern RE2 refuses, at the pattern's own path under `at`. */
function checkPatterns(
  exclusions: Exclusions | undefined,
  ctx: z.RefinementCtx,
  at: readonly PropertyKey[],
): void {
  exclusions?.customDetectors?.detectors.forEach((detector, index) => {
    const problem = regexProblem(detector.matcher.regex.pattern);
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'customDetectors', 'detectors', index, 'matcher', 'regex', 'pattern'],
        message: problem,
      });
    }
  });
}

/** The exclusions policy as a client writes it: the stored shape plus the RE2 check of each pattern. */
export const exclusionsInputSchema = exclusionsSchema.superRefine((exclusions, ctx) =>
  checkPatterns(exclusions, ctx, []),
);

/** A store's settings as written: the stored shape plus the RE2 check of each pattern. */
export const storeConfigInputSchema = storeConfigSchema.superRefine((config, ctx) =>
  checkPatterns(config.longTermMemoryExclusions, ctx, ['longTermMemoryExclusions']),
);
