import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../lib/domain/errors.js';
import { bulkCreateMemories } from '../../../lib/use-cases/long-term/bulk-create.js';
import { searchMemories } from '../../../lib/use-cases/long-term/search.js';
import { buildMemoryPrompt } from '../../../lib/use-cases/prompt/build-memory-prompt.js';
import { appendSessionEvent } from '../../../lib/use-cases/sessions/append-event.js';
import { STORE_ID, type World, world } from '../../fakes/world.js';

/** The prompt's deps as its callers wire them: the app plus long-term search. */
const deps = (w: World) => ({ ...w, searchMemories });

async function setUp() {
  const w = world();
  await bulkCreateMemories(w, STORE_ID, [
    { id: 'tea', text: 'The user drinks green tea', ownerId: 'alice' },
    { id: 'bob', text: 'Bob drinks green tea as well', ownerId: 'bob' },
  ]);
  await appendSessionEvent(w, STORE_ID, {
    sessionId: 's1',
    actorId: 'alice',
    role: 'USER',
    content: [{ text: 'What should I drink?' }],
    createdAt: '2026-06-25T11:00:00Z',
  });
  return w;
}

describe('buildMemoryPrompt', () => {
  it("searches the session owner's memories and includes the session's events", async () => {
    // Arrange
    const w = await setUp();
    // Act
    const prompt = await buildMemoryPrompt(deps(w), STORE_ID, {
      query: 'green tea',
      sessionId: 's1',
      tokenBudget: 2_000,
      longTermLimit: 5,
    });
    // Assert
    expect(prompt.memoryIds).toEqual(['tea']);
    expect(prompt.ownerId).toBe('alice');
    expect(prompt.session).toMatchObject({ sessionId: 's1', ownerId: 'alice', eventsIncluded: 1 });
    expect(JSON.stringify(prompt.messages)).toContain('What should I drink?');
  });

  it('uses the owner the request names, and the prefetched query vector only once', async () => {
    const w = await setUp();
    const prompt = await buildMemoryPrompt(deps(w), STORE_ID, {
      query: 'green tea',
      ownerId: 'bob',
      tokenBudget: 2_000,
      longTermLimit: 5,
    });
    expect(prompt.memoryIds).toEqual(['bob']);
    expect(prompt.session).toBeUndefined();
    expect(w.embedder.queryCalls).toEqual(['green tea']);
  });

  it('is a 404 for a session that does not exist', async () => {
    const w = await setUp();
    await expect(
      buildMemoryPrompt(deps(w), STORE_ID, {
        query: 'tea',
        sessionId: 'nope',
        tokenBudget: 2_000,
        longTermLimit: 5,
      }),
    ).rejects.toThrow(NotFoundError);
  });
});
