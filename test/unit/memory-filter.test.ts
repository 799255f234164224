import { describe, expect, it } from 'vitest';
import type { MemoryFilter, StoredMemory } from '../../lib/contracts/long-term-memory.js';
import { ValidationError } from '../../lib/domain/errors.js';
import {
  assertAttributeFilterFits,
  matchesFilter,
  partitionCouldMatch,
} from '../../lib/domain/memory-filter.js';

const base: StoredMemory = {
  id: 'm1',
  text: 'The user is a vegetarian',
  memoryType: 'semantic',
  sessionId: 'Session-1',
  ownerId: 'Alice',
  namespace: 'Travel',
  topics: ['Food', 'diet'],
  attributes: { cuisine: 'thai', spicy: true, rating: 4.5, destinations: ['tokyo', 'kyoto'] },
  createdAt: Date.UTC(2026, 5, 1),
  updatedAt: Date.UTC(2026, 5, 1),
  expiresAt: Date.UTC(2027, 5, 1),
  embeddingModel: 'm',
  contentHash: 'h',
};
const noNamespace: StoredMemory = { ...base, id: 'm2', namespace: undefined, sessionId: undefined };
const all = (filter: MemoryFilter, record = base) => matchesFilter(record, filter, 'all');

describe('matchesFilter', () => {
  it('matches namespaceRef by exact id only (case-sensitive, no descendants, never without one)', () => {
    const filed: StoredMemory = { ...noNamespace, id: 'm3', namespaceId: 'ns-Child' };
    expect(all({ namespaceRef: { eq: 'ns-Child' } }, filed)).toBe(true);
    expect(all({ namespaceRef: { eq: 'ns-child' } }, filed)).toBe(false);
    expect(all({ namespaceRef: { in: ['ns-parent', 'ns-Child'] } }, filed)).toBe(true);
    expect(all({ namespaceRef: { eq: 'ns-parent' } }, filed)).toBe(false);
    expect(all({ namespaceRef: { eq: 'ns-Child' } }, noNamespace)).toBe(false);
    // Filed records sit in their owner's label-less partition only.
    expect(
      partitionCouldMatch({ ownerId: 'Alice', namespace: undefined }, { namespaceRef: { eq: 'x' } }, 'all'),
    ).toBe(true);
    expect(
      partitionCouldMatch({ ownerId: 'Alice', namespace: 'travel' }, { namespaceRef: { eq: 'x' } }, 'all'),
    ).toBe(false);
  });

  it('compares owner and session ids case-sensitively', () => {
    expect(all({ ownerId: { eq: 'Alice' } })).toBe(true);
    expect(all({ ownerId: { eq: 'alice' } })).toBe(false);
    expect(all({ sessionId: { in: ['x', 'Session-1'] } })).toBe(true);
    expect(all({ sessionId: { in: ['session-1'] } })).toBe(false);
    expect(all({ ownerId: { ne: 'Bob' } })).toBe(true);
  });

  it('compares namespace, topics and memory type case-insensitively', () => {
    expect(all({ namespace: { eq: 'travel' } })).toBe(true);
    expect(all({ memoryType: { eq: 'SEMANTIC' } })).toBe(true);
    expect(all({ topics: { eq: 'food' } })).toBe(true);
    expect(all({ topics: { all: ['FOOD', 'Diet'] } })).toBe(true);
    expect(all({ topics: { all: ['food', 'travel'] } })).toBe(false);
    expect(all({ topics: { in: ['travel', 'DIET'] } })).toBe(true);
    expect(all({ topics: { ne: 'diet' } })).toBe(false);
  });

  it('never matches eq/in/all on a missing namespace or session, but ne does', () => {
    expect(all({ namespace: { eq: 'travel' } }, noNamespace)).toBe(false);
    expect(all({ namespace: { in: ['travel', 'x'] } }, noNamespace)).toBe(false);
    expect(all({ namespace: { all: ['travel'] } }, noNamespace)).toBe(false);
    expect(all({ namespace: { ne: 'travel' } }, noNamespace)).toBe(true);
    expect(all({ namespace: { ne: 'TRAVEL' } })).toBe(false);
    expect(all({ sessionId: { ne: 'Session-1' } }, noNamespace)).toBe(true);
    expect(all({ sessionId: { eq: 'Session-1' } }, noNamespace)).toBe(false);
  });

  it('applies every createdAt bound', () => {
    expect(all({ createdAt: { gte: '2026-06-01T00:00:00Z', lt: '2026-06-02T00:00:00Z' } })).toBe(true);
    expect(all({ createdAt: { gt: '2026-06-01T00:00:00Z' } })).toBe(false);
    expect(all({ createdAt: { eq: '2026-06-01T00:00:00Z' } })).toBe(true);
    expect(all({ createdAt: { lte: '2026-05-31T23:59:59Z' } })).toBe(false);
  });

  it('matches attribute clauses by type; lists need every value', () => {
    expect(all({ attributes: { cuisine: { string: 'thai' }, spicy: { boolean: true } } })).toBe(true);
    expect(all({ attributes: { rating: { number: 4.5 } } })).toBe(true);
    expect(all({ attributes: { rating: { number: 4 } } })).toBe(false);
    expect(all({ attributes: { destinations: { list: ['kyoto'] } } })).toBe(true);
    expect(all({ attributes: { destinations: { list: ['kyoto', 'osaka'] } } })).toBe(false);
    expect(all({ attributes: { cuisine: { string: 'Thai' } } })).toBe(false);
    expect(all({ attributes: { cuisine: { string: 'thai' } } }, { ...base, attributes: undefined })).toBe(
      false,
    );
  });

  it('combines top-level fields with all or any', () => {
    const filter: MemoryFilter = { ownerId: { eq: 'Bob' }, topics: { eq: 'food' } };
    expect(matchesFilter(base, filter, 'all')).toBe(false);
    expect(matchesFilter(base, filter, 'any')).toBe(true);
    expect(matchesFilter(base, {}, 'any')).toBe(true);
    expect(matchesFilter(base, undefined, 'all')).toBe(true);
  });
});

