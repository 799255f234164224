import { describe, expect, it } from 'vitest';
import type { StoredMemory } from '../../lib/contracts/long-term-memory.js';
import {
  applyRecency,
  contextualize,
  conversationOrder,
  fuse,
  HYBRID_RANKING,
  type RankedRecord,
  SEQ_PER_MS,
} from '../../lib/domain/ranking.js';

const T0 = Date.parse('2026-06-01T00:00:00Z');

function record(id: string, over: Partial<StoredMemory> = {}): StoredMemory {
  return {
    id,
    text: id,
    memoryType: 'conversation',
    sessionId: 's1',
    ownerId: 'u1',
    topics: [],
    createdAt: T0,
    updatedAt: T0,
    expiresAt: T0 + 1e9,
    embeddingModel: 'm',
    contentHash: 'h',
    ...over,
  };
}

const ranked = (r: StoredMemory, score: number): RankedRecord => ({
  record: r,
  score,
  similarity: undefined,
});

describe('conversationOrder', () => {
  it.each([
    ['server seq wins over creation time', record('a', { seq: 5, createdAt: T0 + 10 }), 5],
    ['creation time when no seq', record('b', { createdAt: T0 }), T0 * SEQ_PER_MS],
    ['client occurredAt is ignored', record('c', { seq: 7, occurredAt: 1 }), 7],
  ])('%s', (_name, r, expected) => {
    expect(conversationOrder(r)).toBe(expected);
  });
});

describe('contextualize', () => {
  it('gives a turn the relevance of its true neighbours, whatever the lexical order of ids', () => {
    // Prepare: the question turn is relevant; its answer ("z-answer") follows it in server order but
    // its id sorts first, and an unrelated turn sits three places away.
    const question = record('m-question', { seq: 100 });
    const answer = record('a-answer', { seq: 101 });
    const far = record('b-far', { seq: 104 });
    const filler = [102, 103].map((seq) => record(`f${seq}`, { seq }));
    const input = [
      ranked(question, 1),
      ranked(answer, 0.1),
      ranked(far, 0.1),
      ...filler.map((f) => ranked(f, 0)),
    ];
    // Act
    const out = contextualize(input);
    // Assess: the answer gains the first context weight of the question's relevance, the far turn less.
    const score = (id: string) => out.find((r) => r.record.id === id)!.score;
    expect(score('a-answer')).toBeGreaterThan(score('b-far'));
    expect(out[0]!.record.id).toBe('m-question');
    expect(out[0]!.score).toBe(1);
  });

  it('keeps sessions apart: a neighbour in another session gives nothing', () => {
    const a = record('a', { seq: 1, sessionId: 's1' });
    const b = record('b', { seq: 2, sessionId: 's2' });
    const c = record('c', { seq: 3, sessionId: 's2' });
    const out = contextualize([ranked(a, 1), ranked(b, 0), ranked(c, 0.5)], {
      ...HYBRID_RANKING,
      sessionWeight: 0,
    });
    const score = (id: string) => out.find((r) => r.record.id === id)!.score;
    const best = 1 + 0; // a has no session neighbour
    expect(score('b')).toBeCloseTo(
      (0 + HYBRID_RANKING.contextWeights[0]! * 0.5) / Math.max(best, 0.5 + 0),
      6,
    );
  });
});

describe('session weight', () => {
  it('lifts every candidate of a session by a share of its best member', () => {
    const params = { ...HYBRID_RANKING, contextWeights: [], sessionWeight: 0.5 };
    const out = contextualize(
      [
        ranked(record('best', { seq: 1 }), 1),
        ranked(record('mate', { seq: 9 }), 0),
        ranked(record('other', { seq: 1, sessionId: 's2' }), 0.2),
        ranked(record('other-mate', { seq: 2, sessionId: 's2' }), 0),
      ],
      params,
    );
    const score = (id: string) => out.find((r) => r.record.id === id)!.score;
    expect(score('mate')).toBeCloseTo(0.5 / 1.5, 6);
    expect(score('other-mate')).toBeCloseTo(0.1 / 1.5, 6);
  });
});

describe('fuse', () => {
  it('normalizes each list over the records that pass the filter', () => {
    const a = record('a');
    const b = record('b');
    const records = new Map([
      ['a', a],
      ['b', b],
    ]);
    const out = fuse(
      'hybrid',
      [
        { id: 'a', score: 0.9 },
        { id: 'b', score: 0.5 },
        { id: 'filtered', score: 0.99 },
      ],
      [{ id: 'b', score: 4 }],
      records,
    );
    expect(out.map((r) => r.record.id)).toEqual(['b', 'a']);
    expect(out[0]!.score).toBeCloseTo(HYBRID_RANKING.keywordWeight, 6);
    expect(out[1]!.score).toBeCloseTo(1 - HYBRID_RANKING.keywordWeight, 6);
  });
});

describe('applyRecency', () => {
  it('halves the recency share after one half-life', () => {
    const now = T0 + 10 * 86_400_000;
    const out = applyRecency(
      [ranked(record('old'), 1), ranked(record('new'), 1)],
      [now - 10 * 86_400_000, now],
      { weight: 0.5, halfLifeDays: 10 },
      now,
    );
    expect(out.map((r) => [r.record.id, r.score])).toEqual([
      ['new', 1],
      ['old', 0.75],
    ]);
  });
});
