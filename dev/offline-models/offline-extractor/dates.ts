import type { Chrono, ParsedResult, Parser } from 'chrono-node';
import { language } from './language.js';

/**
 * Relative dates -> absolute phrases, against the turn's `createdAt` (UTC calendar). chrono-node
 * finds the expressions and their dates; this module decides what grain the memory should keep
 * ("last week" -> "in the week of 30 November 2026", "next month" -> "in July 2026") and drops what
 * is not a date worth writing down (times of day, "now", durations such as "for two weeks", a bare
 * "Sunday" in "every Sunday").
 *
 * After a preposition of the text's own ("since yesterday") the bare form replaces the expression
 * ("since 24 June 2026"), else the phrase with its preposition ("on 24 June 2026").
 *
 * What chrono does not parse is added as two small parsers: seasons ("this summer" -> "in summer
 * 2026", meteorological, northern hemisphere) and "last/next/this <Month>". With the clause's tense,
 * a month or day without a year ("in May", "on 5 May") and "on Friday" take the latest (past) or
 * next (future) one; without it they stay as written. Absolute dates ("in May 2024") stay as written.
 */

export type Tense = 'past' | 'future';

export interface ResolvedDate {
  /** Where the expression starts in the input text. */
  readonly index: number;
  /** The expression as written. */
  readonly expression: string;
  /** The replacement with its preposition: "on 24 June 2026", "in July 2026". */
  readonly phrase: string;
  /** The replacement after a preposition of the text's own: "24 June 2026", "July 2026". */
  readonly bare: string;
}

export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

export const WEEKDAY_NAMES = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;

const DAY_MS = 86_400_000;

/** "25 June 2026" for the UTC day of `ms`. */
export function formatDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Monday of the ISO week holding `ms`. */
function mondayOf(ms: number): number {
  const day = startOfDay(ms);
  return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
}

/** Rewrites `text` with every relative date replaced by its absolute phrase. */
export function resolveDates(
  text: string,
  referenceMs: number,
  tense?: Tense,
): { text: string; dates: ResolvedDate[] } {
  const results = withParsers(language().chrono).parse(text, { instant: new Date(referenceMs), timezone: 0 });
  const dates: ResolvedDate[] = [];
  for (const result of results) {
    const date = render(text, result, referenceMs, tense);
    if (date && date.index >= (dates.at(-1)?.index ?? -1) + (dates.at(-1)?.expression.length ?? 0)) {
      dates.push(date);
    }
  }
  let out = '';
  let cursor = 0;
  for (const date of dates) {
    out += text.slice(cursor, date.index);
    out += PREPOSITION_BEFORE.test(text.slice(0, date.index)) ? date.bare : date.phrase;
    cursor = date.index + date.expression.length;
  }
  return { text: out + text.slice(cursor), dates };
}

/** A preposition right before an expression makes the expression's own preposition redundant. */
const PREPOSITION_BEFORE =
  /\b(?:since|until|till|by|from|before|after|for|of|during|through|to|between|around|about|starting)\s+$/i;

const PART_OF_DAY = /\b(morning|afternoon|evening|night)\b|\b(tonight)\b/i;
/** Words chrono leaves out of its match that change the date: "this coming Monday", "this past weekend". */
const LEAD_IN = /\b(this coming|this past|this|next|last)\s+$/i;
/** Expressions that start with a name or a number take "in" / "on" / "the" before them along. */
const NAMED = new RegExp(
  `^(?:\\d|${[...MONTH_NAMES, ...WEEKDAY_NAMES].map((n) => n.slice(0, 3)).join('|')})`,
);
const OWN_PREPOSITION = /\b(?:(?:in|on)(?: the)?|the)\s+$/i;

