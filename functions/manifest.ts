/**
 * Every Lambda function of the service, in one list: the local API Gateway adapter, the CDK app,
 * the bundler and the cold-start benchmark all read it, so a route cannot exist in one and be
 * missing in another. Entries are paths from the repository root; each module exports `handler`.
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** What a caller's key must grant on the path's store; `none` for unauthenticated routes. */
export type RequiredAction = 'read' | 'write' | 'none';

export interface HttpRouteDefinition {
  /** Function name, kebab-case, unique. */
  readonly name: string;
  readonly method: HttpMethod;
  /** API Gateway resource path with `{param}` placeholders. */
  readonly path: string;
  readonly entry: string;
  /** What the key must grant for the route itself (a function may check more per operation). */
  readonly action: RequiredAction;
  /**
   * Further methods on the same path served by the same function, behind the same authorizer. The
   * MCP endpoint answers GET and DELETE itself (405: a stateless server has no SSE stream and no
   * session to end); API Gateway would answer 403 for a method it does not know, which MCP clients
   * do not expect when they probe for a stream.
   */
  readonly otherMethods?: readonly HttpMethod[];
  /**
   * `json` (default): the edge checks the body is a JSON object and the function parses it.
   * `raw`: the function hands the body as text to a protocol that answers malformed input in its
   * own shape (MCP: a JSON-RPC parse error), so the edge does not validate it.
   */
  readonly body?: 'json' | 'raw';
}

/** Every method a route answers: its own and its `otherMethods`. */
export function methodsOf(route: HttpRouteDefinition): readonly HttpMethod[] {
  return [route.method, ...(route.otherMethods ?? [])];
}

export interface WorkerDefinition {
  readonly name: string;
  readonly entry: string;
}

const store = '/v1/stores/{storeId}';

export const httpRoutes: readonly HttpRouteDefinition[] = [
  { name: 'health', method: 'GET', path: '/health', entry: 'functions/http/health.ts', action: 'none' },
  {
    name: 'store-health',
    method: 'GET',
    path: `${store}/health`,
    entry: 'functions/http/store-health.ts',
    action: 'read',
  },
  {
    name: 'add-session-event',
    method: 'POST',
    path: `${store}/session-memory/events`,
    entry: 'functions/http/add-session-event.ts',
    action: 'write',
  },
  {
    name: 'list-sessions',
    method: 'GET',
    path: `${store}/session-memory`,
    entry: 'functions/http/list-sessions.ts',
    action: 'read',
  },
  {
    name: 'get-session-memory',
    method: 'GET',
    path: `${store}/session-memory/{sessionId}`,
    entry: 'functions/http/get-session-memory.ts',
    action: 'read',
  },
  {
    name: 'delete-session-memory',
    method: 'DELETE',
    path: `${store}/session-memory/{sessionId}`,
    entry: 'functions/http/delete-session-memory.ts',
    action: 'write',
  },
  {
    name: 'get-session-event',
    method: 'GET',
    path: `${store}/session-memory/{sessionId}/events/{eventId}`,
    entry: 'functions/http/get-session-event.ts',
    action: 'read',
  },
  {
    name: 'delete-session-event',
    method: 'DELETE',
    path: `${store}/session-memory/{sessionId}/events/{eventId}`,
    entry: 'functions/http/delete-session-event.ts',
    action: 'write',
  },
  {
    name: 'get-promotion-status',
    method: 'GET',
    path: `${store}/session-memory/{sessionId}/promotion`,
    entry: 'functions/http/get-promotion-status.ts',
    action: 'read',
  },
  {
    name: 'promote-session-now',
    method: 'POST',
    path: `${store}/session-memory/{sessionId}/promotion`,
    entry: 'functions/http/promote-session-now.ts',
    action: 'write',
  },
  {
    name: 'retry-parked-ranges',
    method: 'POST',
    path: `${store}/session-memory/{sessionId}/promotion/retry-parked`,
    entry: 'functions/http/retry-parked-ranges.ts',
    action: 'write',
  },
  {
    name: 'list-session-summaries',
    method: 'GET',
    path: `${store}/sessions`,
    entry: 'functions/http/list-session-summaries.ts',
    action: 'read',
  },
  {
    name: 'bulk-create-memories',
    method: 'POST',
    path: `${store}/long-term-memory`,
    entry: 'functions/http/bulk-create-memories.ts',
    action: 'write',
  },
  {
    name: 'bulk-delete-memories',
    method: 'DELETE',
    path: `${store}/long-term-memory`,
    entry: 'functions/http/bulk-delete-memories.ts',
    action: 'write',
  },
  {
    name: 'search-memories',
    method: 'POST',
    path: `${store}/long-term-memory/search`,
    entry: 'functions/http/search-memories.ts',
    action: 'read',
  },
  {
    name: 'get-memory',
    method: 'GET',
    path: `${store}/long-term-memory/{memoryId}`,
    entry: 'functions/http/get-memory.ts',
    action: 'read',
  },
  {
    name: 'update-memory',
    method: 'PATCH',
    path: `${store}/long-term-memory/{memoryId}`,
    entry: 'functions/http/update-memory.ts',
    action: 'write',
  },
  {
    name: 'update-memory-fields',
    method: 'PATCH',
    path: `${store}/long-term-memory/{memoryId}/fields`,
    entry: 'functions/http/update-memory-fields.ts',
    action: 'write',
  },
  {
    name: 'memory-prompt',
    method: 'POST',
    path: `${store}/memory-prompt`,
    entry: 'functions/http/memory-prompt.ts',
    action: 'read',
  },
  {
    // Streamable HTTP MCP server (stateless, JSON responses). The route needs `read`; each write
    // tool checks `write` itself (functions/http/mcp/memory-tools.ts).
    name: 'mcp',
    method: 'POST',
    otherMethods: ['GET', 'DELETE'],
    path: `${store}/mcp`,
    entry: 'functions/http/mcp.ts',
    action: 'read',
    body: 'raw',
  },
];

