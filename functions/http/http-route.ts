import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod';
import { checkEnvironmentAtInit } from '../../lib/composition/cold-start.js';
import { scopeToRequest } from '../../lib/composition/request-scope.js';
import { ENV } from '../../lib/config/env-names.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { parseInput } from '../../lib/contracts/parse.js';
import {
  DependencyUnavailableError,
  DomainError,
  PayloadTooLargeError,
  ValidationError,
} from '../../lib/domain/errors.js';
import {
  allowsStoreAction,
  assertStoreAccess,
  type Grant,
  grantsSchema,
  type StoreAction,
} from '../../lib/domain/grants.js';
import { LIMITS } from '../../lib/domain/limits.js';
import { withInvocationDeadline } from '../../lib/observability/invocation-deadline.js';
import { createLogger, describeError } from '../../lib/observability/logger.js';
import { JSON_HEADERS, problemResponse } from './problem.js';

/** What a route's handler receives: the raw path/query values and the parsed (but unvalidated) body. */
export interface HttpRequest {
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  /** Query parameters; a name given more than once is rejected before the handler runs. */
  readonly query: Readonly<Record<string, string>>;
  /** `undefined` when the request had no body, and always with the `raw` body option. */
  readonly body: unknown;
  /** The body as text (base64 decoded) with the `raw` body option; `undefined` otherwise or when empty. */
  readonly rawBody: string | undefined;
  /** The caller's grants, as the authorizer resolved them (empty for `action: 'none'`). */
  readonly grants: readonly Grant[];
  /** The store from the path, already checked against the caller's grants. */
  readonly storeId: string;
  readonly method: string;
  /** The matched API Gateway resource, e.g. `/v1/api-keys/{keyId}`. */
  readonly resource: string;
  /** The IAM caller of an IAM-authorized route (admin API); undefined elsewhere. */
  readonly callerArn: string | undefined;
  /** A request header by its lower-case name. */
  header(name: string): string | undefined;
  /** Every request header, by lower-case name (the last value of a repeated one). */
  readonly headers: Readonly<Record<string, string>>;
  /** The request path as the client sent it (without the stage), e.g. `/v1/stores/s1/mcp`. */
  readonly path: string;
}

export interface HttpRouteResult {
  readonly status: number;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as is, instead of `body` (a protocol's own response, e.g. MCP's JSON-RPC). */
  readonly text?: string;
  /** Headers besides the JSON content type (which `headers` may override). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HttpRouteOptions<App> {
  /** What the caller's key must grant on the path's store; `none` skips the check (`/health`). */
  readonly action: StoreAction | 'none';
  /**
   * The function's composition root (`coreApp`, `memoryApp`, …): a function imports only the level
   * it uses, so its bundle carries nothing else. Its environment is parsed when the route is
   * defined (init). Omitted by a route that needs no configuration and no data (`/health`), which
   * then reads no variable and never loads the Upstash secret.
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

/** Failures are logged here, independent of any app (whose construction may be what failed). */
const logger = createLogger('agent-memory');

/**
 * The one middleware chain of every HTTP function, in a fixed order:
 * 0. CORS headers on every response, errors included (only when CORS_ALLOW_ORIGINS is set);
 * 1. problem responses (onError): every failure becomes a problem body here and nowhere else;
 * 2. store authorization (before): the path's store against the grants the authorizer resolved;
 * 3. body (before): size and nesting limits; for JSON routes, content type and parse.
 * The handler then validates its inputs with zod and calls one use case.
 */
export function httpRoute<App = undefined>(options: HttpRouteOptions<App>, run: RouteHandler<App>) {
  const app = options.app;
  if (app) checkEnvironmentAtInit(logger);
  const appOf = app ?? (async () => undefined as App);
  // Store routes get the app of their store and caller (per-store caches, no access writes by a
  // read-only key: request-scope.ts); `none` routes have no store.
  const scopedApp = async (request: HttpRequest): Promise<App> =>
    options.action === 'none'
      ? appOf()
      : scopeToRequest(await appOf(), {
          storeId: request.storeId,
          mayWrite: allowsStoreAction(request.grants, request.storeId, 'write'),
        });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(corsHeaders())
    .use(problemResponses())
    .use(storeAuthorization(options.action))
    .use(jsonBody(options.body ?? 'json'))
    .handler(async (event, context) => {
      const parsed = event as ParsedEvent;
      const request: HttpRequest = {
        pathParameters: event.pathParameters ?? {},
        query: singleValuedQuery(event),
        body: parsed.parsedBody,
        rawBody: parsed.rawBody,
        grants: parsed.grants ?? [],
        storeId: event.pathParameters?.storeId ?? '',
        method: event.httpMethod,
        resource: event.resource,
        callerArn: event.requestContext?.identity?.userArn ?? undefined,
        header: (name) => headerValue(event.headers, name),
        headers: lowerCaseHeaders(event.headers),
        path: event.path,
      };
      // Redis calls are cut to the time left, so a slow dependency ends in a retryable problem
      // rather than in middy's early timeout or the function's own (API Gateway: a bare 502).
      const result = await withInvocationDeadline(context?.getRemainingTimeInMillis?.(), async () =>
        run(request, await scopedApp(request)),
      );
      return {
        statusCode: result.status,
        headers: { ...JSON_HEADERS, ...result.headers },
        body: result.text ?? (result.body === undefined ? '' : JSON.stringify(result.body)),
      };
    });
}

type ParsedEvent = APIGatewayProxyEvent & { parsedBody?: unknown; rawBody?: string; grants?: Grant[] };

function problemResponses(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    name: 'problemResponses',
    onError: (request) => {
      const response = problemResponse(outOfTime(request.error), request.event.path);
      if (response.statusCode >= 500 || request.error?.name === 'TimeoutError') {
        logger.error('request failed', {
          route: request.event.resource,
          requestId: request.event.requestContext?.requestId,
          ...describeError(request.error),
        });
      }
      request.response = response;
    },
  };
}

