import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import type { HttpRouteDefinition } from '../../../functions/catalog.js';
import { listenHttp } from '../http-kit.js';
import { lambdaContext } from '../lambda-context.js';
import {
  answerFromIntegration,
  INTEGRATION_TIMEOUT_MS,
  receiveRoutedRequest,
  send,
  sendProblem,
} from './integration.js';
import {
  ACCOUNT_ID,
  API_ID,
  collectHeaders,
  collectQuery,
  compilePath,
  proxyEventOf,
  requestContextOf,
} from './proxy-events.js';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type AuthorizerHandler = (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
) => Promise<APIGatewayAuthorizerResult>;

export interface LocalApiGatewayOptions {
  readonly routes: readonly HttpRouteDefinition[];
  /** Loads a route's handler module (the real one, by its catalog entry). */
  readonly loadHandler: (route: HttpRouteDefinition) => Promise<ProxyHandler>;
  readonly authorizer: AuthorizerHandler;
  readonly port?: number;
  readonly host?: string;
  readonly stage?: string;
  readonly region?: string;
  /** Seconds an authorizer result is reused per key, like API Gateway's authorizer cache (0 = off). */
  readonly authorizerCacheSeconds?: number;
  /**
   * The functions' timeout, as their Lambda context reports it (`getRemainingTimeInMillis`);
   * default the integration timeout, 29 s. Nothing is cut off at it: only the handlers' budgets see it.
   */
  readonly functionTimeoutMs?: number;
  /**
   * Usage-plan throttle per key (requests/s and burst); unset = unthrottled. With `usagePlans`, the
   * throttle of the key's own plan applies, and this only to plans that have none.
   */
  readonly throttle?: ThrottleLimits;
  /**
   * The usage plans, as API Gateway consults them for `apiKeySource: AUTHORIZER`: the authorizer's
   * `usageIdentifierKey` must be the value of an enabled API key in a usage plan, else 403
   * (INVALID_API_KEY). Unset: any usage key is accepted (no key management locally).
   */
  readonly usagePlans?: UsagePlanMeter;
  /**
   * JSON documents served as they are to any GET, without a key (e.g. `/openapi.json`): on AWS
   * they are published with the API's docs, not by a function.
   */
  readonly documents?: Readonly<Record<string, string>>;
  /**
   * Browser origins allowed to call the API (`*` for any), as the stage's `api.corsAllowOrigins`:
   * preflight (OPTIONS) is answered here as API Gateway's mock integration answers it, and the
   * responses the gateway makes itself (401, 403, 429) carry the origin as its gateway responses do.
   * The functions add their own header (CORS_ALLOW_ORIGINS). Unset: no CORS at all.
   */
  readonly corsAllowOrigins?: readonly string[];
}

/** What infra/constructs/memory-api.ts allows in preflight (CORS_ALLOW_HEADERS there). */
const CORS_ALLOW_HEADERS = 'Authorization,X-Api-Key,Content-Type,Idempotency-Key,Mcp-Protocol-Version';

export interface ThrottleLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** Looks a usage key up in the usage plans, e.g. `ApiGatewayControlFake` (control-fake.ts). */
export interface UsagePlanMeter {
  /** The enabled API key with this value and its plan's throttle; `undefined` if none is metered. */
  meteredKey(
    value: string,
  ): { readonly keyId: string; readonly throttle?: ThrottleLimits | undefined } | undefined;
}

export interface LocalApiGateway {
  readonly url: string;
  readonly stats: { requests: number; byRoute: Record<string, number> };
  stop(): Promise<void>;
}

/**
 * A local stand-in for the service's API Gateway REST API: it matches routes from the function
 * catalog, runs the real Lambda authorizer on every route that requires a key, enforces the key
 * like API Gateway (no key or an unknown key: 401; the authorizer's usage key must exist and, with
 * `usagePlans`, be an enabled key of a usage plan: 403; the plan's throttle: 429), builds REST proxy
 * events (v1) and invokes the real handlers.
 *
 * Gateway errors use the problem bodies the CDK stack configures as gateway responses, so clients
 * see the same shapes locally and on AWS.
 */
