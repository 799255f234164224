import type { BUILT_IN_DETECTORS, Exclusions } from '../contracts/store-config.js';
import { compileLinearRegex, linearMatches } from './linear-regex.js';

type BuiltInDetectorId = (typeof BUILT_IN_DETECTORS)[number];

/**
 * Sensitive-data exclusions (reference `longTermMemoryExclusions`): built-in detectors and custom
 * regexes, each with `redact` (replace the match with a marker) or `drop` (leave the whole turn
 * out of extraction). When both fire on a turn, drop wins. They apply to what the extractor sees,
 * never to stored session events or direct writes.
 */

/** The built-in detectors as the reference's catalog (`GET /v1/detectors`) describes them. */
export const DETECTOR_CATALOG: Readonly<Record<BuiltInDetectorId, { name: string; description: string }>> = {
  'credit-card': {
    name: 'Credit card number',
    description: 'Payment card numbers of 13-19 digits that pass the Luhn check',
  },
  email: { name: 'Email address', description: 'Email addresses' },
  'ip-address': { name: 'IP address', description: 'IPv4 and full-form IPv6 addresses' },
  phone: {
    name: 'Phone number',
    description: 'International and North American phone numbers of 10 or more digits',
  },
  'us-ssn': {
    name: 'US Social Security number',
    description: 'Valid-range US Social Security numbers (AAA-GG-SSSS)',
  },
};

interface Detector {
  readonly name: string;
  readonly action: 'redact' | 'drop';
  find(text: string): Array<{ start: number; end: number }>;
}

/**
 * Built-in detectors, compiled once for RE2 (see linear-regex.ts: linear time on any input). RE2
 * has no lookaround, so conditions a backtracking regex would encode with `(?!…)` are checked in
 * code on each (bounded) match.
 */
const EMAIL = compileLinearRegex('[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}');
const IPV4 = compileLinearRegex(
  '\\b(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\b',
);
const IPV6 = compileLinearRegex('\\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\\b');
const CARD = compileLinearRegex('\\b(?:\\d[ -]?){12,18}\\d\\b');
const SSN = compileLinearRegex('\\b\\d{3}-\\d{2}-\\d{4}\\b');
const PHONE = compileLinearRegex(
  '(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{2,4}\\)|\\d{2,4})[ .-]?\\d{3,4}[ .-]?\\d{3,4}\\b',
);

const BUILT_IN: Record<string, (text: string) => Array<{ start: number; end: number }>> = {
  email: (text) => linearMatches(EMAIL, text),
  'ip-address': (text) => [...linearMatches(IPV4, text), ...linearMatches(IPV6, text)],
  // Luhn-checked runs of 13–19 digits, with spaces or dashes between groups.
  'credit-card': (text) =>
    linearMatches(CARD, text).filter(({ start, end }) => luhn(text.slice(start, end).replace(/\D/g, ''))),
  // AAA-GG-SSSS; SSA never issues area 000, 666 or 900–999, group 00 or serial 0000.
  'us-ssn': (text) =>
    linearMatches(SSN, text).filter(({ start }) => {
      const area = text.slice(start, start + 3);
      return (
        area !== '000' &&
        area !== '666' &&
        area[0] !== '9' &&
        text.slice(start + 4, start + 6) !== '00' &&
        text.slice(start + 7, start + 11) !== '0000'
      );
    }),
  // International (+CC …) or North American shapes; at least 10 digits in all.
  phone: (text) =>
    linearMatches(PHONE, text).filter(
      ({ start, end }) =>
        text.slice(start, end).replace(/\D/g, '').length >= 10 &&
        // Not a slice of a longer run of digit groups (card numbers, ids). Both checks look at
        // two characters, so they cost the same on any input.
        !/\d[ .-]?$/.test(text.slice(Math.max(0, start - 2), start)) &&
        !/^[ .-]?\d/.test(text.slice(end, end + 2)),
    ),
};

export interface ExclusionOutcome {
  /** The text to extract from, with redactions applied; undefined when the turn is dropped. */
  readonly text: string | undefined;
  /** Names of the detectors that fired (for status and metrics; never the matched text). */
  readonly detectors: readonly string[];
}

export function createExclusionFilter(config: Exclusions | undefined): (text: string) => ExclusionOutcome {
  const detectors = activeDetectors(config);
  if (detectors.length === 0) return (text) => ({ text, detectors: [] });
  return (text) => {
    const fired: Array<{ detector: Detector; spans: Array<{ start: number; end: number }> }> = [];
    for (const detector of detectors) {
      const spans = detector.find(text);
      if (spans.length > 0) fired.push({ detector, spans });
    }
    const names = fired.map((f) => f.detector.name);
    if (fired.some((f) => f.detector.action === 'drop')) return { text: undefined, detectors: names };
    const spans = fired
      .flatMap((f) => f.spans.map((s) => ({ ...s, name: f.detector.name })))
      .sort((a, b) => a.start - b.start);
    let out = '';
    let cursor = 0;
    for (const span of spans) {
      if (span.start < cursor) continue; // overlapping matches: the earlier one already covers it
      out += `${text.slice(cursor, span.start)}[REDACTED:${span.name}]`;
      cursor = span.end;
    }
    return { text: out + text.slice(cursor), detectors: names };
  };
}

function activeDetectors(config: Exclusions | undefined): Detector[] {
  if (!config?.enabled) return [];
  const out: Detector[] = [];
  if (config.builtInDetectors?.enabled) {
    for (const d of config.builtInDetectors.detectors) {
      const find = BUILT_IN[d.id];
      if (d.enabled && find) out.push({ name: d.id, action: d.action, find });
    }
  }
  if (config.customDetectors?.enabled) {
    for (const d of config.customDetectors.detectors) {
      if (!d.enabled) continue;
      // The store's config was checked with the same engine (regexProblem), so this compiles.
      const pattern = compileLinearRegex(d.matcher.regex.pattern);
      out.push({ name: d.name, action: d.action, find: (text) => linearMatches(pattern, text) });
    }
  }
  return out;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length >= 13 && sum % 10 === 0;
}
