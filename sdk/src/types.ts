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
/** An operation's query parameters, with `"true" | "false"` taken as `boolean`. */
type QueryOf<Op extends keyof operations> = {
  [K in keyof NonNullable<operations[Op]['parameters']['query']>]: NonNullable<
    NonNullable<operations[Op]['parameters']['query']>[K]
  > extends 'true' | 'false'
    ? boolean
    : NonNullable<operations[Op]['parameters']['query']>[K];
};

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
export type UpdateMemoryFieldsRequest = Schemas['UpdateLongTermMemoryFieldsRequest'];

// ---- memory prompt (extension) ----
export type PromptMessage = Schemas['PromptMessage'];
export type MemoryPromptRequest = Schemas['MemoryPromptRequest'];
export type MemoryPromptResponse = Schemas['MemoryPromptResponse'];

// ---- errors ----
export type FieldError = Schemas['FieldError'];
export type ProblemBody = Schemas['Problem'];
