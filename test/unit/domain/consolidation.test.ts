import { describe, expect, it } from 'vitest';
import {
  CONTRADICTION_SIMILARITY,
  extractedMemoryId,
  judgeNeighbour,
  MAX_SOURCE_REFS,
  NEAR_DUPLICATE_SIMILARITY,
  negated,
  normalize,
  withSources,
  wordOverlap,
} from '../../../lib/domain/consolidation.js';

const fact = (text: string, extra: { memoryType?: string; supersededBy?: string } = {}) => ({
  text,
  memoryType: extra.memoryType ?? 'semantic',
  ...(extra.supersededBy ? { supersededBy: extra.supersededBy } : {}),
});

describe('consolidation rules', () => {
  it('merges a near-duplicate of the same polarity whose wording overlaps', () => {
    // Arrange
    const stored = fact('The user likes sushi');
    const candidate = fact('The user really likes sushi.');
    // Act
    const verdict = judgeNeighbour(candidate, stored, NEAR_DUPLICATE_SIMILARITY);
    // Assert
    expect(verdict).toBe('merge');
  });

  it('never merges below the near-duplicate score, however alike the words', () => {
    expect(
      judgeNeighbour(
        fact('The user likes sushi'),
        fact('The user likes sushi'),
        NEAR_DUPLICATE_SIMILARITY - 0.001,
      ),
    ).toBe('unrelated');
  });

  it('keeps a similar memory with little word overlap apart', () => {
    expect(
      judgeNeighbour(fact('The user likes sushi'), fact('Tuna rolls are a favourite of this person'), 0.99),
    ).toBe('unrelated');
  });

  it('supersedes a similar memory of opposite polarity instead of merging it', () => {
    const stored = fact('The user eats meat');
    const candidate = fact('The user no longer eats meat');
    expect(judgeNeighbour(candidate, stored, 0.97)).toBe('supersede');
    expect(judgeNeighbour(candidate, stored, CONTRADICTION_SIMILARITY)).toBe('supersede');
    expect(judgeNeighbour(candidate, stored, CONTRADICTION_SIMILARITY - 0.001)).toBe('unrelated');
  });

  it('ignores superseded neighbours and neighbours of another memory type', () => {
    const candidate = fact('The user likes sushi');
    expect(judgeNeighbour(candidate, fact('The user likes sushi', { supersededBy: 'x1' }), 1)).toBe(
      'unrelated',
    );
    expect(judgeNeighbour(candidate, fact('The user likes sushi', { memoryType: 'conversation' }), 1)).toBe(
      'unrelated',
    );
  });

  it('reads polarity from negation words, contracted or not', () => {
    expect(negated("The user doesn't drink coffee")).toBe(true);
    expect(negated('The user dislikes olives')).toBe(true);
    expect(negated('The user drinks coffee')).toBe(false);
    // A word merely containing a negation is not one.
    expect(negated('The user knows Nottingham')).toBe(false);
  });

  it('measures overlap against the shorter text', () => {
    expect(wordOverlap('likes sushi', 'The user likes sushi a lot')).toBe(1);
    expect(wordOverlap('a b c d', 'a b x y')).toBe(0.5);
    expect(wordOverlap('', '')).toBe(1);
  });

  it('gives the same id to the same statement however it is punctuated or cased', () => {
    const a = extractedMemoryId('owner-1', 'Work', 'The user likes sushi.');
    expect(extractedMemoryId('owner-1', 'work', 'the user LIKES sushi')).toBe(a);
    expect(extractedMemoryId('owner-2', 'work', 'the user likes sushi')).not.toBe(a);
    expect(a).toMatch(/^x[0-9a-f]{31}$/);
    expect(normalize('  Hello,   World! ')).toBe('hello world');
  });

  it('adds sources without duplicates and keeps at most the cap', () => {
    expect(withSources({ sourceRefs: ['e1'] }, ['e1', 'e2']).sourceRefs).toEqual(['e1', 'e2']);
    const many = Array.from({ length: MAX_SOURCE_REFS + 5 }, (_, i) => `e${i}`);
    expect(withSources({ sourceRefs: undefined }, many).sourceRefs).toHaveLength(MAX_SOURCE_REFS);
  });
});