export async function startLocalApiGateway(options: LocalApiGatewayOptions): Promise<LocalApiGateway> {
  const stage = options.stage ?? 'local';
  const region = options.region ?? 'us-east-1';
  const compiled = options.routes.map((route) => ({ route, ...compilePath(route.path) }));
  const handlers = new Map<string, Promise<ProxyHandler>>();
  const authCache = new Map<string, { result: APIGatewayAuthorizerResult; expiresAt: number }>();
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  const stats = { requests: 0, byRoute: {} as Record<string, number> };

  const handlerFor = (route: HttpRouteDefinition) => {
    let handler = handlers.get(route.name);
    if (!handler) {
      handler = options.loadHandler(route);
      handlers.set(route.name, handler);
    }
    return handler;
  };

  const authorize = async (event: APIGatewayRequestAuthorizerEvent, key: string | undefined) => {
    const ttl = (options.authorizerCacheSeconds ?? 0) * 1000;
    const cached = key && ttl > 0 ? authCache.get(key) : undefined;
    if (cached && cached.expiresAt > Date.now()) return cached.result;
    // As Lambda invokes it: with a context (request id, remaining time) like every other function.
    const result = await options.authorizer(
      event,
      lambdaContext('authorizer', INTEGRATION_TIMEOUT_MS, region),
    );
    if (key && ttl > 0) authCache.set(key, { result, expiresAt: Date.now() + ttl });
    return result;
  };

  const throttled = (usageKey: string, limits: ThrottleLimits | undefined): boolean => {
    if (!limits) return false;
    const now = Date.now();
    const bucket = buckets.get(usageKey) ?? { tokens: limits.burstLimit, updatedAt: now };
    bucket.tokens = Math.min(
      limits.burstLimit,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * limits.rateLimit,
    );
    bucket.updatedAt = now;
    buckets.set(usageKey, bucket);
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  };

  const corsOrigins = options.corsAllowOrigins ?? [];
  const allowMethods = [...new Set([...options.routes.map((route) => route.method), 'OPTIONS'])].join(',');
  const allowedOrigin = (req: IncomingMessage): string | undefined => {
    const origin = req.headers.origin;
    if (!origin || corsOrigins.length === 0) return undefined;
    if (corsOrigins.includes('*')) return '*';
    return corsOrigins.includes(origin) ? origin : undefined;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    stats.requests += 1;
    const origin = allowedOrigin(req);
    if (origin) {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': allowMethods,
          'access-control-allow-headers': CORS_ALLOW_HEADERS,
          'access-control-max-age': '3600',
          vary: 'Origin',
        });
        res.end();
        return;
      }
      // Merged under what `writeHead` sets, so a function's own CORS headers win.
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
    }
    const document = req.method === 'GET' ? documentAt(options.documents, req.url) : undefined;
    if (document !== undefined) {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(document),
      });
      res.end(document);
      return;
    }
    const received = await receiveRoutedRequest(req, res, compiled);
    if (!received) return;
    const { requestId, url, method, body, route, pathParameters } = received;
    stats.byRoute[route.name] = (stats.byRoute[route.name] ?? 0) + 1;

    const headers = collectHeaders(req);
    const query = collectQuery(url);
    const now = new Date();
    const resourceArn = `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${API_ID}/${stage}/${method}${route.path}`;

    let authorizerContext: Record<string, unknown> | undefined;
    let usageKey: string | null = null;
    let usageKeyId: string | null = null;
    if (route.action !== 'none') {
      const presented = headers.single.authorization ?? headers.single['x-api-key'];
      let result: APIGatewayAuthorizerResult;
      try {
        result = await authorize(
          {
            type: 'REQUEST',
            methodArn: resourceArn,
            resource: route.path,
            path: url.pathname,
            httpMethod: method,
            headers: headers.single,
            multiValueHeaders: headers.multi,
            pathParameters,
            queryStringParameters: query.single,
            multiValueQueryStringParameters: query.multi,
            stageVariables: null,
            requestContext: requestContextOf({ route, method, url, stage, requestId, now, req }),
          } as unknown as APIGatewayRequestAuthorizerEvent,
          presented,
        );
      } catch (error) {
        if (error instanceof Error && error.message === 'Unauthorized') {
          return sendProblem(
            res,
            requestId,
            401,
            '/errors/authentication-failed',
            'Authentication failed',
            'A valid API key is required',
          );
        }
        // The AUTHORIZER_FAILURE gateway response of infra/constructs/memory-api.ts.
        return send(
          res,
          requestId,
          503,
          {
            type: '/errors/resource-unavailable',
            title: 'A dependency is unavailable',
            status: 503,
            detail: 'API keys cannot be checked right now; retry later',
          },
          { 'retry-after': '1' },
        );
      }
      const allowed = result.policyDocument.Statement.some(
        (statement) => 'Effect' in statement && statement.Effect === 'Allow',
      );
      usageKey = result.usageIdentifierKey ?? null;
      const forbidden = (detail: string) =>
        sendProblem(
          res,
          requestId,
          403,
          '/errors/insufficient-permissions',
          'Insufficient permissions',
          detail,
        );
      if (!allowed || !usageKey) return forbidden('Forbidden');
      const metered = options.usagePlans?.meteredKey(usageKey);
      // The INVALID_API_KEY gateway response of infra/constructs/memory-api.ts.
      if (options.usagePlans && !metered) return forbidden('This API key has no access to this API');
      usageKeyId = metered?.keyId ?? keyIdFor(usageKey);
      if (throttled(usageKey, metered?.throttle ?? options.throttle)) {
        return sendProblem(
          res,
          requestId,
          429,
          '/errors/too-many-requests',
          'Too many requests',
          'Rate limit exceeded',
        );
      }
      authorizerContext = {
        principalId: result.principalId,
        integrationLatency: 0,
        ...(result.context ?? {}),
      };
    }

    const event = proxyEventOf({
      req,
      url,
      method,
      route,
      stage,
      requestId,
      pathParameters,
      body,
      identity: { apiKey: usageKey, apiKeyId: usageKeyId },
      authorizer: authorizerContext ?? null,
      now,
    });

    await answerFromIntegration(res, requestId, async () => {
      const handler = await handlerFor(route);
      return handler(
        event,
        lambdaContext(route.name, options.functionTimeoutMs ?? INTEGRATION_TIMEOUT_MS, region),
      );
    });
  };

  const listening = await listenHttp(serve, options);
  return { ...listening, stats };
}

function documentAt(documents: Readonly<Record<string, string>> | undefined, url: string | undefined) {
  const path = new URL(url ?? '/', 'http://localhost').pathname;
  return documents && Object.hasOwn(documents, path) ? documents[path] : undefined;
}

/** API Gateway key ids are opaque; derive a stable one from the key so logs can correlate. */
function keyIdFor(usageKey: string): string {
  return `local-${Buffer.from(usageKey).toString('base64url').slice(-10)}`;
}
