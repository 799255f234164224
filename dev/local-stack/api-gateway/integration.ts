import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { readBody } from '../http-kit.js';
import { matchRoute, type RoutedMethods } from './proxy-events.js';

/** API Gateway's own payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway's default integration timeout. */
export const INTEGRATION_TIMEOUT_MS = 29_000;

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

class IntegrationTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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
  const body = await readBody(req, { maxBytes: MAX_BODY_BYTES });
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