describe('assertAttributeFilterFits', () => {
  const types = [
    {
      name: 'trip_preference',
      description: 'trips',
      fields: [
        { name: 'destinations', description: 'where', type: 'list[str]' as const },
        { name: 'budget', description: 'how much', type: 'float' as const },
      ],
    },
  ];

  it('accepts clauses that fit the declared types', () => {
    expect(() =>
      assertAttributeFilterFits({ destinations: { list: ['tokyo'] }, budget: { number: 100 } }, types),
    ).not.toThrow();
  });

  it('rejects undeclared attributes and mismatched clause kinds, naming the field', () => {
    expect(() => assertAttributeFilterFits({ colour: { string: 'red' } }, types)).toThrow(ValidationError);
    try {
      assertAttributeFilterFits({ budget: { string: 'cheap' } }, types);
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).fields[0]?.field).toBe('filter.attributes.budget');
    }
  });
});

describe('partitionCouldMatch', () => {
  it('prunes by owner and namespace under all, keeps everything under any with other fields', () => {
    const filter: MemoryFilter = { ownerId: { eq: 'Alice' }, namespace: { eq: 'TRAVEL' } };
    expect(partitionCouldMatch({ ownerId: 'Alice', namespace: 'travel' }, filter, 'all')).toBe(true);
    expect(partitionCouldMatch({ ownerId: 'Alice', namespace: undefined }, filter, 'all')).toBe(false);
    expect(partitionCouldMatch({ ownerId: 'Bob', namespace: 'travel' }, filter, 'all')).toBe(false);
    expect(partitionCouldMatch({ ownerId: 'Bob', namespace: undefined }, filter, 'any')).toBe(false);
    expect(
      partitionCouldMatch(
        { ownerId: 'Bob', namespace: undefined },
        { ...filter, topics: { eq: 'x' } },
        'any',
      ),
    ).toBe(true);
    expect(
      partitionCouldMatch({ ownerId: 'Bob', namespace: undefined }, { namespace: { ne: 'travel' } }, 'all'),
    ).toBe(true);
  });
});
