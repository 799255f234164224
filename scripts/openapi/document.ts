import type * as z from 'zod';
import {
  createDocument,
  type ZodOpenApiObject,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { adminApi, httpRoutes } from '../../functions/manifest.js';
import { fieldErrorSchema, problemSchema } from '../../lib/contracts/common.js';
import {
  apiKeyOutputSchema,
  createStoreRequestDocumentedSchema,
  createStoreResponseSchema,
  iamDenialSchema,
  listApiKeysResponseSchema,
  listDetectorsResponseSchema,
  mintApiKeyRequestSchema,
  mintApiKeyResponseSchema,
  rotateApiKeyRequestSchema,
  rotateApiKeyResponseSchema,
  storeModelsSchema,
  storeOutputSchema,
  updateApiKeyRequestSchema,
  updateStoreRequestDocumentedSchema,
} from '../../lib/contracts/control-plane.js';
import { adminOperationContractOf } from '../../lib/contracts/control-plane-operations.js';
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
import { type OperationContract, operationContractOf } from '../../lib/contracts/operations.js';
import {
  addSessionEventRequestSchema,
  addSessionEventResponseSchema,
  contentPartSchema,
  listSessionSummariesResponseSchema,
  listSessionsResponseSchema,
  messageRoleSchema,
  promoteNowResponseSchema,
  promotionStatusSchema,
  sessionEventSchema,
  sessionListItemSchema,
  sessionMemorySchema,
  sessionSummarySchema,
} from '../../lib/contracts/session-memory.js';
import {
  customMemoryTypeSchema,
  exclusionsSchema,
  extractionStrategySchema,
  summarizationSchema,
} from '../../lib/contracts/store-config.js';
import { grantSchema } from '../../lib/domain/grants.js';

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
  UpdateLongTermMemoryRequest: updateMemoryRequestSchema,
  UpdateLongTermMemoryFieldsRequest: updateMemoryFieldsRequestSchema,
  FieldError: fieldErrorSchema,
  Problem: problemSchema,
};

/** Every authenticated route can answer these (authorizer, gateway throttling, dependencies). */
const COMMON_ERRORS = [400, 401, 403, 424, 429, 500] as const;

const ERROR_DESCRIPTIONS: Record<number, string> = {
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
    'Follows the managed Redis Agent Memory Data Plane API v1; operations and fields marked ' +
    '`x-extension` are opt-in additions. Generated from the zod contracts the handlers use: ' +
    'do not edit by hand (`npm run openapi`).',
};

