import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ValidationError } from '../../lib/domain/errors.js';
import type { Grant } from '../../lib/domain/grants.js';
import { headerValue, lowerCaseHeaders } from '../middleware/headers.js';
import type { BodyEvent } from '../middleware/json-body.js';
import type { AuthorizedEvent } from '../middleware/store-authorization.js';

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
  /**
   * The caller key's principal (decision record 0020): the same for a key and the keys that
   * replaced it by rotation. Undefined for `action: 'none'` routes.
   */
  readonly principal: string | undefined;
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

/** The handler's view of an event the middlewares have read (grants, body). */
export function toHttpRequest(event: APIGatewayProxyEvent): HttpRequest {
  const read = event as AuthorizedEvent & BodyEvent;
  return {
    pathParameters: event.pathParameters ?? {},
    query: singleValuedQuery(event),
    body: read.parsedBody,
    rawBody: read.rawBody,
    grants: read.grants ?? [],
    principal: read.principal,
    method: event.httpMethod,
    resource: event.resource,
    callerArn: event.requestContext?.identity?.userArn ?? undefined,
    header: (name) => headerValue(event.headers, name),
    headers: lowerCaseHeaders(event.headers),
    path: event.path,
  };
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
