import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../../lib/contracts/session-memory.js';
import { eventsAfterSummary, eventsToFold } from '../../../lib/domain/promotion/summary-coverage.js';
import { screenTurns } from '../../../lib/domain/promotion/turns.js';
import {
  CONTEXT_TURNS,
  deferralEnd,
  MAX_DEFER_SECONDS,
  MAX_TURNS_PER_RUN,
  parkedRangeEvents,
  pendingEventCount,
  runWindow,
  utcDay,
} from '../../../lib/domain/promotion/window.js';
import { createExclusionFilter } from '../../../lib/domain/sensitive-data.js';

/** Event ids sort in arrival order, as the server's do (zero-padded here). */
const event = (n: number, text = `turn ${n}`, createdAtMs = 1_000 + n): SessionEvent => ({
  eventId: `e${String(n).padStart(4, '0')}`,
  actorId: 'user-1',
  sessionId: 's1',
  role: 'USER',
  content: [{ text }],
  createdAt: new Date(createdAtMs).toISOString(),
  systemTimestamp: new Date(createdAtMs).toISOString(),
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => event(from + i));

describe('promotion run window', () => {
  it('takes every event in arrival order when nothing was promoted yet', () => {
    const events = [event(2), event(0), event(1)];
    const window = runWindow(events, undefined);
    expect(window.batch.map((e) => e.eventId)).toEqual(['e0000', 'e0001', 'e0002']);
    expect(window.firstNew).toBe(0);
    expect(window.contextStart).toBe(0);
    expect(window.contextEnd).toBe(0);
  });

  it('starts after the watermark with the turns before it as context', () => {
    const window = runWindow(range(0, 20), 'e0009');
    expect(window.batch[0]?.eventId).toBe('e0010');
    expect(window.pending).toHaveLength(10);
    expect(window.contextEnd).toBe(10);
    expect(window.contextStart).toBe(10 - CONTEXT_TURNS);
  });

  it('caps a batch and leaves the rest pending', () => {
    const window = runWindow(range(0, MAX_TURNS_PER_RUN + 7), undefined);
    expect(window.batch).toHaveLength(MAX_TURNS_PER_RUN);
    expect(window.pending).toHaveLength(MAX_TURNS_PER_RUN + 7);
  });

  it('has nothing new when the watermark is the last event', () => {
    const window = runWindow(range(0, 3), 'e0002');
    expect(window.firstNew).toBe(-1);
    expect(window.batch).toEqual([]);
    expect(window.contextEnd).toBe(3);
  });

  it('counts pending events after the watermark', () => {
    expect(pendingEventCount(range(0, 5), undefined)).toBe(5);
    expect(pendingEventCount(range(0, 5), 'e0002')).toBe(2);
  });

  it('finds the events of a parked range still in the session', () => {
    const byArrival = [event(0), event(1), event(3), event(4)];
    expect(parkedRangeEvents(byArrival, { firstEventId: 'e0001', lastEventId: 'e0003' })).toEqual({
      start: 1,
      events: [event(1), event(3)],
    });
    expect(parkedRangeEvents(byArrival, { firstEventId: 'e0009', lastEventId: 'e0010' }).events).toEqual([]);
  });

  it('defers to SQS’s longest delay, or to the next UTC midnight when that comes first', () => {
    const noon = Date.UTC(2026, 5, 25, 12, 0, 0);
    expect(deferralEnd(noon)).toBe(noon + MAX_DEFER_SECONDS * 1000);
    const late = Date.UTC(2026, 5, 25, 23, 59, 0);
    expect(deferralEnd(late)).toBe(Date.UTC(2026, 5, 26));
    expect(utcDay(late)).toBe('2026-06-25');
  });
});

describe('summary coverage', () => {
  const events = range(0, 6);

  it('hides the events up to and including the summarized one', () => {
    expect(eventsAfterSummary(events, { summarizedUpToEventId: 'e0002' }).map((e) => e.eventId)).toEqual([
      'e0003',
      'e0004',
      'e0005',
    ]);
  });

  it('hides nothing without a summary, or when its last event is gone', () => {
    expect(eventsAfterSummary(events, undefined)).toHaveLength(6);
    expect(eventsAfterSummary(events, { summarizedUpToEventId: 'e9999' })).toHaveLength(6);
  });

  it('folds all but the retained events once the threshold is reached', () => {
    const eventCount = { threshold: 4, retainCount: 2 };
    expect(eventsToFold(range(0, 3), undefined, eventCount)).toEqual([]);
    expect(eventsToFold(events, undefined, eventCount).map((e) => e.eventId)).toEqual([
      'e0000',
      'e0001',
      'e0002',
      'e0003',
    ]);
    // Already covered up to e0002: only three left, under the threshold.
    expect(eventsToFold(events, { summarizedUpToEventId: 'e0002' }, eventCount)).toEqual([]);
  });
});

describe('screenTurns', () => {
  it('keeps positions and drops turns the exclusions drop', () => {
    const exclude = (text: string) => ({ text: text.includes('secret') ? undefined : text, detectors: [] });
    const turns = screenTurns([event(0, 'hello'), event(1, 'a secret'), event(2, 'bye')], 10, exclude);
    expect(turns.map((t) => [t.eventId, t.position, t.text])).toEqual([
      ['e0000', 10, 'hello'],
      ['e0002', 12, 'bye'],
    ]);
  });

  it('joins content parts and applies no change without exclusions', () => {
    const multi = { ...event(0), content: [{ text: 'a' }, { text: 'b' }] };
    expect(screenTurns([multi], 0, createExclusionFilter(undefined))[0]?.text).toBe('a\nb');
  });
});