/**
 * middy answers for a handler still running just before the function's timeout with its own
 * `TimeoutError`; the dependency that kept it waiting is unavailable, so say that (retryable).
 */
function outOfTime(error: Error | null): unknown {
  return error && !(error instanceof DomainError) && error.name === 'TimeoutError'
    ? new DependencyUnavailableError('A dependency did not answer in time', 1)
    : error;
}

/** Origins allowed by the deployment (CORS_ALLOW_ORIGINS, comma-separated; `*` for any). */
const corsOrigins = (process.env[ENV.corsAllowOrigins] ?? '')
  .split(',')
  .map((origin) => origin.trim())
  .filter((origin) => origin.length > 0);

function corsHeaders(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const add = (request: { event: APIGatewayProxyEvent; response: APIGatewayProxyResult | null }) => {
    if (corsOrigins.length === 0 || !request.response) return;
    const origin = headerValue(request.event.headers, 'origin');
    if (!origin || !(corsOrigins.includes('*') || corsOrigins.includes(origin))) return;
    request.response.headers = {
      ...request.response.headers,
      'access-control-allow-origin': corsOrigins.includes('*') ? '*' : origin,
      // Without this a page cannot read them: the SDK waits as `Retry-After` says and reports the request id.
      'access-control-expose-headers': 'Retry-After, x-amzn-RequestId',
      vary: 'Origin',
    };
  };
  // onError runs after problemResponses' (middy unwinds in reverse), so error bodies get them too.
  return { name: 'corsHeaders', after: add, onError: add };
}

const authorizerContextSchema = z.object({ grants: z.string() });

function storeAuthorization(action: StoreAction | 'none'): MiddlewareObj<APIGatewayProxyEvent> {
  return {
    name: 'storeAuthorization',
    before: (request) => {
      if (action === 'none') return;
      const { storeId } = parseInput(storePathSchema, request.event.pathParameters ?? {}, 'path');
      // API Gateway (or the local adapter) only invokes us after the authorizer allowed the key, so a
      // missing or malformed context is a wiring fault; deny rather than guess.
      const context = authorizerContextSchema.safeParse(request.event.requestContext?.authorizer);
      const grants = context.success ? grantsSchema.safeParse(safeJson(context.data.grants)) : undefined;
      const resolved = grants?.success ? grants.data : [];
      assertStoreAccess(resolved, storeId, action);
      (request.event as ParsedEvent).grants = resolved;
    },
  };
}

function jsonBody(mode: 'json' | 'raw'): MiddlewareObj<APIGatewayProxyEvent> {
  return {
    name: 'jsonBody',
    before: (request) => {
      const event = request.event as ParsedEvent;
      if (event.body === null || event.body === undefined || event.body === '') return;
      const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      if (Buffer.byteLength(raw, 'utf8') > LIMITS.requestBodyBytes) {
        throw new PayloadTooLargeError(`The request body exceeds ${LIMITS.requestBodyBytes} bytes`, [
          { field: 'body', rule: 'maxBytes', message: `must be at most ${LIMITS.requestBodyBytes} bytes` },
        ]);
      }
      if (mode === 'raw') {
        if (nestingDeeperThan(raw, LIMITS.jsonNestingDepth)) throw tooDeep();
        event.rawBody = raw;
        return;
      }
      const contentType = headerValue(event.headers, 'content-type');
      if (contentType !== undefined && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
        throw new ValidationError('The request body must be JSON', [
          { field: 'content-type', rule: 'mediaType', message: 'must be application/json' },
        ]);
      }
      if (nestingDeeperThan(raw, LIMITS.jsonNestingDepth)) throw tooDeep();
      try {
        event.parsedBody = JSON.parse(raw);
      } catch {
        throw new ValidationError('The request body is not valid JSON', [
          { field: 'body', rule: 'json', message: 'must be valid JSON' },
        ]);
      }
    },
  };
}

function tooDeep(): ValidationError {
  return new ValidationError(`The request body nests deeper than ${LIMITS.jsonNestingDepth} levels`, [
    { field: 'body', rule: 'maxDepth', message: `must nest at most ${LIMITS.jsonNestingDepth} levels` },
  ]);
}

/**
 * Whether JSON text opens more than `max` objects/arrays at once. Scans the text before parsing, so
 * a hostile body never reaches the recursive serializers downstream (JSON.stringify of the stored
 * event, the memory's content hash). Brackets inside strings do not count.
 */
function nestingDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      // A backslash escapes the next character, which may be a quote.
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth > max) return true;
    } else if (c === '}' || c === ']') {
      depth--;
    }
  }
  return false;
}

function singleValuedQuery(event: APIGatewayProxyEvent): Record<string, string> {
  const query: Record<string, string> = {};
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value === undefined) continue;
    if ((multi[name]?.length ?? 1) > 1) {
      throw new ValidationError(`Query parameter ${name} is given more than once`, [
        { field: name, rule: 'single', message: 'must be given once' },
      ]);
    }
    query[name] = value;
  }
  return query;
}

function headerValue(headers: APIGatewayProxyEvent['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers']): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {}))
    if (value !== undefined) lower[key.toLowerCase()] = value;
  return lower;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
