import { beforeAll, describe, expect, it } from 'vitest';
import { resolveDates, type Tense } from '../../dev/offline-models/offline-extractor/dates.js';
import { loadLanguage } from '../../dev/offline-models/offline-extractor/language.js';

// Thursday 25 June 2026, mid-afternoon UTC.
const REF = Date.UTC(2026, 5, 25, 15, 30);

beforeAll(async () => {
  await loadLanguage();
});

/** One row per phrasing: text, reference instant, clause tense, the text with dates resolved. */
const ROWS: ReadonlyArray<readonly [string, number, Tense | undefined, string]> = [
  // Days around the reference.
  ['I flew in yesterday', REF, undefined, 'I flew in on 24 June 2026'],
  ['Today I rest', REF, undefined, 'on 25 June 2026 I rest'],
  ['the exam is tomorrow', REF, undefined, 'the exam is on 26 June 2026'],
  ['the day before yesterday', REF, undefined, 'on 23 June 2026'],
  ['the day after tomorrow', REF, undefined, 'on 27 June 2026'],
  // The UTC calendar day of the reference.
  ['tomorrow', Date.UTC(2026, 5, 25, 23, 59), undefined, 'on 26 June 2026'],
  ['tomorrow', Date.UTC(2026, 11, 31, 12), undefined, 'on 1 January 2027'],
  // Parts of a day.
  ['tonight', REF, undefined, 'on the night of 25 June 2026'],
  ['last night', REF, undefined, 'on the night of 24 June 2026'],
  ['this morning', REF, undefined, 'on the morning of 25 June 2026'],
  ['yesterday evening', REF, undefined, 'on the evening of 24 June 2026'],
  ['tomorrow afternoon', REF, undefined, 'on the afternoon of 26 June 2026'],
  // Weeks (Monday first), weekends, months and years.
  ['this week', REF, undefined, 'in the week of 22 June 2026'],
  ['next week', REF, undefined, 'in the week of 29 June 2026'],
  ['last week', REF, undefined, 'in the week of 15 June 2026'],
  [
    'adopted a dog named Max last week',
    Date.UTC(2026, 11, 7, 10),
    'past',
    'adopted a dog named Max in the week of 30 November 2026',
  ],
  ['this weekend', REF, undefined, 'on the weekend of 27 June 2026'],
  ['next weekend', REF, undefined, 'on the weekend of 4 July 2026'],
  ['last weekend', REF, undefined, 'on the weekend of 20 June 2026'],
  ['this past weekend', REF, undefined, 'on the weekend of 20 June 2026'],
  ['this month', REF, undefined, 'in June 2026'],
  ['next month', REF, undefined, 'in July 2026'],
  ['last month', REF, undefined, 'in May 2026'],
  ['this year', REF, undefined, 'in 2026'],
  ['next year', REF, undefined, 'in 2027'],
  ['last year', REF, undefined, 'in 2025'],
  ['next month', Date.UTC(2026, 11, 15), undefined, 'in January 2027'],
  ['last month', Date.UTC(2026, 0, 10), undefined, 'in December 2025'],
  ['next week', Date.UTC(2026, 11, 30), undefined, 'in the week of 4 January 2027'],
  // Named weekdays.
  ['next Friday', REF, undefined, 'on 3 July 2026'],
  ['next Monday', REF, undefined, 'on 29 June 2026'],
  ['last Friday', REF, undefined, 'on 19 June 2026'],
  ['last Thursday', REF, undefined, 'on 18 June 2026'],
  ['this Friday', REF, undefined, 'on 26 June 2026'],
  ['this coming Monday', REF, undefined, 'on 29 June 2026'],
  ['last Fri', REF, undefined, 'on 19 June 2026'],
  ['on Friday', REF, undefined, 'on Friday'],
  ['on Friday', REF, 'past', 'on 19 June 2026'],
  ['on Friday', REF, 'future', 'on 26 June 2026'],
  ['I play tennis every Sunday', REF, undefined, 'I play tennis every Sunday'],
  // Offsets.
  ['in 3 days', REF, undefined, 'on 28 June 2026'],
  ['within ten days', REF, undefined, 'on 5 July 2026'],
  ['5 days from now', REF, undefined, 'on 30 June 2026'],
  ['in two weeks', REF, undefined, 'in the week of 6 July 2026'],
  ['in a couple of months', REF, undefined, 'in August 2026'],
  ['in a year', REF, undefined, 'in 2027'],
  ['three days ago', REF, undefined, 'on 22 June 2026'],
  ['a week ago', REF, undefined, 'in the week of 15 June 2026'],
  ['2 months ago', REF, undefined, 'in April 2026'],
  ['a year ago', REF, undefined, 'in 2025'],
  ['seven months ago', REF, undefined, 'in November 2025'],
  // Vague offsets stay vague, but anchored.
  ['a few days ago', REF, undefined, 'a few days before 25 June 2026'],
  ['in a few weeks', REF, undefined, 'a few weeks after 25 June 2026'],
  ['the other day', REF, undefined, 'a few days before 25 June 2026'],
  ['several years ago', REF, undefined, 'several years before 25 June 2026'],
  // Seasons of the northern hemisphere.
  ['this summer', REF, undefined, 'in summer 2026'],
  ['next summer', REF, undefined, 'in summer 2027'],
  ['last summer', REF, undefined, 'in summer 2025'],
  ['this winter', REF, undefined, 'in winter 2026/27'],
  ['this winter', Date.UTC(2026, 0, 15), undefined, 'in winter 2025/26'],
  ['last fall', Date.UTC(2026, 9, 1), undefined, 'in autumn 2025'],
  ['next spring', Date.UTC(2026, 0, 15), undefined, 'in spring 2026'],
  ['I love summer', REF, undefined, 'I love summer'],
  // Month names: with last/next/this always, alone only with a tense.
  ['last May', REF, undefined, 'in May 2026'],
  ['last June', REF, undefined, 'in June 2025'],
  ['next May', REF, undefined, 'in May 2027'],
  ['next December', REF, undefined, 'in December 2026'],
  ['this December', REF, undefined, 'in December 2026'],
  ['in May', REF, undefined, 'in May'],
  ['in May', REF, 'past', 'in May 2026'],
  ['in May', REF, 'future', 'in May 2027'],
  ['in September', REF, 'past', 'in September 2025'],
  ['in June', REF, 'future', 'in June 2026'],
  // Days without a year, given a tense.
  ['on 5 May', REF, 'past', 'on 5 May 2026'],
  ['on May 5th', REF, 'future', 'on 5 May 2027'],
  ['the 4th of July', REF, 'future', 'on 4 July 2026'],
  ['on 5 May', REF, undefined, 'on 5 May'],
  // Absolute dates, modal "may", possessives, durations and times of day stay as written.
  ['in May 2024', REF, 'past', 'in May 2024'],
  ['on 5 May, 2024', REF, 'past', 'on 5 May, 2024'],
  ['I may go in may', REF, 'future', 'I may go in may'],
  ["tomorrow's meeting", REF, undefined, "tomorrow's meeting"],
  ['for two weeks at 5 pm', REF, undefined, 'for two weeks at 5 pm'],
  ['I now live in Oslo', REF, undefined, 'I now live in Oslo'],
  ['I watch anime every night', REF, undefined, 'I watch anime every night'],
  ['I had a quiet weekend', REF, undefined, 'I had a quiet weekend'],
  ['in the next few months', REF, undefined, 'in the next few months'],
  ['a lot in the past week', REF, undefined, 'a lot in the past week'],
  ['I like tea and long walks', REF, undefined, 'I like tea and long walks'],
  // Its own preposition goes after one of the text.
  ["I've been here since yesterday", REF, undefined, "I've been here since 24 June 2026"],
  ['until next month', REF, undefined, 'until July 2026'],
  ['plans for tomorrow', REF, undefined, 'plans for 26 June 2026'],
  ['by the end of next week', REF, undefined, 'by the end of the week of 29 June 2026'],
  ['started about five years ago', REF, undefined, 'started about 2021'],
  // Several in one sentence.
  [
    'I started last week and finish next month, then rest tomorrow night',
    REF,
    undefined,
    'I started in the week of 15 June 2026 and finish in July 2026, then rest on the night of 26 June 2026',
  ],
];

describe('resolveDates', () => {
  it.each(ROWS)('%s (%#)', (text, reference, tense, expected) => {
    expect(resolveDates(text, reference, tense).text).toBe(expected);
  });

  it('reports where each expression is and what replaced it', () => {
    expect(resolveDates('Next month we move; last night was fun.', REF).dates).toEqual([
      { index: 0, expression: 'Next month', phrase: 'in July 2026', bare: 'July 2026' },
      {
        index: 20,
        expression: 'last night',
        phrase: 'on the night of 24 June 2026',
        bare: 'the night of 24 June 2026',
      },
    ]);
  });
});
