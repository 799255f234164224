/**
 * Every Lambda function of the service, once, with everything that differs per function: how it is
 * triggered (route, queue, schedule, admin API), its entry, the composition level it builds, what it
 * needs (lib/config/needs.ts) and its resource profile (memory and timeout per stage:
 * infra/config/stage-config.ts). Everything per function derives from here: the CDK stack's
 * functions, grants and variables, the bundler, the cold-start benchmark, the local API gateways and
 * each function's own environment in the local stack, OpenAPI and the infra tests. Nothing else
 * lists function names. Entries are paths from the repository root; each module exports `handler`.
 * Decision record: docs/decisions/0012-function-catalog.md.
 */
import type { Need } from '../lib/config/needs.js';

export type { Need } from '../lib/config/needs.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** What a caller's key must grant on the path's store; `none` for unauthenticated routes. */
export type RequiredAction = 'read' | 'write' | 'none';

/**
 * The composition root a function builds (lib/composition): `core` (sessions, registries, promotion
 * queue), `memory` (+ long-term records, indexes, embedder), `promotion` (+ extractor and
 * summarizer), `admin` (core + control plane), `maintenance` (memory + control plane); `none` for a
 * function that builds no app (`/health`).
 */
export type AppLevel = 'none' | 'core' | 'memory' | 'promotion' | 'admin' | 'maintenance';

/** Memory and timeout, set per stage in `StageConfig.functions` (infra/config/stage-config.ts). */
export type ResourceProfile = 'http' | 'authorizer' | 'admin' | 'consumer' | 'maintenance';

