import {
  type AgentMemory,
  AgentMemoryError,
  ConnectionError,
  type MemoryFilterInput,
  type MemoryRecord,
} from '@agent-memory/sdk';
import { type ToolSet, tool } from 'ai';
import * as z from 'zod';

/**
 * Memory tools: what a model may do with an owner's memories, as an AI SDK `ToolSet`. Every tool is
 * bound to one owner (and optionally a session and a namespace) by the application, never by the
 * model: the model chooses what to search or save, not whose memories it touches. A memory of
 * another owner (or namespace) is reported as not found, as the service answers for another
 * store's ids.
 */

/** Whose memories the tools act on. */
export interface MemoryScope {
  /** The user the memories belong to (`ownerId` of memories, `actorId` of their session events). */
  readonly ownerId: string;
  /** The conversation: enables `getSessionHistory` and tags saved memories with it. */
  readonly sessionId?: string;
  /** Limits every tool to one namespace (memories are saved in it, found and changed only in it). */
  readonly namespace?: string;
}

export interface MemoryToolsOptions extends MemoryScope {
  /** Most memories one search returns (the model may ask for fewer). Default 10. */
  readonly maxSearchResults?: number;
  /** Most events `getSessionHistory` returns (the newest). Default 50. */
  readonly maxHistoryEvents?: number;
}

/** What a failed tool call returns: an error the model can read and act on, not an exception. */
export interface MemoryToolError {
  readonly error: {
    readonly message: string;
    /** The service's status, when it answered. */
    readonly status?: number;
    /** Whether trying again later may work (throttled, timed out, the service was down). */
    readonly retryable: boolean;
    /** The invalid fields of a 400, as the service named them. */
    readonly fields?: ReadonlyArray<{ field: string; message: string }>;
  };
}

/** The service's id rule (`^[a-zA-Z0-9-]+$`, 1-64): checked here so the model learns it from the schema. */
const memoryId = z
  .string()
  .regex(/^[a-zA-Z0-9-]{1,64}$/, 'a memory id as returned by searchMemories')
  .describe('The id of a memory, as returned by searchMemories');
const topics = z
  .array(z.string().min(1).max(64))
  .max(20)
  .describe('Short lower-case keywords, e.g. ["food", "travel"]');

/** The memory as the model reads it: what it says and when, without the service's bookkeeping. */
function view(record: MemoryRecord) {
  return {
    id: record.id,
    text: record.text,
    memoryType: record.memoryType,
    topics: record.topics,
    ...(record.occurredAt ? { occurredAt: record.occurredAt } : {}),
    createdAt: record.createdAt,
    ...(record.score !== undefined ? { score: Math.round(record.score * 1000) / 1000 } : {}),
  };
}

/** A thrown error as a tool result. Stored text never appears in it (the SDK's messages carry none). */
export function toolError(error: unknown): MemoryToolError {
  if (error instanceof AgentMemoryError) {
    const fields = error.fields.map(({ field, message }) => ({ field, message }));
    return {
      error: {
        message: error.message,
        status: error.status,
        retryable: error.retryable,
        ...(fields.length > 0 ? { fields } : {}),
      },
    };
  }
  if (error instanceof ConnectionError) {
    return { error: { message: `The memory service did not answer: ${error.message}`, retryable: true } };
  }
  return { error: { message: error instanceof Error ? error.message : String(error), retryable: false } };
}

const notFound = (id: string): MemoryToolError => ({
  error: { message: `No memory ${id} for this user`, status: 404, retryable: false },
});

/**
 * Runs a tool body, turning any failure into a {@link MemoryToolError}: the AI SDK hands the result
 * back to the model (as an error result, see `toModelOutput`), so the model can say that memory is
 * unavailable or fix its input, and the application's `generateText` never throws for it.
 */
async function guarded<T>(body: () => Promise<T>): Promise<T | MemoryToolError> {
  try {
    return await body();
  } catch (error) {
    return toolError(error);
  }
}

function isToolError(output: unknown): output is MemoryToolError {
  return typeof output === 'object' && output !== null && 'error' in output;
}

/** Error results go to the model marked as errors (`error-json`), the rest as JSON. */
function toModelOutput({ output }: { output: unknown }) {
  return isToolError(output)
    ? { type: 'error-json' as const, value: output.error as never }
    : { type: 'json' as const, value: output as never };
}

/**
 * A memory id derived from its owner, namespace and text: saving the same fact twice (a model
 * repeating itself, the AI SDK retrying a step) writes one memory, since the service takes a
 * re-posted id with the same content as done.
 */
