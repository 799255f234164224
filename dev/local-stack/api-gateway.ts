import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import type { HttpRouteDefinition } from '../../functions/catalog.js';
import { lambdaContext } from './lambda-context.js';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type AuthorizerHandler = (
  event: APIGatewayRequestAuthorizerEvent,
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
}

export interface ThrottleLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** Looks a usage key up in the usage plans, e.g. `ApiGatewayControlFake` (api-gateway-control-fake.ts). */
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

/** API Gateway's own payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway's default integration timeout. */
export const INTEGRATION_TIMEOUT_MS = 29_000;
/** The account id of every local ARN and request context. */
export const ACCOUNT_ID = '000000000000';
const API_ID = 'local';

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
    const result = await options.authorizer(event);
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

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    stats.requests += 1;
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

/**
 * Runs a Lambda proxy integration and writes its result as API Gateway does: the function's status,
 * headers and body (base64-decoded when flagged); 504 after API Gateway's integration timeout; 502
 * when the function throws or returns something that is not a proxy result.
 */
export async function answerFromIntegration(
  res: ServerResponse,
  requestId: string,
  invoke: () => Promise<APIGatewayProxyResult>,
): Promise<void> {
  let result: APIGatewayProxyResult;
  try {
    result = await withTimeout(invoke(), INTEGRATION_TIMEOUT_MS);
  } catch (error) {
    if (error instanceof IntegrationTimeout)
      return send(res, requestId, 504, { message: 'Endpoint request timed out' });
    return send(res, requestId, 502, { message: 'Internal server error' });
  }
  if (!result || typeof result.statusCode !== 'number') {
    return send(res, requestId, 502, { message: 'Internal server error' });
  }
  const responseHeaders: Record<string, string | string[]> = { 'x-amzn-requestid': requestId };
  for (const [name, value] of Object.entries(result.headers ?? {}))
    responseHeaders[name.toLowerCase()] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    responseHeaders[name.toLowerCase()] = values.map(String);
  }
  const payload = result.isBase64Encoded
    ? Buffer.from(result.body, 'base64')
    : Buffer.from(result.body ?? '', 'utf8');
  res.writeHead(result.statusCode, { ...responseHeaders, 'content-length': String(payload.length) });
  res.end(payload);
}

