import * as z from 'zod';
import { idSchema } from './common.js';
import { MEMORY_TEXT_MAX, memoryFilterSchema, recencySchema, searchModeSchema } from './long-term-memory.js';

/**
 * Wire types of the memory-prompt extension (`POST /v1/stores/{storeId}/memory-prompt`): one call
 * that returns LLM-ready messages (the session summary, the recent events and the long-term
 * memories relevant to a query) within a token budget. Modelled on the open-source Redis
 * agent-memory-server's `memory_prompt`, in this API's own names.
 */

export const MEMORY_PROMPT_LIMITS = {
  /** About a third of an 8k-context model's window: room for the answer and the agent's own prompt. */
  tokenBudgetDefault: 4_000,
  /** Below this even a short query and one memory hardly fit (the overheads alone are ~15 tokens). */
  tokenBudgetMin: 256,
  /**
   * Caps the answer: 100k estimated tokens is at most ~400k ASCII characters, far under Lambda's
   * 6 MB response limit even with JSON escaping.
   */
  tokenBudgetMax: 100_000,
  longTermLimitDefault: 10,
  longTermLimitMax: 50,
} as const;

const L = MEMORY_PROMPT_LIMITS;

/**
 * The request. Strict: unlike the reference routes (which ignore unknown fields for compatibility),
 * this extension has no older clients to tolerate, and a silently ignored field (`limit` for
 * `longTermLimit`, a search `filterOp`) would change what the caller gets without telling them.
 */
export const memoryPromptRequestSchema = z
  .object({
    /** The user's current message: searched in long-term memory and appended as the last message. */
    query: z
      .string()
      .min(1, 'must not be empty')
      .max(MEMORY_TEXT_MAX, `must be at most ${MEMORY_TEXT_MAX} characters`)
      .refine((text) => text.trim().length > 0, { message: 'must not be blank' }),
    /** The session whose summary and recent events to include; 404 when it does not exist. */
    sessionId: idSchema.optional(),
    /**
     * Whose long-term memories to search (`filter.ownerId.eq`). Default: the session's owner when a
     * session is given, else every owner of the store (as search without a filter).
     */
    ownerId: idSchema.optional(),
    /** Narrows the long-term search to a namespace (`filter.namespace.eq`); no default. */
    namespace: idSchema.optional(),
    /**
     * A summary view whose partition for this request goes first in the system message, as a
     * delimited data block (decision record 0020). The partition is picked by the view's `groupBy`
     * from the request: `ownerId` (the owner as above), `namespace`, `sessionId`; a view grouped by
     * `memoryType` cannot be picked (400).
     */
    summaryViewId: idSchema.optional(),
    tokenBudget: z
      .number()
      .int('must be an integer')
      .min(L.tokenBudgetMin, `must be between ${L.tokenBudgetMin} and ${L.tokenBudgetMax}`)
      .max(L.tokenBudgetMax, `must be between ${L.tokenBudgetMin} and ${L.tokenBudgetMax}`)
      .default(L.tokenBudgetDefault),
    /** Most long-term memories to search for (all of them are included only if they fit). */
    longTermLimit: z
      .number()
      .int('must be an integer')
      .min(1, `must be between 1 and ${L.longTermLimitMax}`)
      .max(L.longTermLimitMax, `must be between 1 and ${L.longTermLimitMax}`)
      .default(L.longTermLimitDefault),
    /** As in search; the fields combine with `all` (there is no `filterOp`). */
    filter: memoryFilterSchema.optional(),
    searchMode: searchModeSchema.optional(),
    similarityThreshold: z.number().min(0).max(1).optional(),
    recency: recencySchema.optional(),
  })
  .strict()
  .superRefine((request, ctx) => {
    if (request.ownerId !== undefined && request.filter?.ownerId !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['ownerId'],
        message: 'must not be combined with filter.ownerId',
      });
    }
    if (request.namespace !== undefined && request.filter?.namespace !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['namespace'],
        message: 'must not be combined with filter.namespace',
      });
    }
  });
export type MemoryPromptRequest = z.output<typeof memoryPromptRequestSchema>;
/** What a client sends (defaults not applied yet). */
export type MemoryPromptRequestInput = z.input<typeof memoryPromptRequestSchema>;

/** The common chat-message shape (OpenAI, Bedrock Converse after mapping, MCP prompts). */
export const promptMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});
export type PromptMessage = z.infer<typeof promptMessageSchema>;

const count = z.number().int().min(0);

export const memoryPromptResponseSchema = z
  .object({
    /**
     * A system message with the session summary and the long-term memories (left out when there is
     * neither), the session's most recent events oldest first, then the query as the last user message.
     */
    messages: z.array(promptMessageSchema).min(1),
    /** Ids of the long-term memories in the system message, most relevant first. */
    memoryIds: z.array(z.string()),
    /** Memories the search found that did not fit the budget. */
    memoriesOmitted: count,
    /** Present when the request named a session. */
    session: z
      .object({
        sessionId: z.string(),
        ownerId: z.string(),
        /** `none`: the session has no summary; `omitted`: it has one that did not fit. */
        summary: z.enum(['included', 'omitted', 'none']),
        eventsIncluded: count,
        /** The oldest events, left out for the budget (events without text are never rendered). */
        eventsOmitted: count,
      })
      .strict()
      .optional(),
    /** Present when the request named a summary view. */
    summaryView: z
      .object({
        viewId: z.string(),
        /** Absent when the view has no partition for these group values yet. */
        partitionId: z.string().optional(),
        /** The partition's state (a `stale` result is still included). */
        state: z.enum(['pending', 'ready', 'failed', 'stale']).optional(),
        /** `none`: no result to include (no partition, or never computed); `omitted`: it did not fit. */
        result: z.enum(['included', 'omitted', 'none']),
      })
      .strict()
      .optional(),
    /** Whose long-term memories were searched; absent when every owner of the store was. */
    ownerId: z.string().optional(),
    usage: z
      .object({
        /** Estimated prompt tokens of `messages` (lib/domain/memory-prompt.ts), never above the budget. */
        estimatedTokens: count,
        tokenBudget: count,
      })
      .strict(),
    /** Whether anything found (summary, events, memories) was left out to fit the budget. */
    truncated: z.boolean(),
  })
  .strict();
export type MemoryPromptResponse = z.infer<typeof memoryPromptResponseSchema>;
