import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The account id of every local ARN and request context. */
export const ACCOUNT_ID = '000000000000';
export const API_ID = 'local';

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
