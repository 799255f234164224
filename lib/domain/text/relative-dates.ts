/**
 * Relative time expressions -> absolute ones, against a reference instant (UTC calendar). Pure and
 * synchronous: "I'm flying to Lima next month", said on 25 June 2026, becomes "I'm flying to Lima in
 * July 2026", so a memory still means the same thing when it is read a year later.
 *
 * Each expression resolves to a period and a replacement phrase with its preposition ("on 24 June
 * 2026", "in July 2026"). After a preposition of its own ("since yesterday", "until next month",
 * "plans for tomorrow") the bare form replaces it instead ("since 24 June 2026", "until July 2026").
 *
 * | Expression (case-insensitive)                      | Resolves to                      | Phrase                                 |
 * | -------------------------------------------------- | -------------------------------- | -------------------------------------- |
 * | today, tomorrow, yesterday                         | that day                         | on 25 June 2026                        |
 * | the day before yesterday / after tomorrow          | ±2 days                          | on 23 June 2026                        |
 * | this morning/afternoon/evening, tonight            | part of the reference day        | on the evening of 25 June 2026         |
 * | yesterday/tomorrow morning…, last night            | part of that day                 | on the night of 24 June 2026           |
 * | this/next/last week                                | ISO week (Monday first)          | in the week of 29 June 2026            |
 * | this/next/last weekend                             | Saturday of that ISO week        | on the weekend of 4 July 2026          |
 * | this/next/last month, this/next/last year          | calendar month / year            | in July 2026, in 2027                  |
 * | "this past" week/weekend/month/year                | the same as "last"               |                                        |
 * | this / this coming <weekday>                       | that day of the current ISO week / the next one after today | on 26 June 2026 |
 * | next <weekday> (also "Fri", "Tues"…)               | that day of the next ISO week    | on 3 July 2026                         |
 * | last <weekday>                                     | the latest one before today      | on 19 June 2026                        |
 * | in / within N days, N days from now                | +N days                          | on 28 June 2026                        |
 * | in N weeks / months / years                        | +N, at week / month / year grain | in the week of 6 July 2026, in 2028    |
 * | N days / weeks / months / years ago                | −N, same grains                  | on 22 June 2026, in May 2026           |
 * | in a few / several days…, a few days ago, the other day | approximate                 | a few days before 25 June 2026         |
 * | this/next/last summer, winter, spring, autumn, fall | a meteorological season (north) | in summer 2026, in winter 2026/27      |
 * | last/next/this <Month>                             | that month                       | in May 2026                            |
 * | with a tense: in <Month>, on <weekday>             | the latest (past) or next (future) one | in May 2026, on 26 June 2026     |
 * | with a tense: 5 May, May 5th, the 5th of May       | that day                         | on 5 May 2026                          |
 *
 * N is digits, one–twelve, "a"/"an" or "a couple of". Month names must be capitalized ("in May", not
 * "may"), and are left alone when a year follows ("in May 2024"). Seasons need a determiner ("this
 * summer"): a bare "summer" is a season in general, not a date.
 *
 * Limits (documented, not bugs): "next Friday" is always the next ISO week's Friday, never the coming
 * one (say "this Friday" or "this coming Friday" for that); seasons are those of the northern
 * hemisphere; a possessive ("tomorrow's meeting") is left as written, since no phrase fits there;
 * "in 3 years" is read as a date even in "I haven't seen her in 3 years"; durations ("for two weeks")
 * and times of day ("at 5 pm") are not dates and stay as written.
 */

export type DateGranularity =
  | 'day'
  | 'part-of-day'
  | 'week'
  | 'weekend'
  | 'month'
  | 'season'
  | 'year'
  | 'approximate';

/** The tense of the sentence around an expression, when the caller knows it. */
export type Tense = 'past' | 'future';

export interface ResolvedDate {
  /** Where the expression starts in the input text. */
  readonly index: number;
  /** The expression as written. */
  readonly expression: string;
  /** The replacement with its preposition: "on 24 June 2026", "in July 2026", "in 2027". */
  readonly phrase: string;
  /** The replacement after a preposition of the text's own: "24 June 2026", "July 2026". */
  readonly bare: string;
  /** First day of the resolved period, `YYYY-MM-DD`. */
  readonly start: string;
  readonly granularity: DateGranularity;
}

