import type * as z from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { httpRoutes } from '../../functions/catalog.js';
import { fieldErrorSchema, problemSchema } from '../../lib/contracts/common.js';
import {
  attributeClauseSchema,
  bulkCreateRequestDocumentedSchema,
  bulkCreateResponseSchema,
  bulkDeleteRequestDocumentedSchema,
  bulkDeleteResponseSchema,
  createMemoryRecordSchema,
  memoryFilterSchema,
  memoryRecordSchema,
  recencySchema,
  searchModeSchema,
  searchRequestSchema,
  searchResponseSchema,
  updateMemoryFieldsRequestSchema,
  updateMemoryRequestSchema,
} from '../../lib/contracts/long-term-memory.js';
import {
  memoryPromptRequestSchema,
  memoryPromptResponseSchema,
  promptMessageSchema,
} from '../../lib/contracts/memory-prompt.js';
import { operationContractOf } from '../../lib/contracts/operations.js';
import {
  addSessionEventRequestSchema,
  addSessionEventResponseSchema,
  contentPartSchema,
  listSessionSummariesResponseSchema,
  listSessionsResponseSchema,
  messageRoleSchema,
  promoteNowResponseSchema,
  promotionStatusSchema,
  retryParkedResponseSchema,
  sessionEventSchema,
  sessionListItemSchema,
  sessionMemorySchema,
  sessionSummarySchema,
} from '../../lib/contracts/session-memory.js';
import { addOperation, createOpenDocument, problemResponse } from './operation-rendering.js';

/**
 * Schemas that become named components (`#/components/schemas/<Name>`): the names the SDK
 * re-exports as types. Everything else is inlined where it is used.
 */
const namedSchemas: Record<string, z.ZodType> = {
  MessageRole: messageRoleSchema,
  ContentPart: contentPartSchema,
  AddSessionEventRequest: addSessionEventRequestSchema,
  AddSessionEventResponse: addSessionEventResponseSchema,
  SessionEvent: sessionEventSchema,
  SessionSummary: sessionSummarySchema,
  SessionMemory: sessionMemorySchema,
  ListSessionsResponse: listSessionsResponseSchema,
  SessionListItem: sessionListItemSchema,
  ListSessionSummariesResponse: listSessionSummariesResponseSchema,
  PromotionStatus: promotionStatusSchema,
  CreateMemoryRecord: createMemoryRecordSchema,
  MemoryRecord: memoryRecordSchema,
  BulkCreateLongTermMemoriesRequest: bulkCreateRequestDocumentedSchema,
  BulkCreateLongTermMemoriesResponse: bulkCreateResponseSchema,
  BulkDeleteLongTermMemoriesRequest: bulkDeleteRequestDocumentedSchema,
  BulkDeleteLongTermMemoriesResponse: bulkDeleteResponseSchema,
  MemoryFilter: memoryFilterSchema,
  AttributeClause: attributeClauseSchema,
  SearchMode: searchModeSchema,
  Recency: recencySchema,
  SearchLongTermMemoryRequest: searchRequestSchema,
  SearchLongTermMemoryResponse: searchResponseSchema,
  MemoryPromptRequest: memoryPromptRequestSchema,
  MemoryPromptResponse: memoryPromptResponseSchema,
  PromptMessage: promptMessageSchema,
  PromoteSessionNowResponse: promoteNowResponseSchema,
  RetryParkedRangesResponse: retryParkedResponseSchema,
  UpdateLongTermMemoryRequest: updateMemoryRequestSchema,
  UpdateLongTermMemoryFieldsRequest: updateMemoryFieldsRequestSchema,
  FieldError: fieldErrorSchema,
  Problem: problemSchema,
};

/** Every authenticated route can answer these (authorizer, gateway throttling, dependencies). */
const COMMON_ERRORS = [400, 401, 403, 424, 429, 500] as const;

export const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `fields` names each bad field, the rule it broke and why',
  401: 'Missing, malformed, revoked or expired API key',
  403: 'The key has no grant on this store, or not the action this route needs',
  404: 'The store, session, event or memory does not exist (or has expired)',
  406: 'The `Accept` header does not allow `application/json` and `text/event-stream` (MCP)',
  409: 'Conflict with the current state (e.g. an embedding model change, a compare-and-set mismatch)',
  413: 'The body (or an item of it) exceeds a documented limit',
  424: 'A dependency (Redis, the embedding model) is unavailable; retry after `Retry-After` seconds',
  429: "Over the key's usage plan rate or quota; retry after `Retry-After` seconds",
  500: 'Unexpected error (nothing internal is disclosed)',
};

export const OPENAPI_VERSION_INFO = {
  title: 'Agent Memory API',
  version: '1.0.0',
  description:
    'Working memory (session events with a per-session TTL) and long-term memory (extracted or ' +
    'directly written facts, searchable by meaning, keywords, filters and recency) for AI agents. ' +
    'Follows the managed Redis Agent Memory Data Plane API v1; every route is also served under the ' +
    'November 2026 path family `/iris/data/v1/agent-memory/…` (`x-path-family: iris`, `x-alias-of` ' +
    'names the v1 operation), which adds two session routes of its own. Operations and fields marked ' +
    '`x-extension` are opt-in additions. Generated from the zod contracts the handlers use: ' +
    'do not edit by hand (`npm run openapi`).',
};

/** The data plane as an OpenAPI 3.1 document, from the catalog's routes and their contracts. */
export function buildOpenApiDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of httpRoutes) {
    const c = operationContractOf(route.operation);
    if (!c) throw new Error(`route ${route.operation} has no entry in lib/contracts/operations.ts`);
    const authenticated = route.action !== 'none';
    addOperation(paths, route, c, {
      // Both path families in one document: an alias needs an operationId of its own.
      operationId:
        route.aliasOf === undefined ? c.operationId : (c.irisOperationId ?? `Iris${c.operationId}`),
      tag: tagOf(route.path),
      extensions: {
        ...(c.extension ? { 'x-extension': true } : {}),
        'x-required-grant': route.action,
        'x-path-family': route.family,
        ...(route.aliasOf === undefined ? {} : { 'x-alias-of': c.operationId }),
      },
      security: authenticated ? [{ bearerAuth: [] }, { apiKeyHeader: [] }] : [],
      errorStatuses: authenticated ? [...COMMON_ERRORS, ...c.errors] : [500],
      errorResponse: (status) => problemResponse(ERROR_DESCRIPTIONS[status]),
    });
  }
  return createOpenDocument({
    openapi: '3.1.0',
    info: OPENAPI_VERSION_INFO,
    servers: [{ url: 'http://127.0.0.1:8787', description: '`npm run dev`' }],
    tags: [
      { name: 'health', description: 'Liveness' },
      { name: 'session-memory', description: 'Working memory: session events with a TTL' },
      { name: 'long-term-memory', description: 'Extracted and directly written memories' },
      { name: 'agents', description: 'For agents: the memory prompt and the MCP endpoint' },
    ],
    components: {
      schemas: namedSchemas,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key minted by the control plane',
        },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'The same key' },
      },
    },
    paths,
  });
}

function tagOf(path: string): string {
  if (path.endsWith('/health/live')) return 'health';
  if (path.endsWith('/mcp') || path.endsWith('/memory-prompt')) return 'agents';
  if (path.includes('/long-term-memory')) return 'long-term-memory';
  if (path.includes('/session')) return 'session-memory';
  return 'health';
}