/** The data plane as an OpenAPI 3.1 document, from the manifest's routes and their contracts. */
export function buildOpenApiDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of httpRoutes) {
    const c = operationContractOf(route.name);
    if (!c) throw new Error(`route ${route.name} has no entry in lib/contracts/operations.ts`);
    const authenticated = route.action !== 'none';
    addOperation(paths, route, c, {
      operationId: c.operationId,
      tag: tagOf(route.path),
      extensions: { ...(c.extension ? { 'x-extension': true } : {}), 'x-required-grant': route.action },
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

/**
 * Schemas of the control plane that become named components (see `namedSchemas`). `ListStores`'s
 * envelope stays inline: a named component referring to `StoreOutput` would make zod-openapi render
 * `StoreOutput` for requests too (its nested settings have defaults, so the two differ) and name the
 * answer's `StoreOutputOutput`.
 */
const controlPlaneNamedSchemas: Record<string, z.ZodType> = {
  CreateStoreRequest: createStoreRequestDocumentedSchema,
  CreateStoreResponse: createStoreResponseSchema,
  UpdateStoreRequest: updateStoreRequestDocumentedSchema,
  StoreOutput: storeOutputSchema,
  StoreModels: storeModelsSchema,
  ExtractionStrategy: extractionStrategySchema,
  CustomMemoryType: customMemoryTypeSchema,
  Summarization: summarizationSchema,
  LongTermMemoryExclusions: exclusionsSchema,
  MintAPIKeyRequest: mintApiKeyRequestSchema,
  MintAPIKeyResponse: mintApiKeyResponseSchema,
  UpdateAPIKeyRequest: updateApiKeyRequestSchema,
  RotateAPIKeyRequest: rotateApiKeyRequestSchema,
  RotateAPIKeyResponse: rotateApiKeyResponseSchema,
  ApiKeyOutput: apiKeyOutputSchema,
  Grant: grantSchema,
  ListAPIKeysResponse: listApiKeysResponseSchema,
  ListDetectorsResponse: listDetectorsResponseSchema,
  FieldError: fieldErrorSchema,
  Problem: problemSchema,
  IamDenial: iamDenialSchema,
};

/**
 * Every admin call can answer these: 403 is API Gateway's refusal of the IAM signature or policy,
 * 429 the stage's throttle, 424 an unavailable Redis.
 */
const CONTROL_PLANE_COMMON_ERRORS = [400, 403, 424, 429, 500] as const;

const CONTROL_PLANE_ERROR_DESCRIPTIONS: Record<number, string> = {
  ...ERROR_DESCRIPTIONS,
  403:
    "API Gateway refused the request's SigV4 signature or the caller's IAM policy " +
    "(`x-amzn-ErrorType` says which); the body is API Gateway's own `{message}`, not a problem",
  404: 'The store or API key does not exist',
  409: 'The API key was already rotated: rotate its replacement',
  413: 'The body exceeds a documented limit',
  424: 'Redis is unavailable; retry after `Retry-After` seconds',
  429: "Over the stage's throttle; retry later",
};

export const CONTROL_PLANE_VERSION_INFO = {
  title: 'Agent Memory Control Plane API',
  version: '1.0.0',
  description:
    'Stores (tenants and their configuration) and the API keys of the data plane, for operators. ' +
    'Every call is signed with AWS Signature Version 4 (service `execute-api`) by an IAM identity ' +
    'allowed to invoke the API; the operator CLI (`npm run admin`) signs with the default AWS ' +
    "credential chain. Follows the reference's self-managed Control Plane; `plan`, " +
    '`extractionStrategies` and `models` are extensions. Generated from the zod contracts the ' +
    'handler uses: do not edit by hand (`npm run openapi`).',
};

/** The control plane (admin API) as an OpenAPI 3.1 document, from `adminApi.routes` and their contracts. */
export function buildControlPlaneDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of adminApi.routes) {
    const c = adminOperationContractOf(route.operation);
    if (!c) throw new Error(`admin operation ${route.operation} has no entry in control-plane-operations.ts`);
    addOperation(paths, route, c, {
      operationId: route.operation,
      tag: route.path.split('/')[2] ?? 'stores',
      extensions: {},
      security: [{ sigv4: [] }],
      errorStatuses: [...CONTROL_PLANE_COMMON_ERRORS, ...c.errors],
      errorResponse: (status) =>
        status === 403
          ? {
              description: CONTROL_PLANE_ERROR_DESCRIPTIONS[403] ?? 'Forbidden',
              content: { 'application/json': { schema: iamDenialSchema } },
            }
          : problemResponse(CONTROL_PLANE_ERROR_DESCRIPTIONS[status]),
    });
  }
  return createOpenDocument({
    openapi: '3.1.0',
    info: CONTROL_PLANE_VERSION_INFO,
    servers: [
      {
        url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}',
        description: 'The deployed admin API (`npm run dev` prints the local one, on a free port)',
        variables: {
          restApiId: { default: 'restApiId', description: "The admin API's id (stack output)" },
          region: { default: 'us-east-1' },
          stage: { default: 'dev' },
        },
      },
    ],
    tags: [
      { name: 'stores', description: 'Stores: the tenants of the data plane, and their configuration' },
      { name: 'api-keys', description: "The data plane's API keys: mint, grant, rotate, revoke" },
      { name: 'detectors', description: 'The sensitive-data detectors a store can exclude' },
    ],
    components: {
      schemas: controlPlaneNamedSchemas,
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'AWS Signature Version 4 (service `execute-api`) by an IAM identity allowed `execute-api:Invoke`',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
    paths,
  });
}

/** How one document renders the operations it holds (security, tags, error bodies). */
interface OperationStyle {
  readonly operationId: string;
  readonly tag: string;
  /** `x-` fields, placed after the tags. */
  readonly extensions: Record<string, unknown>;
  readonly security: ZodOpenApiOperationObject['security'];
  /** Listed in any order and with repeats; rendered sorted and once. */
  readonly errorStatuses: readonly number[];
  readonly errorResponse: (status: number) => ZodOpenApiResponseObject;
}

function addOperation(
  paths: ZodOpenApiPathsObject,
  route: { readonly method: string; readonly path: string },
  c: Omit<OperationContract, 'operationId'>,
  style: OperationStyle,
): void {
  const errorStatuses = [...new Set(style.errorStatuses)].sort();
  const operation: ZodOpenApiOperationObject = {
    operationId: style.operationId,
    summary: c.summary,
    ...(c.description ? { description: c.description } : {}),
    tags: [style.tag],
    ...style.extensions,
    security: style.security,
    requestParams: {
      ...(c.pathParameters ? { path: c.pathParameters } : {}),
      ...(c.query ? { query: c.query } : {}),
      ...(c.headers ? { header: c.headers } : {}),
    },
    ...(c.body
      ? {
          requestBody: {
            required: c.bodyRequired ?? false,
            content: { 'application/json': { schema: c.body } },
          },
        }
      : {}),
    responses: {
      [String(c.status)]: {
        description: c.status === 204 ? 'Deleted' : 'Success',
        ...(c.response ? { content: { 'application/json': { schema: c.response } } } : {}),
      },
      ...Object.fromEntries(errorStatuses.map((status) => [String(status), style.errorResponse(status)])),
    },
  };
  paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
}

function problemResponse(description: string | undefined): ZodOpenApiResponseObject {
  return {
    description: description ?? 'Error',
    content: { 'application/problem+json': { schema: problemSchema } },
  };
}

/** `createDocument` with the rendering rules both documents share. */
function createOpenDocument(document: ZodOpenApiObject) {
  return createDocument(document, {
    outputIdSuffix: 'Output',
    // zod renders response objects closed (`additionalProperties: false`); a client validating
    // with it would break on the next added field, so responses stay open.
    // Objects declared `.strict()` (filters) are closed on purpose and stay so.
    override: ({ jsonSchema, zodSchema, io }) => {
      const catchall = (zodSchema._zod.def as { catchall?: z.ZodType }).catchall;
      const strict = catchall?._zod.def.type === 'never';
      if (io === 'output' && jsonSchema.additionalProperties === false && !strict) {
        delete jsonSchema.additionalProperties;
      }
    },
  });
}

function tagOf(path: string): string {
  if (path.endsWith('/mcp') || path.endsWith('/memory-prompt')) return 'agents';
  if (path.includes('/long-term-memory')) return 'long-term-memory';
  if (path.includes('/session')) return 'session-memory';
  return 'health';
}
