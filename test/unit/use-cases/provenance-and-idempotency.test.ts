import { describe, expect, it } from 'vitest';
import { withSources } from '../../../lib/domain/consolidation.js';
import { ConflictError, DependencyUnavailableError, NotFoundError } from '../../../lib/domain/errors.js';
import { classifySourceRef, cutEvidence } from '../../../lib/domain/provenance.js';
import type { SourceResolvers } from '../../../lib/ports/source-resolver.js';
import {
  bulkCreateMemories,
  bulkCreateMemoriesIdempotently,
} from '../../../lib/use-cases/long-term/bulk-create.js';
import { bulkDeleteMemories } from '../../../lib/use-cases/long-term/bulk-delete.js';
import { getMemorySources } from '../../../lib/use-cases/long-term/sources.js';
import { STORE_ID, world } from '../../fakes/world.js';

const memory = (id: string, text: string, extra: Record<string, unknown> = {}) => ({
  id,
  text,
  ownerId: 'alice',
  ...extra,
});
const EVENT = 'e'.repeat(32);

describe('classifySourceRef', () => {
  it('tells document spans, events of the memory’s session and everything else apart', () => {
    expect(classifySourceRef('doc:manual-2:0-15', 's1')).toEqual({
      kind: 'document',
      ref: 'doc:manual-2:0-15',
      documentId: 'manual-2',
      start: 0,
      end: 15,
    });
    expect(classifySourceRef(EVENT, 's1')).toEqual({
      kind: 'event',
      ref: EVENT,
      sessionId: 's1',
      eventId: EVENT,
    });
    // Without a session an event id names nothing this service can look up.
    expect(classifySourceRef(EVENT, undefined)).toEqual({ kind: 'external', ref: EVENT });
    for (const ref of ['doc:m:15-15', 'doc:m:20-3', 'doc:a_b:0-1', 'doc:m:0', 'crm:1', `${EVENT}x`]) {
      expect(classifySourceRef(ref, 's1').kind, ref).toBe('external');
    }
  });

  it('notes the session of events merged in from another session', () => {
    const record: { sessionId: string; sourceRefs: string[]; sourceSessions?: Record<string, string> } = {
      sessionId: 's1',
      sourceRefs: ['e1'],
    };
    expect(withSources(record, ['e1', 'e2'], 's1')).toEqual({ sessionId: 's1', sourceRefs: ['e1', 'e2'] });
    const merged = withSources(record, ['e1', 'e3'], 's2');
    // e1 was already the record's own: only the new ref is attributed to s2.
    expect(merged).toEqual({ sessionId: 's1', sourceRefs: ['e1', 'e3'], sourceSessions: { e3: 's2' } });
    expect(withSources(merged, ['e4'], 's3').sourceSessions).toEqual({ e3: 's2', e4: 's3' });
  });

  it('cuts evidence without splitting a surrogate pair', () => {
    expect(cutEvidence('abc', 5)).toEqual({ text: 'abc', truncated: false });
    expect(cutEvidence('abc', 5, true)).toEqual({ text: 'abc', truncated: true });
    expect(cutEvidence('ab😀cd', 3)).toEqual({ text: 'ab', truncated: true });
    expect(cutEvidence('ab😀cd', 4)).toEqual({ text: 'ab😀', truncated: true });
  });
});

describe('getMemorySources', () => {
  /** An event resolver that knows one live event, and records what it was asked. */
  const resolvers = (asked: unknown[] = []): SourceResolvers => ({
    events: {
      async resolveEvents(_storeId, request) {
        asked.push(request);
        return {
          events: request.events.map((e) =>
            e.eventId === EVENT
              ? {
                  state: 'live' as const,
                  evidence: {
                    text: 'I am a vegetarian',
                    textTruncated: false,
                    from: 'session-memory' as const,
                  },
                }
              : { state: 'expired' as const },
          ),
          liveSessionIds: new Set(['s1']),
        };
      },
    },
  });

  it('classifies, resolves and pages a memory’s sources', async () => {
    const asked: unknown[] = [];
    const w = { ...world(), sourceResolvers: resolvers(asked) };
    const other = 'f'.repeat(32);
    await bulkCreateMemories(w, STORE_ID, [
      memory('m1', 'The user is a vegetarian', {
        sessionId: 's1',
        sourceRefs: [EVENT, other, 'doc:menu-1:4-9', 'crm:7'],
      }),
    ]);

    const first = await getMemorySources(w, STORE_ID, 'm1', { limit: 3 });
    expect(first).toEqual({
      memoryId: 'm1',
      sessions: [{ sessionId: 's1', state: 'live' }],
      sources: [
        {
          kind: 'event',
          ref: EVENT,
          sessionId: 's1',
          eventId: EVENT,
          state: 'live',
          evidence: { text: 'I am a vegetarian', textTruncated: false, from: 'session-memory' },
        },
        { kind: 'event', ref: other, sessionId: 's1', eventId: other, state: 'expired' },
        // No document resolver is plugged in: reported, not looked up.
        {
          kind: 'document',
          ref: 'doc:menu-1:4-9',
          documentId: 'menu-1',
          span: { start: 4, end: 9 },
          state: 'unresolved',
        },
      ],
      totalSources: 4,
      nextPageToken: expect.any(String),
    });
    // One resolver call for the page's events.
    expect(asked).toHaveLength(1);

    const second = await getMemorySources(w, STORE_ID, 'm1', { limit: 3, pageToken: first.nextPageToken });
    expect(second.sources).toEqual([{ kind: 'external', ref: 'crm:7', state: 'unresolved' }]);
    expect(second).not.toHaveProperty('nextPageToken');
    // The page has no events, but the sessions are still reported.
    expect(second.sessions).toEqual([{ sessionId: 's1', state: 'live' }]);
  });

  it('hands document refs to a plugged-in document resolver', async () => {
    const w = {
      ...world(),
      sourceResolvers: {
        ...resolvers(),
        documents: {
          async resolveDocuments(_storeId: string, refs: readonly { documentId: string }[]) {
            return refs.map(() => ({
              state: 'live' as const,
              evidence: { text: 'span text', textTruncated: false, from: 'document' as const },
            }));
          },
        },
      },
    };
    await bulkCreateMemories(w, STORE_ID, [memory('m1', 'x', { sourceRefs: ['doc:menu-1:4-9'] })]);
    const { sources } = await getMemorySources(w, STORE_ID, 'm1', { limit: 25 });
    expect(sources).toEqual([
      {
        kind: 'document',
        ref: 'doc:menu-1:4-9',
        documentId: 'menu-1',
        span: { start: 4, end: 9 },
        state: 'live',
        evidence: { text: 'span text', textTruncated: false, from: 'document' },
      },
    ]);
  });

  it('answers 404 for a missing memory', async () => {
    const w = { ...world(), sourceResolvers: resolvers() };
    await expect(getMemorySources(w, STORE_ID, 'nope', { limit: 25 })).rejects.toThrow(NotFoundError);
  });
});