function render(
  text: string,
  result: ParsedResult,
  ref: number,
  tense: Tense | undefined,
): ResolvedDate | undefined {
  let index = result.index;
  let expression = result.text;
  // "the end of next week": the text keeps its own words for the part of the period.
  // "about five years ago": the approximation stays in the text ("about 2021").
  const part =
    /^(?:(?:the )?(?:end|beginning|start|middle) of|about|around|roughly|almost|nearly|over) /i.exec(
      expression,
    );
  if (part) {
    index += part[0].length;
    expression = expression.slice(part[0].length);
  }
  const end = index + expression.length;
  const lead = LEAD_IN.exec(text.slice(0, index));
  if (lead && !/^(?:this|next|last)\b/i.test(expression)) index -= lead[0].length;
  // The phrase brings its own preposition: "in May" -> "in May 2026", not "in in May 2026".
  const preposition = OWN_PREPOSITION.exec(text.slice(0, index));
  if (preposition && NAMED.test(expression)) index -= preposition[0].length;
  expression = text.slice(index, end);
  const lower = expression.toLowerCase();
  const start = result.start;
  const dated = ['day', 'month', 'year', 'weekday'].some((c) => start.isCertain(c as 'day'));
  if (
    result.end ||
    /\d{4}/.test(expression) ||
    /^(?:right )?now$|^for\b/.test(lower) ||
    // A unit alone ("a quiet weekend") or after "the" ("the past week", "the next few months") is
    // a noun, not a date.
    /^(?:weekend|week|month|year|morning|afternoon|evening|night)s?$/.test(lower) ||
    (/\bthe\s+$/i.test(text.slice(0, index)) && !NAMED.test(expression)) ||
    /^['’]s\b/.test(text.slice(index + expression.length)) ||
    // "every night", "each Sunday": a habit, not a date.
    /\b(?:every|each)\s+$/i.test(text.slice(0, index)) ||
    (!dated && !PART_OF_DAY.test(lower) && !/\bweek\b/.test(lower))
  ) {
    return undefined;
  }
  const which = /^(this coming|this past|this|next|last)\b/.exec(lower)?.[1];
  const date = start.date().getTime();
  const day = (ms: number) => ({ index, expression, phrase: `on ${formatDay(ms)}`, bare: formatDay(ms) });
  const span = (bare: string, preposition: 'in' | 'on') => ({
    index,
    expression,
    phrase: `${preposition} ${bare}`,
    bare,
  });

  const few = /\b(a few|several)\b.*\b(days|weeks|months|years)\b/.exec(lower);
  if (few || lower === 'the other day') {
    const words = few ? `${few[1]} ${few[2]}` : 'a few days';
    const text = `${words} ${date < ref || lower === 'the other day' ? 'before' : 'after'} ${formatDay(ref)}`;
    return { index, expression, phrase: text, bare: text };
  }
  const season = /\b(spring|summer|autumn|fall|winter)\b/.exec(lower);
  if (season) return span(seasonLabel(season[1]!, new Date(date).getUTCFullYear()), 'in');
  const partOfDay = PART_OF_DAY.exec(lower);
  if (partOfDay) return span(`the ${partOfDay[1] ?? 'night'} of ${formatDay(date)}`, 'on');
  if (/\bweekend\b/.test(lower))
    return span(`the weekend of ${formatDay(mondayOf(date) + 5 * DAY_MS)}`, 'on');
  if (/\bweeks?\b/.test(lower)) {
    // chrono's weeks start on Sunday; a memory's week is the ISO week (Monday first).
    return span(`the week of ${formatDay(mondayOf(which === 'this' ? ref : date))}`, 'in');
  }
  const d = new Date(date);
  if (/\byears?\b/.test(lower) || (start.isCertain('year') && !start.isCertain('month'))) {
    return span(String(d.getUTCFullYear()), 'in');
  }
  const monthName = MONTH_NAMES.find((m) => expression.includes(m));
  if (!start.isCertain('day') && !start.isCertain('weekday') && (start.isCertain('month') || monthName)) {
    // A month name must be capitalized ("in May"): "may" is a verb.
    if (!/\bmonths?\b/.test(lower) && !monthName) return undefined;
    if (/\bmonths?\b/.test(lower) || which || start.isCertain('year')) return span(monthLabel(date), 'in');
    if (!tense) return undefined;
    return span(monthLabel(nearestYear(date, ref, tense, 'month')), 'in');
  }
  if (start.isCertain('weekday') && !start.isCertain('day')) {
    if (which === 'this coming') return day(nextWeekday(ref, d.getUTCDay()));
    if (which) return day(date);
    if (!/^on\b/.test(lower) || !tense) return undefined;
    return day(tense === 'past' ? lastWeekday(ref, d.getUTCDay()) : nextWeekday(ref, d.getUTCDay()));
  }
  if (start.isCertain('day') && !start.isCertain('year') && !/\b(?:days?|ago|now)\b/.test(lower)) {
    if (!monthName || !tense) return undefined;
    return day(nearestYear(date, ref, tense, 'day'));
  }
  return day(date);
}

function monthLabel(ms: number): string {
  const d = new Date(ms);
  return `${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** The same month (or day) in the year that makes it the latest (past) or next (future) one. */
function nearestYear(ms: number, ref: number, tense: Tense, grain: 'month' | 'day'): number {
  const d = new Date(ms);
  const r = new Date(ref);
  const at = (year: number) => Date.UTC(year, d.getUTCMonth(), grain === 'day' ? d.getUTCDate() : 1);
  const today = grain === 'day' ? startOfDay(ref) : Date.UTC(r.getUTCFullYear(), r.getUTCMonth(), 1);
  const year = r.getUTCFullYear();
  if (tense === 'past') return at(year) <= today ? at(year) : at(year - 1);
  return at(year) >= today ? at(year) : at(year + 1);
}

function nextWeekday(ref: number, weekday: number): number {
  const today = startOfDay(ref);
  return today + ((weekday - new Date(today).getUTCDay() + 7) % 7 || 7) * DAY_MS;
}

function lastWeekday(ref: number, weekday: number): number {
  const today = startOfDay(ref);
  return today - ((new Date(today).getUTCDay() - weekday + 7) % 7 || 7) * DAY_MS;
}

// ---------------------------------------------------------------------------------------------
// What chrono does not parse

/** Meteorological seasons: spring Mar–May, summer Jun–Aug, autumn Sep–Nov, winter Dec–Feb. */
const SEASON_START_MONTH: Readonly<Record<string, number>> = {
  spring: 2,
  summer: 5,
  autumn: 8,
  fall: 8,
  winter: 11,
};

function seasonLabel(name: string, startYear: number): string {
  const season = name === 'fall' ? 'autumn' : name;
  return season === 'winter'
    ? `winter ${startYear}/${String(startYear + 1).slice(-2)}`
    : `${season} ${startYear}`;
}

/** The start of the season `which` names, relative to the reference day. */
function seasonStart(name: string, which: string, ref: number): Date {
  const year = new Date(ref).getUTCFullYear();
  const month = SEASON_START_MONTH[name]!;
  const starts = [year - 2, year - 1, year, year + 1].map((y) => Date.UTC(y, month, 1));
  const ends = starts.map((s) => Date.UTC(new Date(s).getUTCFullYear(), month + 3, 1) - 1);
  const current = starts.findIndex((s, i) => s <= ref && ref <= ends[i]!);
  const last = ends.findLastIndex((e) => e < ref);
  const next = starts.findIndex((s) => s > ref);
  if (which === 'next' || which === 'this coming') return new Date(starts[next]!);
  if (which === 'last' || which === 'this past') return new Date(starts[last]!);
  // "this summer": the one under way, else the one that starts in the reference's year.
  return new Date(current >= 0 ? starts[current]! : Date.UTC(year, month, 1));
}

const SEASON_PARSER: Parser = {
  pattern: () => /\b(this coming|this past|this|next|last) (spring|summer|autumn|fall|winter)\b/i,
  extract: (context, match) => {
    const start = seasonStart(match[2]!.toLowerCase(), match[1]!.toLowerCase(), context.refDate.getTime());
    return { year: start.getUTCFullYear(), month: start.getUTCMonth() + 1, day: 1 };
  },
};

/** "last May", "next March", "this December": chrono reads the month alone, in the wrong year. */
const RELATIVE_MONTH_PARSER: Parser = {
  pattern: () => new RegExp(`\\b(last|next|this) (${MONTH_NAMES.join('|')})\\b(?![,.]?\\s*\\d{4})`),
  extract: (context, match) => {
    const month = MONTH_NAMES.indexOf(match[2] as (typeof MONTH_NAMES)[number]);
    const ref = context.refDate;
    const year = ref.getUTCFullYear();
    const current = ref.getUTCMonth();
    const which = match[1]!.toLowerCase();
    const y =
      which === 'last'
        ? month < current
          ? year
          : year - 1
        : which === 'next'
          ? month > current
            ? year
            : year + 1
          : year;
    return context.createParsingComponents({ year: y, month: month + 1 }).imply('day', 1);
  },
};

const OTHER_DAY_PARSER: Parser = {
  pattern: () => /\bthe other day\b/i,
  extract: (context) => {
    const ref = context.refDate.getTime() - 3 * DAY_MS;
    const d = new Date(ref);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  },
};

let configured: { base: Chrono; extended: Chrono } | undefined;

/** chrono's casual English parser with the parsers above, first so they win over its own readings. */
function withParsers(base: Chrono): Chrono {
  if (configured?.base === base) return configured.extended;
  const extended = base.clone();
  extended.parsers.unshift(SEASON_PARSER, RELATIVE_MONTH_PARSER, OTHER_DAY_PARSER);
  configured = { base, extended };
  return extended;
}
