import { describe, expect, it } from 'vitest';
import { nestingDeeperThan } from '../../../functions/middleware/nesting-depth.js';

describe('nestingDeeperThan', () => {
  it('counts open objects and arrays at once, not in total', () => {
    expect(nestingDeeperThan('[[]]', 2)).toBe(false);
    expect(nestingDeeperThan('[[[]]]', 2)).toBe(true);
    expect(nestingDeeperThan('[[],[],[],{"a":1}]', 2)).toBe(false);
    expect(nestingDeeperThan('[[],[],[],{"a":{}}]', 2)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestingDeeperThan('{"a":"[[[[[[["}', 2)).toBe(false);
    expect(nestingDeeperThan('["\\"[[[[", "\\\\"]', 1)).toBe(false);
    expect(nestingDeeperThan('["\\\\", [[]]]', 2)).toBe(true);
  });

  it('answers on the first level too deep, before reading the rest', () => {
    expect(nestingDeeperThan(`[[[${'x'.repeat(10)}`, 2)).toBe(true);
  });
});
