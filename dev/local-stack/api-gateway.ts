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
import type { HttpRouteDefinition } from '../../functions/manifest.js';
import { lambdaContext } from './lambda-context.js';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type AuthorizerHandler = (
  event: APIGatewayRequestAuthorizerEvent,
) => Promise<APIGatewayAuthorizerResult>;

export interface LocalApiGatewayOptions {
  readonly routes: readonly HttpRouteDefinition[];
  /** Loads a route's handler module (the real one, by its manifest entry). */
  readonly loadHandler: (route: HttpRouteDefinition) => Promise<ProxyHandler>;
  readonly authorizer: AuthorizerHandler;
  readonly port?: number;
  readonly host?: string;
  readonly stage?: string;
  readonly region?: string;
  /** Seconds an authorizer result is reused per key, like API Gateway's authorizer cache (0 = off). */
  readonly authorizerCacheSeconds?: number;
  /** Usage-plan throttle per key (requests/s and burst); unset = unthrottled. */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

export interface LocalApiGateway {
  readonly url: string;
  readonly stats: { requests: number; byRoute: Record<string, number> };
  stop(): Promise<void>;
}

/** API Gateway's own payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway's default integration timeout. */
const INTEGRATION_TIMEOUT_MS = 29_000;
const ACCOUNT_ID = '000000000000';
const API_ID = 'local';

/**
 * A local stand-in for the service's API Gateway REST API: it matches routes from the function
 * manifest, runs the real Lambda authorizer on every route that requires a key, enforces the key
 * like API Gateway (no key or an unknown key: 401; the authorizer's usage key must exist: 403;
 * usage-plan throttle: 429), builds REST proxy events (v1) and invokes the real handlers.
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

  const throttled = (usageKey: string): boolean => {
    const limits = options.throttle;
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
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    if (body === 'too-large') {
      return send(res, requestId, 413, { message: 'Request Too Long' });
    }
    const match = matchRoute(compiled, method, url.pathname);
    if (!match) {
      return sendProblem(
        res,
        requestId,
        404,
        '/errors/resource-not-found',
        'Resource not found',
        'No such route',
      );
    }
    const { route, pathParameters } = match;
    stats.byRoute[route.name] = (stats.byRoute[route.name] ?? 0) + 1;

    const headers = collectHeaders(req);
    const query = collectQuery(url);
    const now = new Date();
    const resourceArn = `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${API_ID}/${stage}/${method}${route.path}`;

    let authorizerContext: Record<string, unknown> | undefined;
    let usageKey: string | null = null;
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
        return sendProblem(
          res,
          requestId,
          500,
          '/errors/unexpected-error',
          'Unexpected error',
          'The authorizer failed',
        );
      }
      const allowed = result.policyDocument.Statement.some(
        (statement) => 'Effect' in statement && statement.Effect === 'Allow',
      );
      usageKey = result.usageIdentifierKey ?? null;
      if (!allowed || !usageKey) {
        return sendProblem(
          res,
          requestId,
          403,
          '/errors/insufficient-permissions',
          'Insufficient permissions',
          'Forbidden',
        );
      }
      if (throttled(usageKey)) {
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

    const context = requestContextOf({ route, method, url, stage, requestId, now, req });
    const event: APIGatewayProxyEvent = {
      resource: route.path,
      path: url.pathname,
      httpMethod: method,
      headers: headers.single,
      multiValueHeaders: headers.multi,
      queryStringParameters: query.single,
      multiValueQueryStringParameters: query.multi,
      pathParameters,
      stageVariables: null,
      requestContext: {
        ...context,
        identity: { ...context.identity, apiKey: usageKey, apiKeyId: usageKey ? keyIdFor(usageKey) : null },
        authorizer: authorizerContext ?? null,
      },
      body: body.length > 0 ? body.toString('utf8') : null,
      isBase64Encoded: false,
    };

    let result: APIGatewayProxyResult;
    try {
      const handler = await handlerFor(route);
      result = await withTimeout(
        handler(event, lambdaContext(route.name, INTEGRATION_TIMEOUT_MS, region)),
        INTEGRATION_TIMEOUT_MS,
      );
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
  };

  const server: Server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) send(res, 'unknown', 500, { message: 'Internal server error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
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

function compilePath(path: string): { pattern: RegExp; names: string[] } {
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

function matchRoute(
  compiled: ReadonlyArray<{ route: HttpRouteDefinition; pattern: RegExp; names: string[] }>,
  method: string,
  pathname: string,
): { route: HttpRouteDefinition; pathParameters: Record<string, string> | null } | undefined {
  for (const { route, pattern, names } of compiled) {
    if (route.method !== method) continue;
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

function collectHeaders(req: IncomingMessage) {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    single[name.toLowerCase()] = value;
    multi[name.toLowerCase()] = [...(multi[name.toLowerCase()] ?? []), value];
  }
  return { single, multi };
}

function collectQuery(url: URL) {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  const any = Object.keys(single).length > 0;
  return { single: any ? single : null, multi: any ? multi : null };
}

function requestContextOf(input: {
  route: HttpRouteDefinition;
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

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, requestId: string, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
    'x-amzn-requestid': requestId,
  });
  res.end(payload);
}

function sendProblem(
  res: ServerResponse,
  requestId: string,
  status: number,
  type: string,
  title: string,
  detail: string,
) {
  send(res, requestId, status, { type, title, status, detail });
}