/** Serves `serve` on a loopback port (0 = any free one); a request that throws gets a bare 500. */
export async function listenHttp(
  serve: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  options: { readonly port?: number; readonly host?: string },
): Promise<{ url: string; stop(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) send(res, 'unknown', 500, { message: 'Internal server error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function documentAt(documents: Readonly<Record<string, string>> | undefined, url: string | undefined) {
  const path = new URL(url ?? '/', 'http://localhost').pathname;
  return documents && Object.hasOwn(documents, path) ? documents[path] : undefined;
}

class IntegrationTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** API Gateway key ids are opaque; derive a stable one from the key so logs can correlate. */
function keyIdFor(usageKey: string): string {
  return `local-${Buffer.from(usageKey).toString('base64url').slice(-10)}`;
}

/**
 * Reads a request and finds its route. Answers by itself, returning `undefined`, when the body is over
 * API Gateway's limit (413) or no route matches (the 404 problem of MISSING_AUTHENTICATION_TOKEN).
 */
export async function receiveRoutedRequest<R extends RoutedMethods>(
  req: IncomingMessage,
  res: ServerResponse,
  compiled: ReadonlyArray<{ route: R; pattern: RegExp; names: string[] }>,
): Promise<
  | {
      requestId: string;
      url: URL;
      method: string;
      body: Buffer;
      route: R;
      pathParameters: Record<string, string> | null;
    }
  | undefined
> {
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  const body = await readBody(req);
  if (body === 'too-large') {
    // The REQUEST_TOO_LARGE gateway response of infra/constructs/rest-api-defaults.ts.
    sendProblem(
      res,
      requestId,
      413,
      '/errors/payload-too-large',
      'Payload too large',
      'The request body exceeds 10 MB',
    );
    return undefined;
  }
  const match = matchRoute(compiled, method, url.pathname);
  if (!match) {
    sendProblem(res, requestId, 404, '/errors/resource-not-found', 'Resource not found', 'No such route');
    return undefined;
  }
  return { requestId, url, method, body, ...match };
}

/** A resource path with `{param}` placeholders as a matcher. */
export function compilePath(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param) {
        names.push(param[1]!);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`), names };
}

/** A route's method, and further methods the same integration serves (catalog `otherMethods`). */
export interface RoutedMethods {
  readonly method: string;
  readonly otherMethods?: readonly string[];
}

/** The first route of this method whose path matches, with its (URL-decoded) path parameters. */
export function matchRoute<R extends RoutedMethods>(
  compiled: ReadonlyArray<{ route: R; pattern: RegExp; names: string[] }>,
  method: string,
  pathname: string,
): { route: R; pathParameters: Record<string, string> | null } | undefined {
  for (const { route, pattern, names } of compiled) {
    if (route.method !== method && !route.otherMethods?.includes(method)) continue;
    const match = pattern.exec(pathname);
    if (!match) continue;
    const params: Record<string, string> = {};
    try {
      // REST API (v1) proxy events carry URL-decoded path parameters.
      names.forEach((name, i) => {
        params[name] = decodeURIComponent(match[i + 1]!);
      });
    } catch {
      return undefined;
    }
    return { route, pathParameters: names.length > 0 ? params : null };
  }
  return undefined;
}

/** Request headers as a proxy event carries them: lower-cased names, last value and all values. */
export function collectHeaders(req: IncomingMessage) {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    pairs.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
  return valuesByName(pairs);
}

/**
 * Last value and all values per name, as own properties: a name such as `constructor` or
 * `__proto__` is data like any other (plain-object lookups would find Object.prototype's members).
 */
function valuesByName(pairs: Iterable<readonly [string, string]>) {
  const all = new Map<string, string[]>();
  for (const [name, value] of pairs) all.set(name, [...(all.get(name) ?? []), value]);
  const single: Record<string, string> = Object.fromEntries(
    [...all].map(([name, values]) => [name, values.at(-1)!]),
  );
  const multi: Record<string, string[]> = Object.fromEntries(all);
  return { single, multi };
}

/** A REST (v1) proxy event for a request that matched `route`, with the caller's identity and authorizer context. */
export function proxyEventOf(input: {
  req: IncomingMessage;
  url: URL;
  method: string;
  route: { readonly name: string; readonly path: string };
  stage: string;
  requestId: string;
  pathParameters: Record<string, string> | null;
  body: Buffer;
  identity: Partial<APIGatewayProxyEvent['requestContext']['identity']>;
  authorizer: APIGatewayProxyEvent['requestContext']['authorizer'];
  /** The request time; default now. */
  now?: Date;
}): APIGatewayProxyEvent {
  const headers = collectHeaders(input.req);
  const query = collectQuery(input.url);
  const context = requestContextOf({ ...input, now: input.now ?? new Date() });
  return {
    resource: input.route.path,
    path: input.url.pathname,
    httpMethod: input.method,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: input.pathParameters,
    stageVariables: null,
    requestContext: {
      ...context,
      identity: { ...context.identity, ...input.identity },
      authorizer: input.authorizer,
    },
    body: input.body.length > 0 ? input.body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}

/** Query parameters as a proxy event carries them (`null` when there are none). */
export function collectQuery(url: URL) {
  const { single, multi } = valuesByName(url.searchParams);
  const any = Object.keys(single).length > 0;
  return { single: any ? single : null, multi: any ? multi : null };
}

/** A REST (v1) proxy event's `requestContext`, without caller identity or authorizer. */
export function requestContextOf(input: {
  route: { readonly name: string; readonly path: string };
  method: string;
  url: URL;
  stage: string;
  requestId: string;
  now: Date;
  req: IncomingMessage;
}): APIGatewayProxyEvent['requestContext'] {
  return {
    accountId: ACCOUNT_ID,
    apiId: API_ID,
    resourceId: input.route.name,
    resourcePath: input.route.path,
    httpMethod: input.method,
    path: `/${input.stage}${input.url.pathname}`,
    stage: input.stage,
    requestId: input.requestId,
    extendedRequestId: input.requestId,
    requestTime: input.now.toUTCString(),
    requestTimeEpoch: input.now.getTime(),
    protocol: `HTTP/${input.req.httpVersion}`,
    domainName: input.req.headers.host ?? 'localhost',
    domainPrefix: 'localhost',
    authorizer: null,
    identity: {
      accessKey: null,
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      clientCert: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: input.req.socket.remoteAddress ?? '127.0.0.1',
      user: null,
      userAgent: input.req.headers['user-agent'] ?? null,
      userArn: null,
    },
  };
}

/** The request body, or `too-large` past API Gateway's 10 MB payload limit. */
export async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A JSON answer produced by the gateway itself (no function ran). */
export function send(
  res: ServerResponse,
  requestId: string,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
    'x-amzn-requestid': requestId,
  });
  res.end(payload);
}

/** A gateway answer with the RFC 7807-style body the CDK stack configures as gateway responses. */
export function sendProblem(
  res: ServerResponse,
  requestId: string,
  status: number,
  type: string,
  title: string,
  detail: string,
) {
  send(res, requestId, status, { type, title, status, detail });
}
