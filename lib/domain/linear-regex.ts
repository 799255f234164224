import { RE2JS, RE2JSException, RE2JSSyntaxException } from 're2js';

/**
 * Every sensitive-data detector, built-in or store-defined, runs on RE2 (re2js, pure JavaScript):
 * its automaton matches in time linear in the text, so no pattern and no input can make the
 * promotion consumer backtrack for seconds (security review 2026-12, finding 1: the old `email`
 * detector took ~48 s on one 256 KiB event, and `((a+))+$` passed the nested-quantifier screen).
 * RE2 has no backreferences or lookaround, so those patterns cannot be compiled at all.
 */
export type LinearRegex = RE2JS;

/** Compiles a pattern for RE2; throws `RE2JSException` for what it cannot run in linear time. */
export function compileLinearRegex(pattern: string): LinearRegex {
  return RE2JS.compile(pattern);
}

/**
 * Why RE2 refuses a pattern, in its own words without the offending fragment (e.g. "invalid or
 * unsupported Perl syntax" for a lookahead; 400 bodies never echo values), or undefined when it
 * compiles.
 */
export function linearRegexSyntaxProblem(pattern: string): string | undefined {
  try {
    compileLinearRegex(pattern);
    return undefined;
  } catch (error) {
    if (error instanceof RE2JSSyntaxException) return error.getDescription();
    if (error instanceof RE2JSException) return 'it cannot be compiled';
    throw error;
  }
}

/** Every non-empty match of `regex` in `text`, as UTF-16 offsets (what `String.slice` takes). */
export function linearMatches(regex: LinearRegex, text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  const matcher = regex.matcher(text);
  while (matcher.find()) {
    const start = matcher.start();
    const end = matcher.end();
    if (end > start) out.push({ start, end });
  }
  return out;
}
