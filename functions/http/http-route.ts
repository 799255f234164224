import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { checkEnvironmentAtInit, readConfigAtInit } from '../../lib/composition/cold-start.js';
import { scopeToRequest } from '../../lib/composition/request-scope.js';
import { readHttpConfig } from '../../lib/config/runtime-config.js';
import { allowsStoreAction, type StoreAction } from '../../lib/domain/grants.js';
import { withInvocationDeadline } from '../../lib/observability/invocation-deadline.js';
import { logger } from '../../lib/observability/logger.js';
import { observability } from '../../lib/observability/middleware.js';
import type { StoreLookup } from '../../lib/ports/registry.js';
import { requireStore } from '../../lib/use-cases/shared/require-store.js';
import { corsHeaders } from '../middleware/cors.js';
import { jsonBody } from '../middleware/json-body.js';
import { JSON_HEADERS } from '../middleware/problem.js';
import { problemResponses } from '../middleware/problem-responses.js';
import { storeAuthorization } from '../middleware/store-authorization.js';
import { type HttpRequest, type HttpRouteResult, toHttpRequest } from './http-request.js';

export type { HttpRequest, HttpRouteResult } from './http-request.js';

export interface HttpRouteOptions<App> {
  /** What the caller's key must grant on the path's store; `none` skips the check (`/health`). */
  readonly action: StoreAction | 'none';
  /**
   * The function's composition root (`coreApp`, `memoryApp`, …): a function imports only the level
   * it uses, so its bundle carries nothing else. Its environment is parsed when the route is
   * defined (init). Omitted by a route that needs no configuration and no data (`/health`), which
   * then reads no variable but CORS_ALLOW_ORIGINS and never loads the Upstash secret.
   */
  readonly app?: () => Promise<App>;
  /**
   * `json` (default): the body must be JSON (content type, syntax) and arrives parsed. `raw`: the
   * handler gets the text and answers malformed input itself; the size and nesting limits still
   * apply here.
   */
  readonly body?: 'json' | 'raw';
}

type RouteHandler<App> = (request: HttpRequest, app: App) => Promise<HttpRouteResult>;

/**
 * The one middleware chain of every HTTP function, in a fixed order (functions/middleware/):
 * -1. observability: the Lambda context on every log line, metrics flushed last (errors included);
 * 0. CORS headers on every response, errors included (only when CORS_ALLOW_ORIGINS is set);
 * 1. problem responses (onError): every failure becomes a problem body here and nowhere else;
 * 2. store authorization (before): the path's store against the grants the authorizer resolved;
 * 3. body (before): size and nesting limits; for JSON routes, content type and parse.
 * The handler then validates its inputs with zod and calls one use case.
 */
export function httpRoute<App = undefined>(options: HttpRouteOptions<App>, run: RouteHandler<App>) {
  const { corsAllowOrigins } = readConfigAtInit(logger, readHttpConfig);
  if (options.app) checkEnvironmentAtInit(logger);
  const appOf = options.app ?? (async () => undefined as App);
  // Store routes get the app of their store and caller (per-store caches, no access writes by a
  // read-only key: request-scope.ts); `none` routes have no store. storeAuthorization has checked
  // the path's storeId by the time this runs.
  const scopedApp = async (event: APIGatewayProxyEvent, request: HttpRequest): Promise<App> => {
    if (options.action === 'none') return appOf();
    const storeId = event.pathParameters?.storeId ?? '';
    const app = await appOf();
    // Every store route refuses a deleted store, whatever the route reads: a key whose grant
    // outlived the deletion (authorizer cache, a failed grant loop) must not reach what the
    // deletion job has not erased yet (security review 2026-12, finding 5). The registry is cached
    // per container, so this costs a round trip only on a cache miss.
    const stores = (app as { stores?: StoreLookup } | undefined)?.stores;
    if (stores) await requireStore({ stores }, storeId);
    return scopeToRequest(app, {
      storeId,
      mayWrite: allowsStoreAction(request.grants, storeId, 'write'),
    });
  };
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(observability())
    .use(corsHeaders(corsAllowOrigins))
    .use(problemResponses(logger))
    .use(storeAuthorization(options.action))
    .use(jsonBody(options.body ?? 'json'))
    .handler(async (event, context) => {
      const request = toHttpRequest(event);
      // Redis calls are cut to the time left, so a slow dependency ends in a retryable problem
      // rather than in middy's early timeout or the function's own (API Gateway: a bare 502).
      const result = await withInvocationDeadline(context?.getRemainingTimeInMillis?.(), async () =>
        run(request, await scopedApp(event, request)),
      );
      return {
        statusCode: result.status,
        headers: { ...JSON_HEADERS, ...result.headers },
        body: result.text ?? (result.body === undefined ? '' : JSON.stringify(result.body)),
      };
    });
}