async function contentId(scope: MemoryScope, text: string): Promise<string> {
  const data = new TextEncoder().encode(
    JSON.stringify([scope.ownerId, scope.namespace?.toLowerCase() ?? null, text.trim()]),
  );
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', data));
  return `ai-${Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The memory, if it belongs to the scope (owner, and namespace when bound). */
async function ownedMemory(client: AgentMemory, scope: MemoryScope, id: string) {
  try {
    const record = await client.getLongTermMemory(id);
    const sameOwner = record.ownerId === scope.ownerId;
    const sameNamespace =
      scope.namespace === undefined || record.namespace?.toLowerCase() === scope.namespace.toLowerCase();
    return sameOwner && sameNamespace ? record : undefined;
  } catch (error) {
    if (error instanceof AgentMemoryError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * The tools: `searchMemories`, `saveMemory`, `updateMemory`, `deleteMemory`, and, when the scope
 * names a session, `getSessionHistory`.
 */
export function createMemoryTools(client: AgentMemory, options: MemoryToolsOptions): ToolSet {
  const scope: MemoryScope = options;
  const maxResults = options.maxSearchResults ?? 10;
  const maxEvents = options.maxHistoryEvents ?? 50;
  const filter: MemoryFilterInput = {
    ownerId: { eq: scope.ownerId },
    ...(scope.namespace !== undefined ? { namespace: { eq: scope.namespace } } : {}),
  };

  const tools: ToolSet = {
    searchMemories: tool({
      description:
        "Search the user's long-term memories (facts, preferences, past conversations) by meaning and keywords. " +
        'Use it before answering when something the user said earlier may matter.',
      inputSchema: z.object({
        query: z.string().min(1).max(2_000).describe('What to look for, in a few words or a question'),
        limit: z
          .number()
          .int()
          .min(1)
          .max(maxResults)
          .optional()
          .describe(`At most ${maxResults}; default 5`),
        topics: topics.optional().describe('Only memories with one of these topics'),
      }),
      execute: ({ query, limit, topics: wanted }) =>
        guarded(async () => {
          const page = await client.searchLongTermMemory({
            text: query,
            limit: limit ?? Math.min(5, maxResults),
            includeScores: true,
            filter: wanted?.length ? { ...filter, topics: { in: wanted } } : filter,
          });
          return { memories: page.items.map(view) };
        }),
      toModelOutput,
    }),

    saveMemory: tool({
      description:
        'Save one fact or preference about the user to long-term memory, in a short self-contained sentence ' +
        '(e.g. "The user is vegetarian"). Saving the same sentence again does nothing.',
      inputSchema: z.object({
        text: z.string().min(1).max(2_000).describe('The fact, as a full sentence about the user'),
        topics: topics.optional(),
      }),
      execute: ({ text, topics: tags }) =>
        guarded(async () => {
          const id = await contentId(scope, text);
          const { created, errors } = await client.bulkCreateLongTermMemories({
            memories: [
              {
                id,
                text,
                ownerId: scope.ownerId,
                ...(scope.namespace !== undefined ? { namespace: scope.namespace } : {}),
                ...(scope.sessionId !== undefined ? { sessionId: scope.sessionId } : {}),
                ...(tags?.length ? { topics: tags } : {}),
              },
            ],
          });
          const failure = errors.find((e) => e.id === id);
          if (failure) {
            // The same sentence saved before with other topics: it is saved, which is what was asked.
            const existing = await ownedMemory(client, scope, id);
            if (existing?.text === text) return { saved: { id, text, alreadySaved: true } };
          }
          if (failure || !created.includes(id)) {
            return { error: { message: failure?.error ?? 'The memory was not saved', retryable: false } };
          }
          return { saved: { id, text } };
        }),
      toModelOutput,
    }),

    updateMemory: tool({
      description:
        'Correct a memory that is wrong or out of date (find its id with searchMemories first). Give the new text, new topics, or both.',
      inputSchema: z
        .object({
          memoryId,
          text: z.string().min(1).max(2_000).optional().describe('The corrected sentence'),
          topics: topics.optional(),
        })
        .refine((input) => input.text !== undefined || input.topics !== undefined, {
          message: 'give text, topics or both',
        }),
      execute: ({ memoryId: id, text, topics: tags }) =>
        guarded(async () => {
          if (!(await ownedMemory(client, scope, id))) return notFound(id);
          const updated = await client.updateLongTermMemory(id, {
            ...(text !== undefined ? { text } : {}),
            ...(tags !== undefined ? { topics: tags } : {}),
          });
          return { updated: view(updated) };
        }),
      toModelOutput,
    }),

    deleteMemory: tool({
      description:
        'Delete a memory the user asked to forget or that is no longer true (find its id with searchMemories first).',
      inputSchema: z.object({ memoryId }),
      execute: ({ memoryId: id }) =>
        guarded(async () => {
          if (!(await ownedMemory(client, scope, id))) return notFound(id);
          const { deleted, errors } = await client.bulkDeleteLongTermMemories({ memoryIds: [id] });
          if (!deleted.includes(id)) {
            return { error: { message: errors[0]?.error ?? 'The memory was not deleted', retryable: false } };
          }
          return { deleted: id };
        }),
      toModelOutput,
    }),
  };

  const sessionId = scope.sessionId;
  if (sessionId !== undefined) {
    tools.getSessionHistory = tool({
      description:
        "Read this conversation's earlier messages (and its summary, when older ones were summarized), newest last.",
      inputSchema: z.object({
        limit: z
          .number()
          .int()
          .min(1)
          .max(maxEvents)
          .optional()
          .describe(`Newest messages to read; default 20`),
      }),
      execute: ({ limit }) =>
        guarded(async () => {
          let session: Awaited<ReturnType<AgentMemory['getSessionMemory']>>;
          try {
            session = await client.getSessionMemory(sessionId);
          } catch (error) {
            // A conversation with nothing recorded yet has no session: an empty history, not an error.
            if (error instanceof AgentMemoryError && error.status === 404) return { events: [], omitted: 0 };
            throw error;
          }
          if (session.ownerId !== scope.ownerId) return { events: [], omitted: 0 };
          const kept = session.events.slice(-(limit ?? Math.min(20, maxEvents)));
          return {
            ...(session.summary ? { summary: session.summary.text } : {}),
            events: kept.map((event) => ({
              role: event.role,
              text: event.content.map((part) => part.text).join('\n'),
              createdAt: event.createdAt,
            })),
            omitted: session.events.length - kept.length,
          };
        }),
      toModelOutput,
    });
  }
  return tools;
}