describe('bulkCreateMemoriesIdempotently', () => {
  it('answers a retry with the first answer, even after the memory changed', async () => {
    const w = world();
    const items = [memory('m1', 'green tea'), { id: 'bad' }];
    const first = await bulkCreateMemoriesIdempotently(w, STORE_ID, items, 'key-1');
    expect(first.created).toEqual(['m1']);
    expect(first.errors).toHaveLength(1);
    await bulkDeleteMemories(w, STORE_ID, ['m1']);
    // Without the key the same body would create m1 again; with it, nothing is written.
    expect(await bulkCreateMemoriesIdempotently(w, STORE_ID, items, 'key-1')).toEqual(first);
    expect(await w.records.getMany(STORE_ID, ['m1'], w.clock.now())).toEqual([undefined]);
  });

  it('refuses another body under the same key with a 409 naming the header', async () => {
    const w = world();
    await bulkCreateMemoriesIdempotently(w, STORE_ID, [memory('m1', 'green tea')], 'key-1');
    const error = await bulkCreateMemoriesIdempotently(
      w,
      STORE_ID,
      [memory('m1', 'black tea')],
      'key-1',
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).fields.map((f) => f.field)).toEqual(['Idempotency-Key']);
    // Keys are per store: nothing of this key exists in another store.
    expect(
      await w.idempotency.read({ storeId: 'other-store', operation: 'ltm-create', key: 'key-1' }),
    ).toBeUndefined();
  });

  it('runs concurrent duplicates once and gives both the same answer', async () => {
    const w = world();
    let embeds = 0;
    const embedder = {
      model: w.embedder.model,
      embedQuery: (text: string) => w.embedder.embedQuery(text),
      embedDocuments: async (texts: readonly string[]) => {
        embeds += 1;
        await new Promise((r) => setTimeout(r, 30));
        return w.embedder.embedDocuments(texts);
      },
    };
    const deps = { ...w, embedder };
    const items = [memory('m1', 'green tea'), memory('m2', 'oolong')];
    const [a, b] = await Promise.all([
      bulkCreateMemoriesIdempotently(deps, STORE_ID, items, 'key-1'),
      bulkCreateMemoriesIdempotently(deps, STORE_ID, items, 'key-1'),
    ]);
    expect(a).toEqual({ created: ['m1', 'm2'], errors: [] });
    expect(b).toEqual(a);
    expect(embeds).toBe(1);
  });

  it('forgets a failed run, so the retry runs again', async () => {
    const w = world();
    let fail = true;
    const embedder = {
      model: w.embedder.model,
      embedQuery: (text: string) => w.embedder.embedQuery(text),
      embedDocuments: async (texts: readonly string[]) => {
        if (fail) throw new DependencyUnavailableError('model down');
        return w.embedder.embedDocuments(texts);
      },
    };
    const deps = { ...w, embedder };
    const items = [memory('m1', 'green tea')];
    await expect(bulkCreateMemoriesIdempotently(deps, STORE_ID, items, 'key-1')).rejects.toThrow(
      DependencyUnavailableError,
    );
    fail = false;
    expect(await bulkCreateMemoriesIdempotently(deps, STORE_ID, items, 'key-1')).toEqual({
      created: ['m1'],
      errors: [],
    });
  });

  it('claims no key in a store that does not exist', async () => {
    const w = world();
    await expect(bulkCreateMemoriesIdempotently(w, 'nostore', [memory('m1', 'x')], 'key-1')).rejects.toThrow(
      NotFoundError,
    );
    expect(
      await w.idempotency.read({ storeId: 'nostore', operation: 'ltm-create', key: 'key-1' }),
    ).toBeUndefined();
  });
});
