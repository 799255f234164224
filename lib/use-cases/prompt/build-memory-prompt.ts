import type { MemoryFilter, MemoryRecordView, SearchRequest } from '../../contracts/long-term-memory.js';
import type { MemoryPromptRequest, MemoryPromptResponse } from '../../contracts/memory-prompt.js';
import type { SessionMemory } from '../../contracts/session-memory.js';
import { NotFoundError } from '../../domain/errors.js';
import { assertQueryFits, packPrompt } from '../../domain/memory-prompt.js';
import { eventsAfterSummary } from '../../domain/promotion/summary-coverage.js';
import { DEFAULT_SEARCH_MODE } from '../../domain/ranking.js';
import type { Embedder } from '../../ports/embedder.js';
import type { MemoryRecords } from '../../ports/memory-record-store.js';
import type { SessionReader } from '../../ports/session-store.js';

/**
 * What the prompt needs of its caller's app: the session reader, the record store and embedder
 * the search reads through (the prompt wraps both, see below), and the long-term search itself.
 */
export interface PromptBaseDeps {
  readonly sessions: Pick<SessionReader, 'getSession'>;
  readonly records: Pick<MemoryRecords, 'getMany'>;
  readonly embedder: Embedder;
}

/**
 * Long-term search (`searchMemories` of lib/use-cases/long-term/search.ts), passed in by the caller
 * rather than imported: a use case never imports another use case. The prompt calls it with its
 * own deps, the record store or embedder swapped for the wrapped ones.
 */
export type PromptSearch<D> = (
  deps: D,
  storeId: string,
  request: SearchRequest,
) => Promise<{ readonly items: MemoryRecordView[] }>;

/** A summary view's result for the prompt, as the summary-views feature reads it (passed in). */
export interface PromptViewResult {
  readonly viewId: string;
  readonly partitionId?: string;
  readonly state?: 'pending' | 'ready' | 'failed' | 'stale';
  /** The text, or the fields as JSON; undefined when the partition has no result yet. */
  readonly content?: string;
}

/**
 * Reads a view's partition for the request's group values (`getPartitionForPrompt` of
 * lib/use-cases/summary-views/partitions.ts, bound to the caller by the handler).
 */
export type PromptViewReader = (
  viewId: string,
  available: { ownerId?: string; namespace?: string; sessionId?: string },
) => Promise<PromptViewResult>;

export type MemoryPromptDeps<D extends PromptBaseDeps> = D & {
  readonly searchMemories: PromptSearch<NoInfer<D>>;
  /** Required when the request names a `summaryViewId`. */
  readonly readSummaryView?: PromptViewReader;
};

/**
 * Extension: LLM-ready messages for a query: the session's summary and recent events (as
 * GetSessionMemory returns them: the events the summary does not cover) and the long-term memories
 * the search ranks highest (as SearchLongTermMemory with `text` = the query), packed into the token
 * budget by {@link packPrompt}. Nothing is read outside the path's store.
 *
 * Scope of the long-term search: the request's `ownerId` / `filter.ownerId`; else the session's
 * owner (the memories promoted from a session belong to its owner); else the whole store. A
 * `sessionId` that does not exist is a 404, as on the session routes, rather than a prompt that
 * silently lacks the conversation the caller asked for.
 *
 * Round trips: with the owner known up front, the session read rides along with the search's read
 * of its candidate records (one auto-pipelined request), so the prompt costs what the search costs.
 * (Started at once instead, it overlapped the search in time but went out as a request of its own.)
 * When the owner has to come from the session, the search waits for the read: one more round trip,
 * while the query's embedding (a model call, the slowest step) starts at once all the same.
 */
