import { describe, expect, it } from 'vitest';
import { parseInput } from '../../lib/contracts/parse.js';
import {
  addSessionEventRequestSchema,
  listSessionSummariesQuerySchema,
  listSessionsQuerySchema,
} from '../../lib/contracts/session-memory.js';
import { ValidationError } from '../../lib/domain/errors.js';

const valid = {
  actorId: 'user-1',
  role: 'USER',
  content: [{ text: 'hello' }],
  createdAt: '2026-06-25T18:00:00Z',
};

describe('AddSessionEvent contract', () => {
  it('accepts the reference example and offsets in timestamps', () => {
    expect(parseInput(addSessionEventRequestSchema, valid, 'body')).toMatchObject(valid);
    expect(() =>
      parseInput(addSessionEventRequestSchema, { ...valid, createdAt: '2026-06-25T20:00:00+02:00' }, 'body'),
    ).not.toThrow();
  });

  it('reports every bad field with its path and rule', () => {
    try {
      parseInput(addSessionEventRequestSchema, { ...valid, actorId: '', role: 'BOT', content: [{}] }, 'body');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const fields = (error as ValidationError).fields.map((f) => f.field);
      expect(fields).toEqual(expect.arrayContaining(['actorId', 'role', 'content.0.text']));
    }
  });

  it('names the body when it is not an object', () => {
    try {
      parseInput(addSessionEventRequestSchema, 'text', 'body');
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).fields[0]?.field).toBe('body');
    }
  });
});

describe('listing queries', () => {
  it('defaults the limit and enforces the owner scope rule', () => {
    expect(parseInput(listSessionsQuerySchema, { includeAll: 'true' }, 'query')).toEqual({
      includeAll: true,
      limit: 100,
    });
    expect(() => parseInput(listSessionsQuerySchema, {}, 'query')).toThrow(ValidationError);
    expect(() =>
      parseInput(listSessionsQuerySchema, { filterOwnerId: 'a', includeAll: 'true' }, 'query'),
    ).toThrow(ValidationError);
  });

  it('defaults sort order by sort field as the reference does', () => {
    expect(parseInput(listSessionSummariesQuerySchema, { includeAll: 'true' }, 'query')).toMatchObject({
      sortBy: 'updatedAt',
      sortOrder: 'desc',
    });
    expect(
      parseInput(listSessionSummariesQuerySchema, { includeAll: 'true', sortBy: 'sessionId' }, 'query'),
    ).toMatchObject({ sortOrder: 'asc' });
  });
});
