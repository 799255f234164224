import { describe, expect, it } from 'vitest';
import { findRelativeDates, resolveRelativeDates } from '../../lib/domain/text/relative-dates.js';

// Thursday 25 June 2026, mid-afternoon UTC.
const REF = Date.UTC(2026, 5, 25, 15, 30);

function resolve(text: string, reference = REF, tense?: 'past' | 'future'): string {
  return resolveRelativeDates(text, reference, tense ? { tense } : {}).text;
}

describe('resolveRelativeDates', () => {
  it('resolves days around the reference', () => {
    expect(resolve('I flew in yesterday')).toBe('I flew in on 24 June 2026');
    expect(resolve('Today I rest')).toBe('on 25 June 2026 I rest');
    expect(resolve('the exam is tomorrow')).toBe('the exam is on 26 June 2026');
    expect(resolve('the day before yesterday')).toBe('on 23 June 2026');
    expect(resolve('the day after tomorrow')).toBe('on 27 June 2026');
  });

  it('uses the UTC calendar day of the reference', () => {
    expect(resolve('tomorrow', Date.UTC(2026, 5, 25, 23, 59))).toBe('on 26 June 2026');
    expect(resolve('tomorrow', Date.UTC(2026, 11, 31, 12))).toBe('on 1 January 2027');
  });

  it('resolves parts of a day', () => {
    expect(resolve('tonight')).toBe('on the night of 25 June 2026');
    expect(resolve('last night')).toBe('on the night of 24 June 2026');
    expect(resolve('this morning')).toBe('on the morning of 25 June 2026');
    expect(resolve('yesterday evening')).toBe('on the evening of 24 June 2026');
    expect(resolve('tomorrow afternoon')).toBe('on the afternoon of 26 June 2026');
  });

  it('resolves weeks (Monday first), weekends, months and years', () => {
    expect(resolve('this week')).toBe('in the week of 22 June 2026');
    expect(resolve('next week')).toBe('in the week of 29 June 2026');
    expect(resolve('last week')).toBe('in the week of 15 June 2026');
    expect(resolve('this weekend')).toBe('on the weekend of 27 June 2026');
    expect(resolve('next weekend')).toBe('on the weekend of 4 July 2026');
    expect(resolve('last weekend')).toBe('on the weekend of 20 June 2026');
    expect(resolve('this past weekend')).toBe('on the weekend of 20 June 2026');
    expect(resolve('this month')).toBe('in June 2026');
    expect(resolve('next month')).toBe('in July 2026');
    expect(resolve('last month')).toBe('in May 2026');
    expect(resolve('this year')).toBe('in 2026');
    expect(resolve('next year')).toBe('in 2027');
    expect(resolve('last year')).toBe('in 2025');
  });

  it('rolls months over year ends', () => {
    expect(resolve('next month', Date.UTC(2026, 11, 15))).toBe('in January 2027');
    expect(resolve('last month', Date.UTC(2026, 0, 10))).toBe('in December 2025');
    expect(resolve('next week', Date.UTC(2026, 11, 30))).toBe('in the week of 4 January 2027');
  });

  it('resolves named weekdays by the documented rules', () => {
    expect(resolve('next Friday')).toBe('on 3 July 2026'); // the next ISO week's Friday
    expect(resolve('next Monday')).toBe('on 29 June 2026');
    expect(resolve('last Friday')).toBe('on 19 June 2026'); // the latest one before today
    expect(resolve('last Thursday')).toBe('on 18 June 2026'); // today does not count
    expect(resolve('this Friday')).toBe('on 26 June 2026');
    expect(resolve('this coming Monday')).toBe('on 29 June 2026');
    expect(resolve('last Fri')).toBe('on 19 June 2026');
    expect(resolve('next tues')).toBe('on 30 June 2026');
  });

  it('needs a tense for a bare "on <weekday>"', () => {
    expect(resolve('on Friday')).toBe('on Friday');
    expect(resolve('on Friday', REF, 'past')).toBe('on 19 June 2026');
    expect(resolve('on Friday', REF, 'future')).toBe('on 26 June 2026');
  });

  it('resolves offsets in days, weeks, months and years', () => {
    expect(resolve('in 3 days')).toBe('on 28 June 2026');
    expect(resolve('within ten days')).toBe('on 5 July 2026');
    expect(resolve('5 days from now')).toBe('on 30 June 2026');
    expect(resolve('in two weeks')).toBe('in the week of 6 July 2026');
    expect(resolve('in a couple of months')).toBe('in August 2026');
    expect(resolve('in a year')).toBe('in 2027');
    expect(resolve('three days ago')).toBe('on 22 June 2026');
    expect(resolve('a week ago')).toBe('in the week of 15 June 2026');
    expect(resolve('2 months ago')).toBe('in April 2026');
    expect(resolve('a year ago')).toBe('in 2025');
    expect(resolve('seven months ago')).toBe('in November 2025');
  });

  it('keeps vague offsets vague, but anchored', () => {
    expect(resolve('a few days ago')).toBe('a few days before 25 June 2026');
    expect(resolve('in a few weeks')).toBe('a few weeks after 25 June 2026');
    expect(resolve('the other day')).toBe('a few days before 25 June 2026');
    expect(resolve('several years ago')).toBe('several years before 25 June 2026');
  });

  it('resolves seasons of the northern hemisphere', () => {
    expect(resolve('this summer')).toBe('in summer 2026');
    expect(resolve('next summer')).toBe('in summer 2027');
    expect(resolve('last summer')).toBe('in summer 2025');
    expect(resolve('this winter')).toBe('in winter 2026/27');
    expect(resolve('this winter', Date.UTC(2026, 0, 15))).toBe('in winter 2025/26');
    expect(resolve('last fall', Date.UTC(2026, 9, 1))).toBe('in autumn 2025');
    expect(resolve('next spring', Date.UTC(2026, 0, 15))).toBe('in spring 2026');
    expect(resolve('this summer', Date.UTC(2026, 9, 1), 'past')).toBe('in summer 2026');
    expect(resolve('this summer', Date.UTC(2026, 1, 1), 'past')).toBe('in summer 2025');
    expect(resolve('this summer', Date.UTC(2026, 1, 1), 'future')).toBe('in summer 2026');
    expect(resolve('I love summer')).toBe('I love summer');
  });

  it('resolves month names: with last/next/this always, alone only with a tense', () => {
    expect(resolve('last May')).toBe('in May 2026');
    expect(resolve('last June')).toBe('in June 2025');
    expect(resolve('next May')).toBe('in May 2027');
    expect(resolve('next December')).toBe('in December 2026');
    expect(resolve('this December')).toBe('in December 2026');
    expect(resolve('in May')).toBe('in May');
    expect(resolve('in May', REF, 'past')).toBe('in May 2026');
    expect(resolve('in May', REF, 'future')).toBe('in May 2027');
    expect(resolve('in September', REF, 'past')).toBe('in September 2025');
    expect(resolve('in June', REF, 'future')).toBe('in June 2026');
  });

  it('completes days without a year, given a tense', () => {
    expect(resolve('on 5 May', REF, 'past')).toBe('on 5 May 2026');
    expect(resolve('on May 5th', REF, 'future')).toBe('on 5 May 2027');
    expect(resolve('the 4th of July', REF, 'future')).toBe('on 4 July 2026');
    expect(resolve('on 5 May')).toBe('on 5 May');
    expect(resolve('on 31 February', REF, 'past')).toBe('on 31 February');
  });

  it('leaves absolute dates, modal "may" and possessives alone', () => {
    expect(resolve('in May 2024', REF, 'past')).toBe('in May 2024');
    expect(resolve('on 5 May, 2024', REF, 'past')).toBe('on 5 May, 2024');
    expect(resolve('I may go in may', REF, 'future')).toBe('I may go in may');
    expect(resolve("tomorrow's meeting")).toBe("tomorrow's meeting");
    expect(resolve('for two weeks at 5 pm')).toBe('for two weeks at 5 pm');
  });

  it('drops its own preposition after one of the text', () => {
    expect(resolve("I've been here since yesterday")).toBe("I've been here since 24 June 2026");
    expect(resolve('until next month')).toBe('until July 2026');
    expect(resolve('plans for tomorrow')).toBe('plans for 26 June 2026');
    expect(resolve('by the end of next week')).toBe('by the end of the week of 29 June 2026');
    expect(resolve('about a year ago')).toBe('about 2025');
  });

  it('rewrites several expressions in one sentence', () => {
    expect(resolve('I started last week and finish next month, then rest tomorrow night')).toBe(
      'I started in the week of 15 June 2026 and finish in July 2026, then rest on the night of 26 June 2026',
    );
  });
});

describe('findRelativeDates', () => {
  it('reports where each expression is, what it was, its period and grain', () => {
    const text = 'Next month we move; last night was fun.';
    expect(findRelativeDates(text, REF)).toEqual([
      {
        index: 0,
        expression: 'Next month',
        phrase: 'in July 2026',
        bare: 'July 2026',
        start: '2026-07-01',
        granularity: 'month',
      },
      {
        index: 20,
        expression: 'last night',
        phrase: 'on the night of 24 June 2026',
        bare: 'the night of 24 June 2026',
        start: '2026-06-24',
        granularity: 'part-of-day',
      },
    ]);
  });

  it('prefers the longest expression at a place', () => {
    const [date] = findRelativeDates('yesterday morning', REF);
    expect(date?.expression).toBe('yesterday morning');
    expect(findRelativeDates('the day before yesterday', REF)).toHaveLength(1);
  });

  it('finds nothing in plain text', () => {
    expect(findRelativeDates('I like tea and long walks', REF)).toEqual([]);
  });
});