export async function buildMemoryPrompt<D extends PromptBaseDeps>(
  deps: MemoryPromptDeps<D>,
  storeId: string,
  request: MemoryPromptRequest,
): Promise<MemoryPromptResponse> {
  assertQueryFits(request.query, request.tokenBudget);
  const explicitOwner = request.ownerId ?? request.filter?.ownerId;
  let session: SessionMemory | undefined;
  let found: { readonly items: MemoryRecordView[] };
  const search = (via: D, ownerId: string | undefined) =>
    deps.searchMemories(via, storeId, searchRequest(request, ownerId));
  if (request.sessionId === undefined) {
    found = await search(deps, request.ownerId);
  } else if (explicitOwner !== undefined) {
    const sessionId = request.sessionId;
    let reading: Promise<SessionMemory> | undefined;
    const readSession = () => {
      reading ??= readSessionMemory(deps, storeId, sessionId);
      return reading;
    };
    // The session read is sent with the search's record read (auto-pipelined: one request for both);
    // a search that reads no records (nothing matched) leaves it to the line after.
    const records = beforeCall(deps.records, 'getMany', () => void readSession().catch(() => {}));
    found = await search({ ...deps, records }, request.ownerId);
    session = await readSession();
  } else {
    const mode = request.searchMode ?? DEFAULT_SEARCH_MODE;
    const embedder = mode === 'keyword' ? deps.embedder : prefetchQuery(deps.embedder, request.query.trim());
    session = await readSessionMemory(deps, storeId, request.sessionId);
    found = await search({ ...deps, embedder }, session.ownerId);
  }

  const ownerForView =
    request.ownerId ??
    request.filter?.ownerId?.eq ??
    (explicitOwner === undefined ? session?.ownerId : undefined);
  let view: PromptViewResult | undefined;
  if (request.summaryViewId !== undefined) {
    if (!deps.readSummaryView) throw new Error('summary views are not wired into this prompt');
    view = await deps.readSummaryView(request.summaryViewId, {
      ...(ownerForView !== undefined ? { ownerId: ownerForView } : {}),
      ...(request.namespace !== undefined ? { namespace: request.namespace } : {}),
      ...(request.sessionId !== undefined ? { sessionId: request.sessionId } : {}),
    });
  }
  const packed = packPrompt(
    {
      query: request.query,
      ...(view?.content !== undefined ? { viewSummary: view.content } : {}),
      ...(session?.summary ? { summary: session.summary.text } : {}),
      events: (session?.events ?? []).map((event) => ({
        role: event.role,
        text: event.content.map((part) => part.text).join('\n'),
        eventId: event.eventId,
      })),
      memories: found.items,
    },
    request.tokenBudget,
  );
  const ownerId =
    request.ownerId ??
    request.filter?.ownerId?.eq ??
    (explicitOwner === undefined ? session?.ownerId : undefined);
  return {
    messages: packed.messages,
    memoryIds: packed.memoryIds,
    memoriesOmitted: packed.memoriesOmitted,
    ...(session
      ? {
          session: {
            sessionId: session.sessionId,
            ownerId: session.ownerId,
            summary: packed.summary,
            eventsIncluded: packed.eventsIncluded,
            eventsOmitted: packed.eventsOmitted,
          },
        }
      : {}),
    ...(view
      ? {
          summaryView: {
            viewId: view.viewId,
            ...(view.partitionId !== undefined ? { partitionId: view.partitionId } : {}),
            ...(view.state !== undefined ? { state: view.state } : {}),
            result: packed.view,
          },
        }
      : {}),
    ...(ownerId !== undefined ? { ownerId } : {}),
    usage: { estimatedTokens: packed.estimatedTokens, tokenBudget: request.tokenBudget },
    truncated: packed.truncated,
  };
}

/**
 * The session as GetSessionMemory returns it (the events its summary does not cover), or a 404.
 * The same rules as lib/use-cases/sessions/get-session.ts, from the same domain module.
 */
async function readSessionMemory(
  deps: PromptBaseDeps,
  storeId: string,
  sessionId: string,
): Promise<SessionMemory> {
  const session = await deps.sessions.getSession(storeId, sessionId);
  if (!session) throw new NotFoundError('Session not found');
  return session.summary
    ? { ...session, events: eventsAfterSummary(session.events, session.summary) }
    : session;
}

/** The search the prompt runs: the query as text, the shortcuts folded into the filter (all of it must match). */
function searchRequest(request: MemoryPromptRequest, ownerId: string | undefined): SearchRequest {
  const filter: MemoryFilter = {
    ...request.filter,
    ...(ownerId !== undefined ? { ownerId: { eq: ownerId } } : {}),
    ...(request.namespace !== undefined ? { namespace: { eq: request.namespace } } : {}),
  };
  return {
    text: request.query,
    ...(Object.keys(filter).length > 0 ? { filter } : {}),
    filterOp: 'all',
    limit: request.longTermLimit,
    ...(request.searchMode !== undefined ? { searchMode: request.searchMode } : {}),
    ...(request.similarityThreshold !== undefined
      ? { similarityThreshold: request.similarityThreshold }
      : {}),
    ...(request.recency !== undefined ? { recency: request.recency } : {}),
  };
}

/**
 * The embedder with the query's vector already on its way: the search asks for the same text
 * (trimmed, and cut to the model's input limit as the search's `embedQueryText` does) and gets the
 * pending result instead of a second model call.
 */
function prefetchQuery(embedder: Embedder, text: string): Embedder {
  const max = embedder.maxInputCharacters;
  const expected = max === undefined ? text : text.slice(0, max);
  const pending = embedder.embedQuery(expected);
  // Observed here so that a session 404 (the search never runs) leaves no unhandled rejection.
  pending.catch(() => {});
  let used = false;
  return {
    model: embedder.model,
    maxInputCharacters: embedder.maxInputCharacters,
    ...(embedder.maxBatch !== undefined ? { maxBatch: embedder.maxBatch } : {}),
    embedDocuments: (texts) => embedder.embedDocuments(texts),
    embedQuery: (query) => {
      if (used || query !== expected) return embedder.embedQuery(query);
      used = true;
      return pending;
    },
  };
}

/**
 * `target` with `hook` run just before each call of `method` (in the same tick, so what the hook
 * sends joins the method's auto-pipelined request); every other member is the target's own.
 */
function beforeCall<T extends object>(target: T, method: keyof T & string, hook: () => void): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property);
      if (typeof value !== 'function') return value;
      if (property !== method) return value.bind(object);
      return (...args: unknown[]) => {
        hook();
        return value.apply(object, args);
      };
    },
  });
}
