import { describe, expect, it } from 'vitest';
import type { AddSessionEventRequest } from '../../../lib/contracts/session-memory.js';
import { ConflictError, NotFoundError } from '../../../lib/domain/errors.js';
import { appendSessionEvent } from '../../../lib/use-cases/sessions/append-event.js';
import { deleteSessionEvent, deleteSessionMemory } from '../../../lib/use-cases/sessions/delete.js';
import { getSessionEvent, getSessionMemory } from '../../../lib/use-cases/sessions/get-session.js';
import { listSessionSummaries, listSessions } from '../../../lib/use-cases/sessions/list-sessions.js';
import { STORE_ID, world } from '../../fakes/world.js';

const say = (text: string, extra: Partial<AddSessionEventRequest> = {}): AddSessionEventRequest => ({
  actorId: 'alice',
  role: 'USER',
  content: [{ text }],
  createdAt: '2026-06-25T11:00:00Z',
  ...extra,
});

describe('appendSessionEvent (on the in-memory session store)', () => {
  it('opens one promotion window per burst and sends its job delayed to the window end', async () => {
    // Arrange
    const w = world({ config: { extractionCadence: { activeIntervalSeconds: 120 } } });
    // Act
    const first = await appendSessionEvent(w, STORE_ID, say('hi', { sessionId: 's1' }));
    await appendSessionEvent(w, STORE_ID, say('again', { sessionId: 's1' }));
    // Assert
    expect(first.sessionId).toBe('s1');
    expect(w.promotionQueue.sent).toHaveLength(1);
    expect(w.promotionQueue.sent[0]).toMatchObject({ delaySeconds: 120, message: { sessionId: 's1' } });
  });

  it('replays a retried request with the same Idempotency-Key into the same new session', async () => {
    const w = world();
    const a = await appendSessionEvent(w, STORE_ID, say('hi'), { idempotencyKey: 'k1' });
    const b = await appendSessionEvent(w, STORE_ID, say('hi'), { idempotencyKey: 'k1' });
    expect(b).toEqual(a);
    expect((await w.sessions.getSession(STORE_ID, a.sessionId))?.events).toHaveLength(1);
    await expect(appendSessionEvent(w, STORE_ID, say('other'), { idempotencyKey: 'k1' })).rejects.toThrow(
      ConflictError,
    );
  });

  it('answers 404 for a store that does not exist and sends nothing', async () => {
    const w = world();
    await expect(appendSessionEvent(w, 'unknown-store', say('hi'))).rejects.toThrow(NotFoundError);
    expect(w.promotionQueue.sent).toEqual([]);
  });
});

describe('getSessionMemory and getSessionEvent', () => {
  it('leaves out the events a summary covers unless asked for them', async () => {
    const w = world();
    const events = [];
    for (const [i, text] of ['one', 'two', 'three'].entries()) {
      events.push(
        await appendSessionEvent(
          w,
          STORE_ID,
          say(text, { sessionId: 's1', createdAt: `2026-06-25T11:00:0${i}Z` }),
        ),
      );
    }
    await w.sessions.setSummary(STORE_ID, 's1', {
      text: 'summary',
      summarizedUpToEventId: events[1]!.eventId,
      createdAt: '2026-06-25T11:00:00Z',
      updatedAt: '2026-06-25T11:00:00Z',
      metadata: {},
      summarizedEvents: 2,
    });
    const session = await getSessionMemory(w, STORE_ID, 's1');
    expect(session.events.map((e) => e.content[0]?.text)).toEqual(['three']);
    const all = await getSessionMemory(w, STORE_ID, 's1', { includeSummarisedEvents: true });
    expect(all.events).toHaveLength(3);
    expect(await getSessionEvent(w, STORE_ID, 's1', events[0]!.eventId)).toEqual(events[0]);
  });

  it('is a 404 once the session outlives its short-term TTL', async () => {
    const w = world({ config: { shortMemory: { ttlSeconds: 60 } } });
    await appendSessionEvent(w, STORE_ID, say('hi', { sessionId: 's1' }));
    w.clock.advance(59_000);
    await expect(getSessionMemory(w, STORE_ID, 's1')).resolves.toBeDefined();
    w.clock.advance(2_000);
    await expect(getSessionMemory(w, STORE_ID, 's1')).rejects.toThrow(NotFoundError);
    await expect(getSessionEvent(w, STORE_ID, 's1', 'e')).rejects.toThrow(NotFoundError);
  });
});

