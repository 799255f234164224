import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { headerValue } from './headers.js';

/**
 * CORS headers on every response of an allowed origin, error responses included. `allowOrigins`
 * is the deployment's list (`readHttpConfig`: CORS_ALLOW_ORIGINS); empty means no CORS at all, and
 * `*` allows any origin. Preflight (OPTIONS) is API Gateway's (infra/constructs/memory-api.ts).
 */
export function corsHeaders(
  allowOrigins: readonly string[],
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const any = allowOrigins.includes('*');
  const add = (request: { event: APIGatewayProxyEvent; response: APIGatewayProxyResult | null }) => {
    if (allowOrigins.length === 0 || !request.response) return;
    const origin = headerValue(request.event.headers, 'origin');
    if (!origin || !(any || allowOrigins.includes(origin))) return;
    request.response.headers = {
      ...request.response.headers,
      'access-control-allow-origin': any ? '*' : origin,
      // Without this a page cannot read them: the SDK waits as `Retry-After` says and reports the request id.
      'access-control-expose-headers': 'Retry-After, x-amzn-RequestId',
      vary: 'Origin',
    };
  };
  // onError runs after problemResponses' (middy unwinds in reverse), so error bodies get them too.
  return { name: 'corsHeaders', after: add, onError: add };
}
