import type * as z from 'zod';
import { healthResponseSchema, storeHealthResponseSchema, storePathSchema } from './common.js';
import {
  deleteDocumentResponseSchema,
  documentPathSchema,
  documentStatusSchema,
  submitDocumentRequestSchema,
  submitDocumentResponseSchema,
} from './documents.js';
import { erasurePathSchema, erasureResponseSchema, ownerPathSchema } from './erasure.js';
import {
  exportLineSchema,
  exportQuerySchema,
  IMPORT_LINES_MAX,
  importResponseSchema,
} from './export-import.js';
import {
  bulkCreateHeadersSchema,
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
  createNamespaceRequestSchema,
  listNamespacesQuerySchema,
  listNamespacesResponseSchema,
  moveMemoriesRequestDocumentedSchema,
  moveMemoriesResponseSchema,
  namespacePathParamsSchema,
  namespaceResponseSchema,
  updateNamespaceRequestSchema,
} from './namespaces.js';
import {
  memorySourcesPathSchema,
  memorySourcesQuerySchema,
  memorySourcesResponseSchema,
} from './provenance.js';
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
import {
  createSummaryViewRequestSchema,
  getPartitionQuerySchema,
  listPartitionsQuerySchema,
  listPartitionsResponseSchema,
  listSummaryViewsQuerySchema,
  listSummaryViewsResponseSchema,
  refreshViewRequestSchema,
  refreshViewResponseSchema,
  summaryViewPathSchema,
  summaryViewSchema,
  updateSummaryViewRequestSchema,
  viewPartitionSchema,
} from './summary-views.js';

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
  /** Media type of the request body, when not JSON (the body schema then describes one NDJSON line). */
  readonly bodyMediaType?: string;
  /** Media type of the answer, when not JSON (the response schema then describes one NDJSON line). */
  readonly mediaType?: string;
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
  'erase-owner': {
    operationId: 'EraseOwner',
    summary: 'Erase everything of one owner in a store',
    description:
      "Starts an erasure job (202): the owner's sessions and events, long-term memories and " +
      'conversation records, every index entry (vector, keyword, listings), promotion state and ' +
      "idempotency records. Until it has finished, the owner's appends and long-term creates answer " +
      '409. Asking again while it runs answers the same job. Follow it with GetErasure; a job that ' +
      'fails part-way resumes from its last batch on the maintenance schedule.',
    extension: true,
    pathParameters: ownerPathSchema,
    status: 202,
    response: erasureResponseSchema,
    errors: [404],
  },
  'get-erasure': {
    operationId: 'GetErasure',
    summary: 'How far an owner erasure has got',
    description:
      '`state` is RUNNING until nothing of the owner is left, then SUCCEEDED; `ownerId` is dropped ' +
      'from the job when it succeeds. Finished jobs are kept for 30 days.',
    extension: true,
    pathParameters: erasurePathSchema,
    status: 200,
    response: erasureResponseSchema,
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
  'create-summary-view': {
    operationId: 'CreateSummaryView',
    summary: 'Create a summary view of long-term memory',
    description:
      'A materialized summary of long-term memory, one result per combination of the `groupBy` values ' +
      "(a partition). The view's `ownerId` is the calling key's principal; `private` views are visible " +
      "to that principal's keys only. Records written by document ingestion are never summarized.",
    pathParameters: storePathSchema,
    body: createSummaryViewRequestSchema,
    bodyRequired: true,
    status: 201,
    response: summaryViewSchema,
    errors: [404, 409],
  },
  'list-summary-views': {
    operationId: 'ListSummaryViews',
    summary: 'The summary views the calling key may see, paged',
    pathParameters: storePathSchema,
    query: listSummaryViewsQuerySchema,
    status: 200,
    response: listSummaryViewsResponseSchema,
    errors: [404],
  },
  'get-summary-view': {
    operationId: 'GetSummaryView',
    summary: "A summary view's definition",
    pathParameters: summaryViewPathSchema,
    status: 200,
    response: summaryViewSchema,
    errors: [404],
  },
  'update-summary-view': {
    operationId: 'UpdateSummaryView',
    summary: 'Change a summary view (not its grouping)',
    description:
      'A change of filters, output or instructions makes every partition `stale` until refreshed; a ' +
      'continuous view is refreshed at once.',
    pathParameters: summaryViewPathSchema,
    body: updateSummaryViewRequestSchema,
    bodyRequired: true,
    status: 200,
    response: summaryViewSchema,
    errors: [404],
  },
  'delete-summary-view': {
    operationId: 'DeleteSummaryView',
    summary: 'Delete a summary view and its results (never memories)',
    pathParameters: summaryViewPathSchema,
    status: 204,
    errors: [404],
  },
  'list-view-partitions': {
    operationId: 'ListSummaryViewPartitions',
    summary: "A summary view's partitions with their results, paged",
    pathParameters: summaryViewPathSchema,
    query: listPartitionsQuerySchema,
    status: 200,
    response: listPartitionsResponseSchema,
    errors: [404],
  },
  'get-view-partition': {
    operationId: 'GetSummaryViewResult',
    summary: "One partition's result, by its group values",
    description:
      "Give exactly the view's `groupBy` fields as query parameters (none for an ungrouped view). " +
      '`state` is `pending` until the first refresh, `stale` when memories changed since ' +
      '(`coverage.newerCount`), `failed` with `error` when the last refresh failed.',
    pathParameters: summaryViewPathSchema,
    query: getPartitionQuerySchema,
    status: 200,
    response: viewPartitionSchema,
    errors: [404],
  },
  'refresh-summary-view': {
    operationId: 'RefreshSummaryView',
    summary: 'Queue a refresh of one partition (`group`) or of every partition',
    description:
      "Asynchronous: poll the partition's state. A refresh without `group` also finds partitions not " +
      "seen yet. Model tokens count against the store's extraction budget.",
    pathParameters: summaryViewPathSchema,
    body: refreshViewRequestSchema,
    status: 202,
    response: refreshViewResponseSchema,
    errors: [404, 409],
  },
  'bulk-create-memories': {
    operationId: 'BulkCreateLongTermMemories',
    summary: 'Create up to 100 long-term memories (partial success)',
    description:
      'Each item succeeds or fails on its own (`errors`). Re-posting an id with the same content ' +
      'succeeds without duplicating; with other content it is an error (use PATCH). Direct writes ' +
      'skip extraction and exclusions and are searchable on return. With an `Idempotency-Key` ' +
      'header (extension) a retry with the same body answers what the first request answered ' +
      '(kept 24 hours); another body under the same key is a 409.',
    pathParameters: storePathSchema,
    headers: bulkCreateHeadersSchema,
    body: bulkCreateRequestDocumentedSchema,
    bodyRequired: true,
    status: 201,
    response: bulkCreateResponseSchema,
    errors: [404, 409, 413],
  },
  'export-memories': {
    operationId: 'ExportLongTermMemories',
    summary: "One owner's or one namespace's long-term memories as NDJSON",
    description:
      'One line per record: the record as GetLongTermMemory answers it, plus `embeddingModel` (the ' +
      'id of the model its vector was made with); never the vector. Paged in creation order: the ' +
      "next page's token comes in the `Next-Page-Token` response header, absent on the last page. " +
      'With `namespace` alone a page reads `limit` records of the store and keeps those in the ' +
      'namespace, so it may hold fewer lines (even none) and still have a next page.',
    extension: true,
    pathParameters: storePathSchema,
    query: exportQuerySchema,
    status: 200,
    mediaType: 'application/x-ndjson',
    response: exportLineSchema,
    errors: [404],
  },
  'import-memories': {
    operationId: 'ImportLongTermMemories',
    summary: 'Import long-term memories from NDJSON (the export format)',
    description:
      `At most ${IMPORT_LINES_MAX} lines (and the API's 1 MiB body). Each line is a ` +
      'BulkCreateLongTermMemories item (export-only fields such as `createdAt` and `embeddingModel` ' +
      "are ignored): idempotent by id (the same content again succeeds, re-embedded with the store's " +
      "model; other content under an existing id is that line's error). Errors are reported per " +
      'line with its 1-based number.',
    extension: true,
    pathParameters: storePathSchema,
    body: exportLineSchema,
    bodyMediaType: 'application/x-ndjson',
    bodyRequired: true,
    status: 200,
    response: importResponseSchema,
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
  'move-memories': {
    operationId: 'MoveLongTermMemories',
    summary: 'File up to 100 long-term memories under a namespace (partial success)',
    description:
      'Each memory moves or fails on its own (`errors`); a missing namespace is 404 and an archived ' +
      'one 409 for the whole request. Search by the new `namespaceRef` finds them at once, by the old ' +
      'one no longer. A memory with a `namespace` label is refused (clear the label first).',
    pathParameters: storePathSchema,
    body: moveMemoriesRequestDocumentedSchema,
    bodyRequired: true,
    status: 200,
    response: moveMemoriesResponseSchema,
    errors: [404, 409, 413],
  },
  'create-namespace': {
    operationId: 'CreateNamespace',
    summary: 'Create a namespace (or the missing segments of a path)',
    description:
      'One of `{name, scope: "PERSONAL", ownerId}`, `{name, scope: "SHARED"}`, `{name, parentId}` or ' +
      '`{path, scope, ownerId?}`. A location already taken, even by an archived namespace, is 409.',
    pathParameters: storePathSchema,
    body: createNamespaceRequestSchema,
    bodyRequired: true,
    status: 201,
    response: namespaceResponseSchema,
    errors: [404, 409, 413],
  },
  'list-namespaces': {
    operationId: 'ListNamespaces',
    summary: 'Root namespaces of a scope (and owner), or the children of one, by name, paged',
    pathParameters: storePathSchema,
    query: listNamespacesQuerySchema,
    status: 200,
    response: listNamespacesResponseSchema,
    errors: [404],
  },
  'get-namespace': {
    operationId: 'GetNamespace',
    summary: 'One namespace, with its current path and state',
    pathParameters: namespacePathParamsSchema,
    status: 200,
    response: namespaceResponseSchema,
    errors: [404],
  },
  'update-namespace': {
    operationId: 'UpdateNamespace',
    summary: 'Rename (`name`) or archive (`state: "ARCHIVED"`) a namespace',
    description: 'There is no unarchive (409). An archived namespace refuses new writes and stays readable.',
    pathParameters: namespacePathParamsSchema,
    body: updateNamespaceRequestSchema,
    bodyRequired: true,
    status: 200,
    response: namespaceResponseSchema,
    errors: [404, 409, 413],
  },
  'delete-namespace': {
    operationId: 'DeleteNamespace',
    summary: 'Delete an empty leaf namespace (409 while it has children, memories or sessions)',
    pathParameters: namespacePathParamsSchema,
    status: 204,
    errors: [404, 409],
  },
  'get-memory': {
    operationId: 'GetLongTermMemory',
    summary: 'One long-term memory',
    pathParameters: memoryPathSchema,
    status: 200,
    response: memoryRecordSchema,
    errors: [404],
  },
  'get-memory-sources': {
    operationId: 'GetLongTermMemorySources',
    summary: 'Where a long-term memory came from: its sessions, events and documents, with evidence',
    description:
      "Each of the memory's `sourceRefs`, classified: `event` (an event of the memory's session: " +
      'its text from session memory while the event exists, else from its conversation record), ' +
      '`document` (`doc:<documentId>:<start>-<end>`; `unresolved` until document resolution is ' +
      'available) or `external` (any other reference, reported as written). Paged (`limit` 1-100, ' +
      'default 25); evidence text is cut at 8,192 characters (`textTruncated`).',
    extension: true,
    pathParameters: memorySourcesPathSchema,
    query: memorySourcesQuerySchema,
    status: 200,
    response: memorySourcesResponseSchema,
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
  'submit-document': {
    operationId: 'SubmitDocument',
    summary: 'Submit a text or Markdown document to be turned into long-term memories (MemoryETL)',
    description:
      "Answers 202 with the document's id; an SQS pipeline splits it by headings and paragraphs, " +
      "extracts memories with the extractor's memory type and instructions, de-duplicates them " +
      'against what the store holds and writes them with `sourceRefs` `doc:<documentId>:<start>-<end>` ' +
      '(character span of the chunk). The same text from the same owner is the same document: a ' +
      'resubmission answers its id (`duplicate: true`) and requeues it only when pending or failed ' +
      '(failed chunks are retried). `text` is at most 512 KiB of UTF-8 (413 above); an unknown ' +
      '`extractorId` is a 400.',
    extension: true,
    pathParameters: storePathSchema,
    body: submitDocumentRequestSchema,
    bodyRequired: true,
    status: 202,
    response: submitDocumentResponseSchema,
    errors: [404, 413],
  },
  'get-document': {
    operationId: 'GetDocument',
    summary: "A document's ingestion status: state, chunk and memory counts, tokens, per-chunk errors",
    extension: true,
    pathParameters: documentPathSchema,
    status: 200,
    response: documentStatusSchema,
    errors: [404],
  },
  'delete-document': {
    operationId: 'DeleteDocument',
    summary: 'Delete a document and the memories it wrote',
    description:
      'Its memories leave the records and both search indexes; memories that existed before and ' +
      'only gained the document as a source stay, without its references.',
    extension: true,
    pathParameters: documentPathSchema,
    status: 200,
    response: deleteDocumentResponseSchema,
    errors: [404],
  },
  mcp: {
    operationId: 'Mcp',
    summary: 'Model Context Protocol endpoint (Streamable HTTP, stateless, JSON answers)',
    description:
      'JSON-RPC 2.0 over POST with `Accept: application/json, text/event-stream`: `initialize`, ' +
      '`tools/list`, `tools/call` (add_session_event, get_session_memory, search_long_term_memory, ' +
      'create_long_term_memories, get_long_term_memory, get_memory_sources, delete_long_term_memories, ' +
      'move_long_term_memories, memory_prompt, get_summary_view, submit_document, get_document). ' +
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
