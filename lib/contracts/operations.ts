import type * as z from 'zod';
import { healthResponseSchema, storeHealthResponseSchema, storePathSchema } from './common.js';
import {
  bulkCreateRequestDocumentedSchema,
  bulkCreateResponseSchema,
  bulkDeleteRequestDocumentedSchema,
  bulkDeleteResponseSchema,
  memoryPathSchema,
  memoryRecordSchema,
  searchRequestSchema,
  searchResponseSchema,
  updateMemoryFieldsRequestSchema,
  updateMemoryRequestSchema,
} from './long-term-memory.js';
import { jsonRpcRequestSchema, jsonRpcResponseSchema } from './mcp.js';
import { memoryPromptRequestSchema, memoryPromptResponseSchema } from './memory-prompt.js';
import {
  addSessionEventHeadersSchema,
  addSessionEventRequestSchema,
  addSessionEventResponseSchema,
  appendSessionEventRequestSchema,
  createSessionRequestSchema,
  createSessionResponseSchema,
  getSessionEventResponseSchema,
  getSessionMemoryQuerySchema,
  listSessionSummariesQuerySchema,
  listSessionSummariesResponseSchema,
  listSessionsQuerySchema,
  listSessionsResponseSchema,
  promoteNowResponseSchema,
  promotionStatusSchema,
  retryParkedResponseSchema,
  sessionEventPathSchema,
  sessionMemorySchema,
  sessionPathSchema,
} from './session-memory.js';

/**
 * What each data-plane route takes and answers, by its name in `functions/catalog.ts` (which
 * holds method, path and required grant). The schemas are the ones the handlers parse with, so
 * the OpenAPI document (`npm run openapi`) and the SDK's types generated from it cannot drift
 * from what the service accepts; an end-to-end test checks every success body against `response`.
 */
export interface OperationContract {
  /** The reference's operationId where the reference has the operation. */
  readonly operationId: string;
  /**
   * The operationId of the route's November alias (`/iris/data/v1/agent-memory/…`, functions/
   * catalog.ts `irisAliasOf`) where the published document names it; default `Iris<operationId>`.
   */
  readonly irisOperationId?: string;
  readonly summary: string;
  readonly description?: string;
  /** Not in the managed API: our opt-in extensions. */
  readonly extension?: boolean;
  readonly pathParameters?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly headers?: z.ZodObject;
  readonly body?: z.ZodType;
  /** Search takes an empty body as "list everything"; the others need one. */
  readonly bodyRequired?: boolean;
  readonly status: number;
  /** Absent for 204. */
  readonly response?: z.ZodType;
  /** Error statuses this operation can answer besides the ones every authenticated route can. */
  readonly errors: readonly number[];
}