export interface RelativeDateOptions {
  /**
   * The sentence's tense. Only expressions that need it use it: a month name ("in May") or a weekday
   * ("on Friday") alone, or a day without a year ("on 5 May"). Without it they stay as written.
   */
  readonly tense?: Tense;
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

/** A calendar day as a count of days since the epoch (UTC). */
type Day = number;

interface Period {
  readonly phrase: string;
  readonly bare: string;
  readonly start: Day;
  readonly granularity: DateGranularity;
}

/** Finds every relative expression in `text`, in order, without overlaps. */
export function findRelativeDates(
  text: string,
  referenceMs: number,
  options: RelativeDateOptions = {},
): ResolvedDate[] {
  const today: Day = Math.floor(referenceMs / DAY_MS);
  const found: ResolvedDate[] = [];
  for (const matcher of MATCHERS) {
    const pattern = new RegExp(matcher.pattern.source, matcher.caseSensitive ? 'g' : 'gi');
    for (const match of text.matchAll(pattern)) {
      const period = matcher.resolve(match, today, options.tense);
      if (!period) continue;
      found.push({
        index: match.index,
        expression: match[0],
        phrase: period.phrase,
        bare: period.bare,
        start: isoDay(period.start),
        granularity: period.granularity,
      });
    }
  }
  // Earliest first; at the same place the longest wins ("last night" over a later "night" rule).
  found.sort((a, b) => a.index - b.index || b.expression.length - a.expression.length);
  const kept: ResolvedDate[] = [];
  let end = 0;
  for (const date of found) {
    if (date.index < end) continue;
    kept.push(date);
    end = date.index + date.expression.length;
  }
  return kept;
}

/** Rewrites `text` with every relative expression replaced by its absolute phrase. */
export function resolveRelativeDates(
  text: string,
  referenceMs: number,
  options: RelativeDateOptions = {},
): { text: string; dates: ResolvedDate[] } {
  const dates = findRelativeDates(text, referenceMs, options);
  let out = '';
  let cursor = 0;
  for (const date of dates) {
    const before = text.slice(cursor, date.index);
    out += before;
    out += PREPOSITION_BEFORE.test(text.slice(0, date.index)) ? date.bare : date.phrase;
    cursor = date.index + date.expression.length;
  }
  out += text.slice(cursor);
  return { text: out, dates };
}

/** A preposition right before an expression makes the expression's own preposition redundant. */
const PREPOSITION_BEFORE =
  /\b(?:since|until|till|til|by|from|before|after|for|of|during|through|throughout|to|between|around|about|into|starting|beginning)\s+$/i;

// ---------------------------------------------------------------------------------------------
// Calendar helpers (UTC days)

function civil(day: Day): { year: number; month: number; date: number; weekday: number } {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth(), date: d.getUTCDate(), weekday: d.getUTCDay() };
}

function dayOf(year: number, month: number, date: number): Day {
  return Math.floor(Date.UTC(year, month, date) / DAY_MS);
}

function isoDay(day: Day): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function formatDay(day: Day): string {
  const { year, month, date } = civil(day);
  return `${date} ${MONTH_NAMES[month]} ${year}`;
}

/** Monday of the ISO week holding `day`. */
function mondayOf(day: Day): Day {
  return day - ((civil(day).weekday + 6) % 7);
}

function dayPeriod(day: Day): Period {
  const text = formatDay(day);
  return { phrase: `on ${text}`, bare: text, start: day, granularity: 'day' };
}

function partOfDayPeriod(day: Day, part: string): Period {
  const text = `the ${part} of ${formatDay(day)}`;
  return { phrase: `on ${text}`, bare: text, start: day, granularity: 'part-of-day' };
}

function weekPeriod(day: Day): Period {
  const monday = mondayOf(day);
  const text = `the week of ${formatDay(monday)}`;
  return { phrase: `in ${text}`, bare: text, start: monday, granularity: 'week' };
}

function weekendPeriod(anyDayOfWeek: Day): Period {
  const saturday = mondayOf(anyDayOfWeek) + 5;
  const text = `the weekend of ${formatDay(saturday)}`;
  return { phrase: `on ${text}`, bare: text, start: saturday, granularity: 'weekend' };
}

/** `monthIndex` may run past 0–11: it is normalized into the year. */
function monthPeriod(year: number, monthIndex: number): Period {
  const start = dayOf(year, monthIndex, 1);
  const { year: y, month } = civil(start);
  const text = `${MONTH_NAMES[month]} ${y}`;
  return { phrase: `in ${text}`, bare: text, start, granularity: 'month' };
}