describe('listSessions and listSessionSummaries', () => {
  it('pages session ids in creation order with tokens bound to the query', async () => {
    const w = world();
    for (const id of ['s1', 's2', 's3']) {
      await appendSessionEvent(w, STORE_ID, say('hi', { sessionId: id }));
      w.clock.advance(1_000);
    }
    const first = await listSessions(w, STORE_ID, { limit: 2 });
    expect(first).toMatchObject({ items: ['s1', 's2'], total: 3 });
    const second = await listSessions(w, STORE_ID, { limit: 2, pageToken: first.nextPageToken });
    expect(second.items).toEqual(['s3']);
    expect(second.nextPageToken).toBeUndefined();
    // A token of one listing is refused by another.
    await expect(
      listSessions(w, STORE_ID, { limit: 2, filterOwnerId: 'bob', pageToken: first.nextPageToken }),
    ).rejects.toThrow();
  });

  it('binds a session to the namespace of its first event and lists the bound ones by namespaceRef', async () => {
    // Arrange
    const w = world();
    const ref = { namespaceId: 'ns-1' };
    await appendSessionEvent(w, STORE_ID, say('a', { sessionId: 's1', namespaceRef: ref }));
    await appendSessionEvent(w, STORE_ID, say('b', { sessionId: 's2' }));
    // Act
    await appendSessionEvent(w, STORE_ID, say('c', { sessionId: 's1' }));
    const page = await listSessionSummaries(w, STORE_ID, {
      limit: 10,
      namespaceRef: 'ns-1',
      sortBy: 'updatedAt',
      sortOrder: 'desc',
    });
    // Assert
    await expect(
      appendSessionEvent(w, STORE_ID, say('d', { sessionId: 's1', namespaceRef: { namespaceId: 'ns-2' } })),
    ).rejects.toThrow(ConflictError);
    await expect(
      appendSessionEvent(w, STORE_ID, say('e', { sessionId: 's3', namespace: 'x', namespaceRef: ref })),
    ).rejects.toThrow(/namespace or namespaceRef/);
    expect(page.items.map((row) => row.sessionId)).toEqual(['s1']);
    expect(page.total).toBe(1);
    // Without a namespace store the ref shows its id; the service resolves name and path.
    expect(page.items[0]?.namespaceRef).toEqual({ namespaceId: 'ns-1', name: 'ns-1', path: 'ns-1' });
  });

  it('sorts summaries by update time, newest first when asked', async () => {
    const w = world();
    await appendSessionEvent(w, STORE_ID, say('a', { sessionId: 's1' }));
    w.clock.advance(1_000);
    await appendSessionEvent(w, STORE_ID, say('b', { sessionId: 's2' }));
    w.clock.advance(1_000);
    await appendSessionEvent(w, STORE_ID, say('c', { sessionId: 's1' }));
    const page = await listSessionSummaries(w, STORE_ID, {
      limit: 10,
      sortBy: 'updatedAt',
      sortOrder: 'desc',
    });
    expect(page.items.map((i) => i.sessionId)).toEqual(['s1', 's2']);
    expect(page.items[0]?.ownerId).toBe('alice');
  });
});

describe('deleteSessionMemory and deleteSessionEvent', () => {
  it('deletes an event, then the session, and answers 404 after', async () => {
    const w = world();
    const event = await appendSessionEvent(w, STORE_ID, say('hi', { sessionId: 's1' }));
    await appendSessionEvent(w, STORE_ID, say('there', { sessionId: 's1' }));
    await deleteSessionEvent(w, STORE_ID, 's1', event.eventId);
    expect((await getSessionMemory(w, STORE_ID, 's1')).events).toHaveLength(1);
    await expect(deleteSessionEvent(w, STORE_ID, 's1', event.eventId)).rejects.toThrow(NotFoundError);
    await deleteSessionMemory(w, STORE_ID, 's1');
    await expect(deleteSessionMemory(w, STORE_ID, 's1')).rejects.toThrow(NotFoundError);
  });
});