/** A route of the data API. */
export interface HttpRoute {
  readonly method: HttpMethod;
  /**
   * API Gateway resource path with `{param}` placeholders. A `/v1/stores/{storeId}/…` route (and
   * `/health`) is also served under the November path family, `/iris/data/v1/agent-memory/…`,
   * derived by {@link irisAliasOf}: never list the alias. A path that starts with
   * `/iris/data/v1/agent-memory/` exists in that family only.
   */
  readonly path: string;
  /**
   * The operation's key in `lib/contracts/operations.ts`. Default: the function's name. A function
   * that serves several routes (`routes` of its trigger) names each route's operation.
   */
  readonly operation?: string;
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

/** One operation of the control plane's admin API (reference §5.3), all served by one function. */
export interface AdminRouteDefinition {
  /** The reference's operationId, e.g. `MintAPIKey`. */
  readonly operation: string;
  readonly method: HttpMethod;
  readonly path: string;
}

/**
 * The service's queues, each with its DLQ in the stateful stack: `promotion` (session promotion
 * jobs), `view-refresh` (summary-view refreshes, docs/decisions/0020-summary-views.md) and
 * `documents` (document ingestion, docs/decisions/0021-document-ingestion.md).
 */
export type QueueName = 'promotion' | 'view-refresh' | 'documents';

/** How a function is invoked. */
export type Trigger =
  /**
   * Routes of the data API, each behind the same authorizer. Several routes may share a function
   * when they need the same grants (one resource family): each further function costs about five
   * CloudFormation resources, each further route one method (docs/decisions/0016).
   */
  | { readonly kind: 'http'; readonly routes: readonly HttpRoute[] }
  /** API Gateway REQUEST authorizer of every data route that requires a key. */
  | { readonly kind: 'authorizer' }
  /** SQS event source on one of the service's queues, with partial batch failures. */
  | { readonly kind: 'queue'; readonly queue: QueueName }
  /** EventBridge rate schedule; the rate is per stage (`functions.maintenance.scheduleMinutes`). */
  | { readonly kind: 'schedule' }
  /** Every route of the IAM-authorized admin REST API. */
  | { readonly kind: 'admin-api'; readonly routes: readonly AdminRouteDefinition[] };

interface FunctionSpec {
  readonly entry: string;
  readonly trigger: Trigger;
  readonly app: AppLevel;
  /** What it may use; the stack grants exactly these, and the local stack passes only their variables. */
  readonly needs: readonly Need[];
  readonly profile: ResourceProfile;
}

export interface FunctionDefinition extends FunctionSpec {
  /** Function name, kebab-case, unique: the catalog key. */
  readonly name: FunctionName;
}

const store = '/v1/stores/{storeId}';
/** The November family's store root (reference §3.17); routes only it has are written with it. */
const irisStore = '/iris/data/v1/agent-memory/stores/{storeId}';
const route = (method: HttpMethod, path: string, action: RequiredAction, more: Partial<HttpRoute> = {}) =>
  ({ method, path, action, ...more }) as const;
/** A function serving one route. */
const http = (method: HttpMethod, path: string, action: RequiredAction, more: Partial<HttpRoute> = {}) =>
  ({ kind: 'http', routes: [route(method, path, action, more)] }) as const;
/** A function serving several routes (one resource family, the same grants). */
const httpRoutesOf = (...routes: HttpRoute[]) => ({ kind: 'http', routes }) as const;

const specs = {
  health: {
    entry: 'functions/http/health.ts',
    trigger: http('GET', '/health', 'none'),
    app: 'none',
    // Reads no data: no Upstash secret, no grant (security review 2026-12, finding 14).
    needs: [],
    profile: 'http',
  },
  'store-health': {
    entry: 'functions/http/store-health.ts',
    trigger: http('GET', `${store}/health`, 'read'),
    app: 'core',
    needs: ['data'],
    profile: 'http',
  },
  'add-session-event': {
    // The November family's two session writes are the same append (the session id from the path,
    // or a new one generated), so the same function serves them (docs/decisions/0016).
    entry: 'functions/http/add-session-event.ts',
    trigger: httpRoutesOf(
      route('POST', `${store}/session-memory/events`, 'write'),
      route('POST', `${irisStore}/sessions/{sessionId}/events`, 'write', {
        operation: 'append-session-event',
      }),
      route('POST', `${irisStore}/sessions`, 'write', { operation: 'create-session' }),
    ),
    app: 'core',
    // Sends the session's promotion job when its window opens.
    needs: ['data', 'queue:send'],
    profile: 'http',
  },
  // Session reads and deletions (the append has its own function: it sends promotion jobs). One function for the family's routes (docs/decisions/0016): each route keeps its own module.
  sessions: {
    entry: 'functions/http/sessions.ts',
    trigger: httpRoutesOf(
      route('GET', `${store}/session-memory`, 'read', { operation: 'list-sessions' }),
      route('GET', `${store}/sessions`, 'read', { operation: 'list-session-summaries' }),
      route('GET', `${store}/session-memory/{sessionId}`, 'read', { operation: 'get-session-memory' }),
      route('DELETE', `${store}/session-memory/{sessionId}`, 'write', { operation: 'delete-session-memory' }),
      route('GET', `${store}/session-memory/{sessionId}/events/{eventId}`, 'read', {
        operation: 'get-session-event',
      }),
      route('DELETE', `${store}/session-memory/{sessionId}/events/{eventId}`, 'write', {
        operation: 'delete-session-event',
      }),
    ),
    app: 'core',
    needs: ['data'],
    profile: 'http',
  },
  'get-promotion-status': {
    entry: 'functions/http/get-promotion-status.ts',
    trigger: http('GET', `${store}/session-memory/{sessionId}/promotion`, 'read'),
    app: 'core',
    needs: ['data'],
    profile: 'http',
  },
  'promote-session-now': {
    entry: 'functions/http/promote-session-now.ts',
    trigger: http('POST', `${store}/session-memory/{sessionId}/promotion`, 'write'),
    app: 'core',
    // Sends the session's job at once.
    needs: ['data', 'queue:send'],
    profile: 'http',
  },
  // Owner erasure (decision record 0017): the job runs in `maintenance`. One function for the family's routes (docs/decisions/0016): each route keeps its own module.
  erasures: {
    entry: 'functions/http/erasures.ts',
    trigger: httpRoutesOf(
      route('POST', `${store}/owners/{ownerId}/erase`, 'write', { operation: 'erase-owner' }),
      route('GET', `${store}/erasures/{jobId}`, 'read', { operation: 'get-erasure' }),
    ),
    app: 'core',
    needs: ['data'],
    profile: 'http',
  },
  'retry-parked-ranges': {
    entry: 'functions/http/retry-parked-ranges.ts',
    trigger: http('POST', `${store}/session-memory/{sessionId}/promotion/retry-parked`, 'write'),
    app: 'core',
    // Sends the session's job at once too.
    needs: ['data', 'queue:send'],
    profile: 'http',
  },
  'bulk-create-memories': {
    entry: 'functions/http/bulk-create-memories.ts',
    trigger: http('POST', `${store}/long-term-memory`, 'write'),
    app: 'memory',
    needs: ['data', 'embedding', 'view-queue:send'],
    profile: 'http',
  },
  'bulk-delete-memories': {
    entry: 'functions/http/bulk-delete-memories.ts',
    trigger: http('DELETE', `${store}/long-term-memory`, 'write'),
    app: 'memory',
    // Deletes vectors by id: no embedding.
    needs: ['data', 'view-queue:send'],
    profile: 'http',
  },
  'search-memories': {
    entry: 'functions/http/search-memories.ts',
    trigger: http('POST', `${store}/long-term-memory/search`, 'read'),
    app: 'memory',
    needs: ['data', 'embedding'],
    profile: 'http',
  },
  'move-memories': {
    entry: 'functions/http/move-memories.ts',
    trigger: http('POST', `${store}/long-term-memory/move`, 'write'),
    app: 'memory',
    needs: ['data'],
    profile: 'http',
  },
  // NDJSON export and import of long-term memories (decision record 0017). One function for the family's routes (docs/decisions/0016): each route keeps its own module.
  'memory-transfer': {
    entry: 'functions/http/memory-transfer.ts',
    trigger: httpRoutesOf(
      route('GET', `${store}/long-term-memory/export`, 'read', { operation: 'export-memories' }),
      route('POST', `${store}/long-term-memory/import`, 'write', {
        body: 'raw',
        operation: 'import-memories',
      }),
    ),
    app: 'memory',
    needs: ['data', 'embedding'],
    profile: 'http',
  },
  // Namespaces as resources (decision record 0014). One function for the family's routes (docs/decisions/0016): each route keeps its own module.
  namespaces: {
    entry: 'functions/http/namespaces.ts',
    trigger: httpRoutesOf(
      route('POST', `${store}/namespaces`, 'write', { operation: 'create-namespace' }),
      route('GET', `${store}/namespaces`, 'read', { operation: 'list-namespaces' }),
      route('GET', `${store}/namespaces/{namespaceId}`, 'read', { operation: 'get-namespace' }),
      route('PATCH', `${store}/namespaces/{namespaceId}`, 'write', { operation: 'update-namespace' }),
      route('DELETE', `${store}/namespaces/{namespaceId}`, 'write', { operation: 'delete-namespace' }),
    ),
    app: 'core',
    needs: ['data'],
    profile: 'http',
  },
  'get-memory': {
    entry: 'functions/http/get-memory.ts',
    trigger: http('GET', `${store}/long-term-memory/{memoryId}`, 'read'),
    app: 'memory',
    needs: ['data'],
    profile: 'http',
  },
  'get-memory-sources': {
    // Extension (the managed product's Get Sources): where a memory came from, with the evidence.
    entry: 'functions/http/get-memory-sources.ts',
    trigger: http('GET', `${store}/long-term-memory/{memoryId}/sources`, 'read'),
    app: 'memory',
    needs: ['data'],
    profile: 'http',
  },
  'update-memory': {
    entry: 'functions/http/update-memory.ts',
    trigger: http('PATCH', `${store}/long-term-memory/{memoryId}`, 'write'),
    app: 'memory',
    // A changed text is embedded again.
    needs: ['data', 'embedding', 'view-queue:send'],
    profile: 'http',
  },
  'update-memory-fields': {
    entry: 'functions/http/update-memory-fields.ts',
    trigger: http('PATCH', `${store}/long-term-memory/{memoryId}/fields`, 'write'),
    app: 'memory',
    needs: ['data', 'embedding', 'view-queue:send'],
    profile: 'http',
  },
  // Summary views (decision record 0020). Definitions and partitions live in Redis (core); a refresh
  // is a job on the view-refresh queue. The routes check the caller's principal against private views.
  // Summary views (decision record 0020): definitions, partitions, refresh requests (queued). One function for the family's routes (docs/decisions/0016): each route keeps its own module.
  'summary-views': {
    entry: 'functions/http/summary-views.ts',
    trigger: httpRoutesOf(
      route('POST', `${store}/summary-views`, 'write', { operation: 'create-summary-view' }),
      route('GET', `${store}/summary-views`, 'read', { operation: 'list-summary-views' }),
      route('GET', `${store}/summary-views/{viewId}`, 'read', { operation: 'get-summary-view' }),
      route('PATCH', `${store}/summary-views/{viewId}`, 'write', { operation: 'update-summary-view' }),
      route('DELETE', `${store}/summary-views/{viewId}`, 'write', { operation: 'delete-summary-view' }),
      route('GET', `${store}/summary-views/{viewId}/partitions`, 'read', {
        operation: 'list-view-partitions',
      }),
      route('GET', `${store}/summary-views/{viewId}/partition`, 'read', { operation: 'get-view-partition' }),
      route('POST', `${store}/summary-views/{viewId}/refresh`, 'write', {
        operation: 'refresh-summary-view',
      }),
    ),
    app: 'core',
    needs: ['data', 'view-queue:send'],
    profile: 'http',
  },
  'memory-prompt': {
    entry: 'functions/http/memory-prompt.ts',
    trigger: http('POST', `${store}/memory-prompt`, 'read'),
    app: 'memory',
    needs: ['data', 'embedding'],
    profile: 'http',
  },
  mcp: {
    // Streamable HTTP MCP server (stateless, JSON responses). The route needs `read`; each write
    // tool checks `write` itself (functions/http/mcp/memory-tools.ts). Its tools append session events (the
    // append use case sends promotion jobs) and create and search long-term memories.
    entry: 'functions/http/mcp.ts',
    trigger: http('POST', `${store}/mcp`, 'read', { otherMethods: ['GET', 'DELETE'], body: 'raw' }),
    app: 'memory',
    // submit_document queues ingestion on the document queue.
    needs: ['data', 'queue:send', 'documents:send', 'embedding', 'view-queue:send'],
    profile: 'http',
  },
  authorizer: {
    // Resolves the caller's key to its store grants (API Gateway REQUEST authorizer).
    entry: 'functions/http/authorizer.ts',
    trigger: { kind: 'authorizer' },
    app: 'core',
    needs: ['data'],
    profile: 'authorizer',
  },
  'promotion-consumer': {
    // Consumes the promotion queue; sends follow-up jobs for long backlogs.
    entry: 'functions/queue/promotion-consumer.ts',
    trigger: { kind: 'queue', queue: 'promotion' },
    app: 'promotion',
    needs: ['data', 'queue:consume', 'queue:send', 'embedding', 'extraction', 'view-queue:send'],
    profile: 'consumer',
  },
  'view-refresh-consumer': {
    // Consumes the summary-view refresh queue: reads partitions' memories, calls the model, writes
    // results; queues follow-up refreshes (a view's partitions, writes that landed meanwhile).
    entry: 'functions/queue/view-refresh-consumer.ts',
    trigger: { kind: 'queue', queue: 'view-refresh' },
    app: 'promotion',
    needs: ['data', 'view-queue:consume', 'view-queue:send', 'extraction'],
    profile: 'consumer',
  },
  // Document ingestion (decision record 0021): submit (queued), status, delete with its memories. One function for the family's routes (docs/decisions/0016): each route keeps its own module.
  documents: {
    entry: 'functions/http/documents.ts',
    trigger: httpRoutesOf(
      route('POST', `${store}/documents`, 'write', { operation: 'submit-document' }),
      route('GET', `${store}/documents/{documentId}`, 'read', { operation: 'get-document' }),
      route('DELETE', `${store}/documents/{documentId}`, 'write', { operation: 'delete-document' }),
    ),
    app: 'memory',
    needs: ['data', 'documents:send'],
    profile: 'http',
  },
  'document-consumer': {
    // Consumes the document queue: chunks, extracts (the extractor's instructions), embeds,
    // de-duplicates and writes; sends a continuation job when its time runs short.
    entry: 'functions/queue/document-consumer.ts',
    trigger: { kind: 'queue', queue: 'documents' },
    app: 'promotion',
    needs: ['data', 'documents:consume', 'documents:send', 'embedding', 'extraction'],
    profile: 'consumer',
  },
  maintenance: {
    // Scheduled housekeeping, five jobs (functions/scheduled/maintenance.ts): re-sends promotion jobs
    // whose send failed or whose message was lost; deletes long-term memories whose TTL has passed
    // from every index; expires API keys whose rotation grace or expiry has passed; retries failed
    // gateway-key removals; flushes the keyspaces of recently deleted stores again.
    entry: 'functions/scheduled/maintenance.ts',
    trigger: { kind: 'schedule' },
    app: 'maintenance',
    needs: ['data', 'queue:send', 'gateway-keys:retire', 'view-queue:send'],
    profile: 'maintenance',
  },
  'admin-api': {
    // The control plane: stores and API keys. A separate REST API whose every method requires IAM
    // (SigV4) authorization; no API keys, no usage plan. One function serves every admin route: it
    // is called by operators, rarely, and it alone holds the API Gateway key-management permissions.
    // It shows the stage's models with every store (model ids, no Bedrock grant).
    entry: 'functions/admin/admin-api.ts',
    trigger: {
      kind: 'admin-api',
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
        { operation: 'ListExtractors', method: 'GET', path: '/v1/stores/{storeId}/extractors' },
        { operation: 'CreateExtractor', method: 'POST', path: '/v1/stores/{storeId}/extractors' },
        { operation: 'GetExtractor', method: 'GET', path: '/v1/stores/{storeId}/extractors/{extractorId}' },
        {
          operation: 'UpdateExtractor',
          method: 'PATCH',
          path: '/v1/stores/{storeId}/extractors/{extractorId}',
        },
        {
          operation: 'DeleteExtractor',
          method: 'DELETE',
          path: '/v1/stores/{storeId}/extractors/{extractorId}',
        },
      ],
    },
    app: 'admin',
    needs: ['data', 'gateway-keys:manage', 'model-ids'],
    profile: 'admin',
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof specs;

/** The catalog by function name. */
export const catalog = Object.fromEntries(
  Object.entries(specs).map(([name, spec]) => [name, { name, ...spec }]),
) as unknown as { readonly [N in FunctionName]: (typeof specs)[N] & { readonly name: N } };

/** Every function, in catalog order. */
export const allFunctions: readonly FunctionDefinition[] = Object.values(catalog);

/** `v1`: the August contract's paths; `iris`: the November family, `/iris/data/v1/agent-memory/…`. */
export type PathFamily = 'v1' | 'iris';

/** Root of the November path family (reference §3.17, landscape-2026-12 §1.2). */
export const IRIS_ROOT = '/iris/data/v1/agent-memory';
const V1_STORE_ROOT = '/v1/stores/{storeId}';

/**
 * The November family's path of a `v1` route, or undefined when it has none. The rule, for every
 * route present and future: `/v1/stores/{storeId}<suffix>` → `/iris/data/v1/agent-memory/stores/
 * {storeId}<suffix>`, and `/health` → `/iris/data/v1/agent-memory/health/live` (the published
 * `GetServiceLiveness`). Routes already under the family, and any other path, have no alias.
 */
export function irisAliasOf(path: string): string | undefined {
  if (path === '/health') return `${IRIS_ROOT}/health/live`;
  if (path === V1_STORE_ROOT || path.startsWith(`${V1_STORE_ROOT}/`)) {
    return `${IRIS_ROOT}/stores/{storeId}${path.slice(V1_STORE_ROOT.length)}`;
  }
  return undefined;
}

/** The family a path belongs to. */
export function familyOf(path: string): PathFamily {
  return path.startsWith(`${IRIS_ROOT}/`) ? 'iris' : 'v1';
}

/** A data-API route with its function's name and entry (what API Gateway and OpenAPI need). */
export interface HttpRouteDefinition extends HttpRoute {
  readonly name: FunctionName;
  readonly entry: string;
  /** Its contract's key in `lib/contracts/operations.ts`: the route's `operation`, or the function's name. */
  readonly operation: string;
  readonly family: PathFamily;
  /** For a route derived by {@link irisAliasOf}: the `v1` path it mirrors. */
  readonly aliasOf?: string;
}

/** The routes the catalog declares, without the derived aliases, in catalog order. */
export const declaredHttpRoutes: readonly HttpRouteDefinition[] = allFunctions.flatMap((fn) =>
  fn.trigger.kind === 'http'
    ? fn.trigger.routes.map((declared) => ({
        ...declared,
        name: fn.name,
        entry: fn.entry,
        operation: declared.operation ?? fn.name,
        family: familyOf(declared.path),
      }))
    : [],
);

/**
 * Every route of the data API, in catalog order: each declared route, then its November alias
 * (same function, same operation, same grant).
 */
export const httpRoutes: readonly HttpRouteDefinition[] = declaredHttpRoutes.flatMap((declared) => {
  const alias = irisAliasOf(declared.path);
  return alias === undefined
    ? [declared]
    : [declared, { ...declared, path: alias, family: 'iris' as const, aliasOf: declared.path }];
});

/** `METHOD path`: a route's unique key. */
export function routeKey(route: { readonly method: string; readonly path: string }): string {
  return `${route.method} ${route.path}`;
}

// A declared November route that an alias also derives (or two entries of one method and path)
// would be two API Gateway methods on one resource: CloudFormation fails late, so fail here.
{
  const seen = new Set<string>();
  for (const r of httpRoutes) {
    for (const method of methodsOf(r)) {
      const key = routeKey({ method, path: r.path });
      if (seen.has(key)) throw new Error(`the catalog serves ${key} twice (functions/catalog.ts)`);
      seen.add(key);
    }
  }
}

/** Every method a route answers: its own and its `otherMethods`. */
export function methodsOf(route: HttpRoute): readonly HttpMethod[] {
  return [route.method, ...(route.otherMethods ?? [])];
}

/** The consumer of one queue (exactly one per queue). */
function consumerOf(queue: QueueName): FunctionDefinition & {
  readonly trigger: Extract<Trigger, { kind: 'queue' }>;
} {
  const found = allFunctions.filter((fn) => fn.trigger.kind === 'queue' && fn.trigger.queue === queue);
  if (found.length !== 1)
    throw new Error(`the catalog must have exactly one consumer of the '${queue}' queue`);
  return found[0] as FunctionDefinition & { readonly trigger: Extract<Trigger, { kind: 'queue' }> };
}

/** The one function of a trigger kind that has exactly one (authorizer, schedule, admin API). */
function only<K extends Exclude<Trigger['kind'], 'http' | 'queue'>>(
  kind: K,
): FunctionDefinition & { readonly trigger: Extract<Trigger, { kind: K }> } {
  const found = allFunctions.filter((fn) => fn.trigger.kind === kind);
  if (found.length !== 1) throw new Error(`the catalog must have exactly one '${kind}' function`);
  return found[0] as FunctionDefinition & { readonly trigger: Extract<Trigger, { kind: K }> };
}

/** Resolves the caller's key to its store grants. */
export const authorizer = only('authorizer');
/** Consumes the promotion queue. */
export const promotionConsumer = consumerOf('promotion');
/** Consumes the summary-view refresh queue. */
export const viewRefreshConsumer = consumerOf('view-refresh');
/** Consumes the document queue (document ingestion). */
export const documentConsumer = consumerOf('documents');
/** Scheduled maintenance. */
export const maintenance = only('schedule');
/** The control plane's function and its routes. */
export const adminApi = Object.assign(only('admin-api'), {
  routes: only('admin-api').trigger.routes,
});