function yearPeriod(year: number): Period {
  return { phrase: `in ${year}`, bare: String(year), start: dayOf(year, 0, 1), granularity: 'year' };
}

function approximatePeriod(day: Day, count: string, unit: string, direction: 'before' | 'after'): Period {
  const text = `${count} ${unit} ${direction} ${formatDay(day)}`;
  return { phrase: text, bare: text, start: day, granularity: 'approximate' };
}

// ---------------------------------------------------------------------------------------------
// Numbers and units

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  'a couple of': 2,
  'a couple': 2,
  couple: 2,
};
const FEW = /^(?:a few|few|several)$/i;
const COUNT = String.raw`(\d{1,3}|a couple of|a couple|a few|several|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)`;
const UNIT = '(days?|weeks?|months?|years?)';

function parseCount(text: string): number | undefined {
  const lower = text.toLowerCase().replace(/\s+/g, ' ');
  if (/^\d+$/.test(lower)) return Number(lower);
  return NUMBER_WORDS[lower];
}

/** A period `count` units away from `today` (negative: in the past), at the unit's grain. */
function offsetPeriod(today: Day, count: number, unit: string): Period {
  const { year, month } = civil(today);
  switch (unit.replace(/s$/, '').toLowerCase()) {
    case 'day':
      return dayPeriod(today + count);
    case 'week':
      return weekPeriod(today + 7 * count);
    case 'month':
      return monthPeriod(year, month + count);
    default:
      return yearPeriod(year + count);
  }
}

// ---------------------------------------------------------------------------------------------
// Seasons (meteorological, northern hemisphere): spring Mar–May, summer Jun–Aug, autumn Sep–Nov,
// winter Dec–Feb (named after both years: "winter 2026/27").

const SEASON_START_MONTH: Readonly<Record<string, number>> = {
  spring: 2,
  summer: 5,
  autumn: 8,
  fall: 8,
  winter: 11,
};

function seasonPeriod(name: string, startYear: number): Period {
  const season = name.toLowerCase() === 'fall' ? 'autumn' : name.toLowerCase();
  const start = dayOf(startYear, SEASON_START_MONTH[season]!, 1);
  const label =
    season === 'winter' ? `winter ${startYear}/${String(startYear + 1).slice(-2)}` : `${season} ${startYear}`;
  return { phrase: `in ${label}`, bare: label, start, granularity: 'season' };
}

function seasonBounds(name: string, startYear: number): { start: Day; end: Day } {
  const month = SEASON_START_MONTH[name.toLowerCase()]!;
  return { start: dayOf(startYear, month, 1), end: dayOf(startYear, month + 3, 1) - 1 };
}

