import type { components, operations } from './generated/openapi.js';

/**
 * Friendly names of the wire types. Nothing here is written by hand: each name points at a schema
 * or an operation of `generated/openapi.ts`, which `npm run openapi` generates from the service's
 * zod contracts (through openapi/openapi.json). One adjustment is made, for inputs: query
 * booleans are `boolean` (the wire's `"true" | "false"`).
 */

type Schemas = components['schemas'];
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
/** The JSON body of an operation's success answer. */
type Answer<Op extends keyof operations, Status extends keyof operations[Op]['responses']> = JsonOf<
  operations[Op]['responses'][Status]
>;
/** The JSON request body of an operation. */
type BodyOf<Op extends keyof operations> = operations[Op] extends { requestBody?: infer R }
  ? JsonOf<NonNullable<R>>
  : never;
/** An operation's query parameters, with `"true" | "false"` taken as `boolean`. */
type QueryOf<Op extends keyof operations> = {
  [K in keyof NonNullable<operations[Op]['parameters']['query']>]: NonNullable<
    NonNullable<operations[Op]['parameters']['query']>[K]
  > extends 'true' | 'false'
    ? boolean
    : NonNullable<operations[Op]['parameters']['query']>[K];
};

/** An operation's JSON request body. */
type RequestOf<Op extends keyof operations> = operations[Op] extends { requestBody?: infer R }
  ? JsonOf<R>
  : never;

// ---- health ----
export type HealthResponse = Answer<'Health', 200>;
export type StoreHealth = Answer<'StoreHealth', 200>;

// ---- session memory ----
export type MessageRole = Schemas['MessageRole'];
export type ContentPart = Schemas['ContentPart'];
export type AddSessionEventRequest = Schemas['AddSessionEventRequest'];
export type SessionEvent = Schemas['SessionEvent'];
export type AddSessionEventResponse = Schemas['AddSessionEventResponse'];
/** November family: a new session's generated id and its first event. */
export type CreateSessionResponse = Answer<'CreateSession', 201>;
export type GetSessionEventResponse = Answer<'GetSessionEvent', 200>;
export type SessionSummary = Schemas['SessionSummary'];
export type SessionMemory = Schemas['SessionMemory'];
export type GetSessionMemoryQuery = QueryOf<'GetSessionMemory'>;
export type ListSessionsQuery = QueryOf<'ListSessions'>;
export type ListSessionsResponse = Schemas['ListSessionsResponse'];
export type ListSessionSummariesQuery = QueryOf<'ListSessionSummaries'>;
export type SessionListItem = Schemas['SessionListItem'];
export type ListSessionSummariesResponse = Schemas['ListSessionSummariesResponse'];
export type PromotionStatus = Schemas['PromotionStatus'];
export type PromoteSessionNowResponse = Schemas['PromoteSessionNowResponse'];
export type RetryParkedRangesResponse = Schemas['RetryParkedRangesResponse'];

// ---- erasure ----
/** An owner erasure job: EraseOwner's 202 answer and GetErasure's. */
export type ErasureResponse = Answer<'GetErasure', 200>;

// ---- long-term memory ----
export type CreateMemoryRecord = Schemas['CreateMemoryRecord'];
export type MemoryRecord = Schemas['MemoryRecord'];
export type BulkCreateRequest = Schemas['BulkCreateLongTermMemoriesRequest'];
export type BulkCreateResponse = Schemas['BulkCreateLongTermMemoriesResponse'];
export type BulkItemError = BulkCreateResponse['errors'][number];
export type BulkDeleteRequest = Schemas['BulkDeleteLongTermMemoriesRequest'];
export type BulkDeleteResponse = Schemas['BulkDeleteLongTermMemoriesResponse'];
export type MemoryFilter = Schemas['MemoryFilter'];
export type TagFilter = NonNullable<MemoryFilter['ownerId']>;
export type CreatedAtFilter = NonNullable<MemoryFilter['createdAt']>;
export type AttributeClause = Schemas['AttributeClause'];
export type SearchMode = Schemas['SearchMode'];
export type Recency = Schemas['Recency'];
export type SearchRequest = Schemas['SearchLongTermMemoryRequest'];
export type SearchResponse = Schemas['SearchLongTermMemoryResponse'];
export type UpdateMemoryRequest = Schemas['UpdateLongTermMemoryRequest'];
export type MemorySourcesQuery = QueryOf<'GetLongTermMemorySources'>;
export type MemorySourcesResponse = Answer<'GetLongTermMemorySources', 200>;
export type MemorySource = MemorySourcesResponse['sources'][number];
export type UpdateMemoryFieldsRequest = Schemas['UpdateLongTermMemoryFieldsRequest'];

export type MoveLongTermMemoriesRequest = BodyOf<'MoveLongTermMemories'>;
export type MoveLongTermMemoriesResponse = Answer<'MoveLongTermMemories', 200>;
export type NamespaceRef = NonNullable<MemoryRecord['namespaceRef']>;

// ---- namespaces ----
export type CreateNamespaceRequest = BodyOf<'CreateNamespace'>;
export type NamespaceResponse = Answer<'GetNamespace', 200>;
export type Namespace = NamespaceResponse['namespace'];
export type ListNamespacesQuery = QueryOf<'ListNamespaces'>;
export type ListNamespacesResponse = Answer<'ListNamespaces', 200>;
export type UpdateNamespaceRequest = BodyOf<'UpdateNamespace'>;

// ---- memory prompt (extension) ----
export type PromptMessage = Schemas['PromptMessage'];
export type MemoryPromptRequest = Schemas['MemoryPromptRequest'];
export type MemoryPromptResponse = Schemas['MemoryPromptResponse'];

// ---- summary views (extension; decision record 0020) ----
export type CreateSummaryViewRequest = BodyOf<'CreateSummaryView'>;
export type UpdateSummaryViewRequest = BodyOf<'UpdateSummaryView'>;
export type RefreshSummaryViewRequest = BodyOf<'RefreshSummaryView'>;
export type SummaryView = Answer<'GetSummaryView', 200>;
export type ListSummaryViewsQuery = QueryOf<'ListSummaryViews'>;
export type ListSummaryViewsResponse = Answer<'ListSummaryViews', 200>;
export type ViewPartition = Answer<'GetSummaryViewResult', 200>;
/** The group values of one partition: exactly the view's `groupBy` fields. */
export type ViewGroup = QueryOf<'GetSummaryViewResult'>;
export type ListViewPartitionsQuery = QueryOf<'ListSummaryViewPartitions'>;
export type ListViewPartitionsResponse = Answer<'ListSummaryViewPartitions', 200>;
export type RefreshSummaryViewResponse = Answer<'RefreshSummaryView', 202>;

// ---- errors ----
export type FieldError = Schemas['FieldError'];
export type ProblemBody = Schemas['Problem'];

// ---- documents (extension: document ingestion) ----
export type SubmitDocumentRequest = RequestOf<'SubmitDocument'>;
export type SubmitDocumentResponse = Answer<'SubmitDocument', 202>;
export type DocumentStatus = Answer<'GetDocument', 200>;
export type DeleteDocumentResponse = Answer<'DeleteDocument', 200>;