/** Resolves the caller's key to its store grants (API Gateway REQUEST authorizer). */
export const authorizer: WorkerDefinition = { name: 'authorizer', entry: 'functions/http/authorizer.ts' };

/** Consumes the promotion queue (SQS event source with partial batch failures). */
export const promotionConsumer: WorkerDefinition = {
  name: 'promotion-consumer',
  entry: 'functions/queue/promotion-consumer.ts',
};

/**
 * Scheduled maintenance (EventBridge): re-sends promotion jobs whose send failed or whose message
 * was lost, and deletes long-term memories whose TTL has passed from every index.
 */
export const maintenance: WorkerDefinition = {
  name: 'maintenance',
  entry: 'functions/scheduled/maintenance.ts',
};

/** One operation of the control plane's admin API (reference §5.3), all served by `adminApi`. */
export interface AdminRouteDefinition {
  /** The reference's operationId, e.g. `MintAPIKey`. */
  readonly operation: string;
  readonly method: HttpMethod;
  readonly path: string;
}

/**
 * The control plane: stores and API keys. A separate REST API whose every method requires IAM
 * (SigV4) authorization; no API keys, no usage plan. One function serves every admin route: it is
 * called by operators, rarely, and it alone holds the API Gateway key-management permissions.
 */
export const adminApi: WorkerDefinition & { readonly routes: readonly AdminRouteDefinition[] } = {
  name: 'admin-api',
  entry: 'functions/admin/admin-api.ts',
  routes: [
    { operation: 'ListStores', method: 'GET', path: '/v1/stores' },
    { operation: 'CreateStore', method: 'POST', path: '/v1/stores' },
    { operation: 'GetStore', method: 'GET', path: '/v1/stores/{storeId}' },
    { operation: 'UpdateStore', method: 'PATCH', path: '/v1/stores/{storeId}' },
    { operation: 'DeleteStore', method: 'DELETE', path: '/v1/stores/{storeId}' },
    { operation: 'ListAPIKeys', method: 'GET', path: '/v1/api-keys' },
    { operation: 'MintAPIKey', method: 'POST', path: '/v1/api-keys' },
    { operation: 'GetAPIKey', method: 'GET', path: '/v1/api-keys/{keyId}' },
    { operation: 'UpdateAPIKey', method: 'PATCH', path: '/v1/api-keys/{keyId}' },
    { operation: 'RevokeAPIKey', method: 'DELETE', path: '/v1/api-keys/{keyId}' },
    { operation: 'RotateAPIKey', method: 'POST', path: '/v1/api-keys/{keyId}/rotate' },
    { operation: 'ListDetectors', method: 'GET', path: '/v1/detectors' },
  ],
};

export const allFunctions: readonly WorkerDefinition[] = [
  ...httpRoutes.map(({ name, entry }) => ({ name, entry })),
  authorizer,
  promotionConsumer,
  maintenance,
  { name: adminApi.name, entry: adminApi.entry },
];