function resolveSeason(
  name: string,
  which: string,
  today: Day,
  tense: Tense | undefined,
): Period | undefined {
  const { year } = civil(today);
  // The occurrences around today, by the year they start in.
  const candidates = [year - 2, year - 1, year, year + 1].map((y) => ({ y, ...seasonBounds(name, y) }));
  const current = candidates.find((c) => c.start <= today && today <= c.end);
  const last = [...candidates].reverse().find((c) => c.end < today)!;
  const next = candidates.find((c) => c.start > today)!;
  switch (which) {
    case 'next':
    case 'this coming':
      return seasonPeriod(name, next.y);
    case 'last':
    case 'this past':
      return seasonPeriod(name, last.y);
    default: {
      // "this summer": the one under way; else the latest (past tense) or the next (future); else
      // the one that starts in the reference's calendar year.
      if (current) return seasonPeriod(name, current.y);
      if (tense === 'past') return seasonPeriod(name, last.y);
      if (tense === 'future') return seasonPeriod(name, next.y);
      return seasonPeriod(name, year);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Months and weekdays by name

const MONTH_PATTERN = `(${MONTH_NAMES.join('|')})`;
/** Full names and the usual abbreviations ("last Fri", "next Tues"). */
const WEEKDAY_PATTERN =
  '(Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sun|Mon|Tues|Tue|Wed|Thurs|Thur|Thu|Fri|Sat)';
/** Not followed by a year ("May 2024", "May, 2024"): that is absolute already. */
const NO_YEAR = String.raw`(?![,.]?\s*\d{4}\b)`;
/** Not a possessive ("tomorrow's"): no phrase fits there. */
const NOT_POSSESSIVE = String.raw`(?!['’]s\b)`;

function monthIndex(name: string): number {
  return MONTH_NAMES.findIndex((m) => m.toLowerCase() === name.toLowerCase());
}

function weekdayIndex(name: string): number {
  return WEEKDAY_NAMES.findIndex((d) => d.toLowerCase().startsWith(name.toLowerCase().slice(0, 3)));
}

/** The year of the named month, nearest in the tense's direction (the current month counts). */
function yearOfMonth(month: number, today: Day, tense: Tense): number {
  const { year, month: current } = civil(today);
  if (tense === 'past') return month <= current ? year : year - 1;
  return month >= current ? year : year + 1;
}

/** The year of a day-of-month without a year, nearest in the tense's direction (today counts). */
function yearOfDay(month: number, date: number, today: Day, tense: Tense): number {
  const { year } = civil(today);
  const thisYear = dayOf(year, month, date);
  if (tense === 'past') return thisYear <= today ? year : year - 1;
  return thisYear >= today ? year : year + 1;
}

function validDate(year: number, month: number, date: number): boolean {
  return date >= 1 && civil(dayOf(year, month, date)).month === month;
}

// ---------------------------------------------------------------------------------------------
// The rule table

interface Matcher {
  readonly pattern: RegExp;
  readonly caseSensitive?: boolean;
  resolve(match: RegExpMatchArray, today: Day, tense: Tense | undefined): Period | undefined;
}

const b = String.raw`\b`;

const MATCHERS: readonly Matcher[] = [
  {
    pattern: new RegExp(`${b}the day (before yesterday|after tomorrow)${b}${NOT_POSSESSIVE}`),
    resolve: (m, today) => dayPeriod(today + (m[1]!.toLowerCase().startsWith('before') ? -2 : 2)),
  },
  {
    pattern: new RegExp(`${b}(yesterday|tomorrow)\\s+(morning|afternoon|evening|night)${b}${NOT_POSSESSIVE}`),
    resolve: (m, today) =>
      partOfDayPeriod(today + (m[1]!.toLowerCase() === 'yesterday' ? -1 : 1), m[2]!.toLowerCase()),
  },
  {
    pattern: new RegExp(`${b}(yesterday|today|tomorrow)${b}${NOT_POSSESSIVE}`),
    resolve: (m, today) => dayPeriod(today + { yesterday: -1, today: 0, tomorrow: 1 }[m[1]!.toLowerCase()]!),
  },
  {
    pattern: new RegExp(`${b}(tonight|this (morning|afternoon|evening)|last night)${b}${NOT_POSSESSIVE}`),
    resolve: (m, today) => {
      const what = m[1]!.toLowerCase();
      if (what === 'tonight') return partOfDayPeriod(today, 'night');
      if (what === 'last night') return partOfDayPeriod(today - 1, 'night');
      return partOfDayPeriod(today, m[2]!.toLowerCase());
    },
  },
  {
    pattern: new RegExp(
      `${b}(this past|this coming|this|next|last) (week|weekend|month|year)${b}${NOT_POSSESSIVE}`,
    ),
    resolve: (m, today) => {
      const which = m[1]!.toLowerCase();
      const offset = which === 'next' || which === 'this coming' ? 1 : which === 'this' ? 0 : -1;
      const { year, month } = civil(today);
      switch (m[2]!.toLowerCase()) {
        case 'week':
          return weekPeriod(today + 7 * offset);
        case 'weekend':
          return weekendPeriod(today + 7 * offset);
        case 'month':
          return monthPeriod(year, month + offset);
        default:
          return yearPeriod(year + offset);
      }
    },
  },
  {
    pattern: new RegExp(`${b}(this coming|this|next|last|on) ${WEEKDAY_PATTERN}${b}${NOT_POSSESSIVE}`),
    resolve: (m, today, tense) => {
      const which = m[1]!.toLowerCase();
      const target = weekdayIndex(m[2]!);
      const weekday = civil(today).weekday;
      const ahead = (target - weekday + 7) % 7 || 7; // days to the next one after today
      const back = (weekday - target + 7) % 7 || 7; // days since the latest one before today
      switch (which) {
        case 'next':
          return dayPeriod(mondayOf(today) + 7 + ((target + 6) % 7));
        case 'last':
          return dayPeriod(today - back);
        case 'this coming':
          return dayPeriod(today + ahead);
        case 'this':
          return dayPeriod(mondayOf(today) + ((target + 6) % 7));
        default:
          // "on Friday": the latest one (past tense) or the next one (future), today excluded.
          if (tense === 'past') return dayPeriod(today - back);
          if (tense === 'future') return dayPeriod(today + ahead);
          return undefined;
      }
    },
  },
  {
    pattern: new RegExp(`${b}(?:in|within) ${COUNT} ${UNIT}${b}${NOT_POSSESSIVE}`),
    resolve: (m, today) => {
      if (FEW.test(m[1]!)) return approximatePeriod(today, m[1]!.toLowerCase(), plural(m[2]!), 'after');
      return offsetPeriod(today, parseCount(m[1]!)!, m[2]!);
    },
  },
  {
    pattern: new RegExp(`${b}${COUNT} ${UNIT} (ago|from now)${b}`),
    resolve: (m, today) => {
      const direction = m[3]!.toLowerCase() === 'ago' ? -1 : 1;
      if (FEW.test(m[1]!)) {
        return approximatePeriod(
          today,
          m[1]!.toLowerCase(),
          plural(m[2]!),
          direction < 0 ? 'before' : 'after',
        );
      }
      return offsetPeriod(today, direction * parseCount(m[1]!)!, m[2]!);
    },
  },
  {
    pattern: new RegExp(`${b}the other day${b}`),
    resolve: (_m, today) => approximatePeriod(today, 'a few', 'days', 'before'),
  },
  {
    pattern: new RegExp(
      `${b}(this past|this coming|this|next|last) (summer|winter|spring|autumn|fall)${b}${NOT_POSSESSIVE}`,
    ),
    resolve: (m, today, tense) => resolveSeason(m[2]!, m[1]!.toLowerCase(), today, tense),
  },
  {
    // "last May", "next March", "this December" (month names capitalized: "may" is a verb).
    pattern: new RegExp(`\\b([Ll]ast|[Nn]ext|[Tt]his) ${MONTH_PATTERN}\\b${NO_YEAR}${NOT_POSSESSIVE}`),
    caseSensitive: true,
    resolve: (m, today) => {
      const month = monthIndex(m[2]!);
      const { year, month: current } = civil(today);
      switch (m[1]!.toLowerCase()) {
        case 'last':
          return monthPeriod(month < current ? year : year - 1, month);
        case 'next':
          return monthPeriod(month > current ? year : year + 1, month);
        default:
          return monthPeriod(year, month);
      }
    },
  },
  {
    // "on 5 May", "the 5th of May", "5th May" (tense needed for the year).
    pattern: new RegExp(
      `\\b(?:[Oo]n )?(?:the )?(\\d{1,2})(?:st|nd|rd|th)? (?:of )?${MONTH_PATTERN}\\b${NO_YEAR}${NOT_POSSESSIVE}`,
    ),
    caseSensitive: true,
    resolve: (m, today, tense) => {
      if (!tense) return undefined;
      const month = monthIndex(m[2]!);
      const date = Number(m[1]);
      const year = yearOfDay(month, date, today, tense);
      return validDate(year, month, date) ? dayPeriod(dayOf(year, month, date)) : undefined;
    },
  },
  {
    // "on May 5th", "May 5" (tense needed for the year).
    pattern: new RegExp(
      `\\b(?:[Oo]n )?${MONTH_PATTERN} (\\d{1,2})(?:st|nd|rd|th)?\\b${NO_YEAR}${NOT_POSSESSIVE}`,
    ),
    caseSensitive: true,
    resolve: (m, today, tense) => {
      if (!tense) return undefined;
      const month = monthIndex(m[1]!);
      const date = Number(m[2]);
      const year = yearOfDay(month, date, today, tense);
      return validDate(year, month, date) ? dayPeriod(dayOf(year, month, date)) : undefined;
    },
  },
  {
    // "in May" (tense needed for the year).
    pattern: new RegExp(`\\b[Ii]n ${MONTH_PATTERN}\\b${NO_YEAR}${NOT_POSSESSIVE}`),
    caseSensitive: true,
    resolve: (m, today, tense) => {
      if (!tense) return undefined;
      const month = monthIndex(m[1]!);
      return monthPeriod(yearOfMonth(month, today, tense), month);
    },
  },
];

function plural(unit: string): string {
  return unit.toLowerCase().endsWith('s') ? unit.toLowerCase() : `${unit.toLowerCase()}s`;
}