const contracts = {
  health: {
    operationId: 'Health',
    // The one operationId of the November document that could be read (landscape-2026-12 §1.2).
    irisOperationId: 'GetServiceLiveness',
    summary: 'Liveness of the API (no key needed)',
    status: 200,
    response: healthResponseSchema,
    errors: [],
  },
  'store-health': {
    operationId: 'StoreHealth',
    summary: 'Whether the store answers',
    pathParameters: storePathSchema,
    status: 200,
    response: storeHealthResponseSchema,
    errors: [404],
  },
  'add-session-event': {
    operationId: 'AddSessionEvent',
    summary: 'Append an event to a session (creates the session when new)',
    description:
      'Without `sessionId` a new session is started and its id returned in the event. Refreshes the ' +
      "session's TTL and schedules promotion to long-term memory. With an `Idempotency-Key` header " +
      '(extension) a retried request returns the event stored the first time.',
    pathParameters: storePathSchema,
    headers: addSessionEventHeadersSchema,
    body: addSessionEventRequestSchema,
    bodyRequired: true,
    status: 201,
    response: addSessionEventResponseSchema,
    errors: [404, 409, 413],
  },
  'append-session-event': {
    operationId: 'AppendSessionEvent',
    summary: 'Append an event to the session named in the path (creates the session when new)',
    description:
      "November path family. The body is AddSessionEvent's; its `sessionId` may be left out, and one " +
      "that differs from the path's is a 400 naming `sessionId`. Idempotency-Key as on AddSessionEvent.",
    pathParameters: sessionPathSchema,
    headers: addSessionEventHeadersSchema,
    body: appendSessionEventRequestSchema,
    bodyRequired: true,
    status: 201,
    response: addSessionEventResponseSchema,
    errors: [404, 409, 413],
  },
  'create-session': {
    operationId: 'CreateSession',
    summary: 'Start a session with its first event; the server generates the session id',
    description:
      'November path family. Answers the new `sessionId` and the stored event. A `sessionId` in the ' +
      'body is a 400 naming it. With an Idempotency-Key, a retry answers the same session and event.',
    pathParameters: storePathSchema,
    headers: addSessionEventHeadersSchema,
    body: createSessionRequestSchema,
    bodyRequired: true,
    status: 201,
    response: createSessionResponseSchema,
    errors: [404, 409, 413],
  },
  'list-sessions': {
    operationId: 'ListSessions',
    summary: 'Session ids, in creation order, paged',
    description: 'Give exactly one of `filterOwnerId` or `includeAll=true`.',
    pathParameters: storePathSchema,
    query: listSessionsQuerySchema,
    status: 200,
    response: listSessionsResponseSchema,
    errors: [404],
  },
  'get-session-memory': {
    operationId: 'GetSessionMemory',
    summary: "A session's events and running summary",
    description:
      'Once a summary exists, the events it covers are left out unless `includeSummarisedEvents=true`.',
    pathParameters: sessionPathSchema,
    query: getSessionMemoryQuerySchema,
    status: 200,
    response: sessionMemorySchema,
    errors: [404],
  },
  'delete-session-memory': {
    operationId: 'DeleteSessionMemory',
    summary: 'Delete a session and its events',
    pathParameters: sessionPathSchema,
    status: 204,
    errors: [404],
  },
  'get-session-event': {
    operationId: 'GetSessionEvent',
    summary: 'One event of a session',
    pathParameters: sessionEventPathSchema,
    status: 200,
    response: getSessionEventResponseSchema,
    errors: [404],
  },
  'delete-session-event': {
    operationId: 'DeleteSessionEvent',
    summary: 'Delete one event of a session',
    pathParameters: sessionEventPathSchema,
    status: 204,
    errors: [404],
  },
  'get-promotion-status': {
    operationId: 'GetPromotionStatus',
    summary: 'How far extraction to long-term memory has got for a session',
    extension: true,
    pathParameters: sessionPathSchema,
    status: 200,
    response: promotionStatusSchema,
    errors: [404],
  },
  'promote-session-now': {
    operationId: 'PromoteSessionNow',
    summary: "Extract a session's pending events to long-term memory now",
    description:
      "Instead of waiting for the end of the extraction window (the store's cadence): for an agent " +
      'closing a conversation. Sends a job only when events are pending (`queued`); follow it with ' +
      'GetPromotionStatus.',
    extension: true,
    pathParameters: sessionPathSchema,
    status: 202,
    response: promoteNowResponseSchema,
    errors: [404],
  },
  'retry-parked-ranges': {
    operationId: 'RetryParkedRanges',
    summary: "Extract a session's parked ranges again",
    description:
      'A batch the model failed to extract several runs in a row is parked (skipped, listed in ' +
      '`parkedRanges` of GetPromotionStatus) so later turns still promote. After fixing the cause, ' +
      'this marks every parked range for retry and sends a job (`queued`); each retry counts against ' +
      "the store's extraction budget.",
    extension: true,
    pathParameters: sessionPathSchema,
    status: 202,
    response: retryParkedResponseSchema,
    errors: [404],
  },
  'list-session-summaries': {
    operationId: 'ListSessionSummaries',
    summary: 'Session rows (owner, namespace, timestamps), sortable, paged',
    description: 'Give exactly one of `filterOwnerId` or `includeAll=true`.',
    pathParameters: storePathSchema,
    query: listSessionSummariesQuerySchema.in,
    status: 200,
    response: listSessionSummariesResponseSchema,
    errors: [404],
  },
  'bulk-create-memories': {
    operationId: 'BulkCreateLongTermMemories',
    summary: 'Create up to 100 long-term memories (partial success)',
    description:
      'Each item succeeds or fails on its own (`errors`). Re-posting an id with the same content ' +
      'succeeds without duplicating; with other content it is an error (use PATCH). Direct writes ' +
      'skip extraction and exclusions and are searchable on return.',
    pathParameters: storePathSchema,
    body: bulkCreateRequestDocumentedSchema,
    bodyRequired: true,
    status: 201,
    response: bulkCreateResponseSchema,
    errors: [404, 409, 413],
  },
  'bulk-delete-memories': {
    operationId: 'BulkDeleteLongTermMemories',
    summary: 'Delete up to 100 long-term memories (partial success)',
    pathParameters: storePathSchema,
    body: bulkDeleteRequestDocumentedSchema,
    bodyRequired: true,
    status: 200,
    response: bulkDeleteResponseSchema,
    errors: [404, 413],
  },
  'search-memories': {
    operationId: 'SearchLongTermMemory',
    summary: 'Search long-term memories by meaning, keywords, filters and recency',
    description:
      'With `text`: ranked by `searchMode` (default hybrid). Without: a filter-only listing in ' +
      'creation order. `searchMode`, `includeScores` and `recency` are extensions.',
    pathParameters: storePathSchema,
    body: searchRequestSchema,
    status: 200,
    response: searchResponseSchema,
    errors: [404, 409, 413],
  },
  'get-memory': {
    operationId: 'GetLongTermMemory',
    summary: 'One long-term memory',
    pathParameters: memoryPathSchema,
    status: 200,
    response: memoryRecordSchema,
    errors: [404],
  },
  'update-memory': {
    operationId: 'UpdateLongTermMemory',
    summary: 'Change the text, type, topics, owner, namespace or session of a memory',
    pathParameters: memoryPathSchema,
    body: updateMemoryRequestSchema,
    bodyRequired: true,
    status: 200,
    response: memoryRecordSchema,
    errors: [404, 409, 413],
  },
  'update-memory-fields': {
    operationId: 'UpdateLongTermMemoryFields',
    summary: "Set a custom-typed memory's attributes (compare-and-set on its type)",
    pathParameters: memoryPathSchema,
    body: updateMemoryFieldsRequestSchema,
    bodyRequired: true,
    status: 200,
    response: memoryRecordSchema,
    errors: [404, 409, 413],
  },
  'memory-prompt': {
    operationId: 'MemoryPrompt',
    summary: 'LLM-ready messages for a query: session summary, recent events, relevant memories',
    description:
      'One call, within `tokenBudget` (estimated tokens, never exceeded): a system message with the ' +
      "session summary and the long-term memories most relevant to `query` (the session owner's by " +
      'default), the newest events that fit, oldest first, then the query as the last user message.',
    extension: true,
    pathParameters: storePathSchema,
    body: memoryPromptRequestSchema,
    bodyRequired: true,
    status: 200,
    response: memoryPromptResponseSchema,
    errors: [404, 409, 413],
  },
  mcp: {
    operationId: 'Mcp',
    summary: 'Model Context Protocol endpoint (Streamable HTTP, stateless, JSON answers)',
    description:
      'JSON-RPC 2.0 over POST with `Accept: application/json, text/event-stream`: `initialize`, ' +
      '`tools/list`, `tools/call` (add_session_event, get_session_memory, search_long_term_memory, ' +
      'create_long_term_memories, get_long_term_memory, delete_long_term_memories, memory_prompt). ' +
      'Write tools need a key with `write`. Notifications are answered 202; GET and DELETE 405.',
    extension: true,
    pathParameters: storePathSchema,
    body: jsonRpcRequestSchema,
    bodyRequired: true,
    status: 200,
    response: jsonRpcResponseSchema,
    errors: [406, 413],
  },
} satisfies Record<string, OperationContract>;

export type DataPlaneRouteName = keyof typeof contracts;
export const operationContracts: Readonly<Record<DataPlaneRouteName, OperationContract>> = contracts;

/** The contract of a catalog route, or undefined when it has none (a test requires one for each). */
export function operationContractOf(routeName: string): OperationContract | undefined {
  return Object.hasOwn(operationContracts, routeName)
    ? operationContracts[routeName as DataPlaneRouteName]
    : undefined;
}
