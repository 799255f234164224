import { describe, expect, it } from 'vitest';
import {
  conversationIndexTexts,
  conversationRecordId,
  conversationRecords,
  eventServerTime,
  type ScreenedTurn,
} from '../../lib/domain/conversation-records.js';
import { newEventId } from '../../lib/domain/ids.js';
import { SEQ_PER_MS } from '../../lib/domain/ranking.js';

const T = Date.parse('2026-06-25T18:00:00Z');
const turn = (over: Partial<ScreenedTurn> & Pick<ScreenedTurn, 'text'>): ScreenedTurn => ({
  eventId: newEventId(T),
  role: 'USER',
  actorId: 'u1',
  createdAt: T,
  position: 0,
  ...over,
});
const build = (turns: ScreenedTurn[]) =>
  conversationRecords({
    session: { sessionId: 's1', ownerId: 'u1', namespace: 'travel' },
    turns,
    now: T + 1000,
    ttlSeconds: 60,
    embeddingModel: 'm',
  });

describe('conversationRecords', () => {
  it.each([
    ['a USER turn', turn({ text: 'I love ramen.' }), 1],
    ['an ASSISTANT turn', turn({ role: 'ASSISTANT', text: 'Noted.' }), 1],
    ['a SYSTEM turn (instructions, not conversation)', turn({ role: 'SYSTEM', text: 'Be brief.' }), 0],
    ['a blank turn', turn({ text: '  \n ' }), 0],
  ])('keeps %s: %i record(s)', (_name, input, count) => {
    expect(build([input])).toHaveLength(count);
  });

  it('derives the id from (session, event) and the order from the server time and position', () => {
    const eventId = newEventId(T + 5);
    const [record] = build([turn({ eventId, text: ' Hi ', position: 1_234, createdAt: 7 })]);
    expect(record).toMatchObject({
      id: conversationRecordId('s1', eventId),
      text: 'Hi',
      memoryType: 'conversation',
      sessionId: 's1',
      ownerId: 'u1',
      namespace: 'travel',
      sourceRefs: [eventId],
      occurredAt: 7,
      actorId: 'u1',
      role: 'USER',
      seq: (T + 5) * SEQ_PER_MS + 234,
      expiresAt: T + 1000 + 60_000,
    });
    expect(eventServerTime(eventId)).toBe(T + 5);
    expect(conversationRecordId('s1', eventId)).not.toBe(conversationRecordId('s2', eventId));
  });
});

describe('conversationIndexTexts', () => {
  it.each([
    ['the first turn ever reads itself', [], ['a'], ['a']],
    ['each turn reads the one before it', [], ['a', 'b', 'c'], ['a', 'a\nb', 'b\nc']],
    ['the first of a run reads the last kept turn of earlier runs', ['x', 'y'], ['a', 'b'], ['y\na', 'a\nb']],
  ])('%s', (_name, before, texts, expected) => {
    expect(
      conversationIndexTexts(
        texts.map((text) => ({ text })),
        before,
      ),
    ).toEqual(expected);
  });
});
