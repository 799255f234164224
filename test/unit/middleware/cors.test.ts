import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { corsHeaders } from '../../../functions/middleware/cors.js';
import { problemResponses } from '../../../functions/middleware/problem-responses.js';
import { ForbiddenError } from '../../../lib/domain/errors.js';
import type { Logger } from '../../../lib/observability/logger.js';
import { lambdaContext, restApiEvent } from './api-gateway-event.js';

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const ok = async (): Promise<APIGatewayProxyResult> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: '{}',
});

function fromOrigin(origin: string | undefined): APIGatewayProxyEvent {
  const event = restApiEvent();
  return origin === undefined ? event : { ...event, headers: { ...event.headers, Origin: origin } };
}

function route(allowOrigins: readonly string[], handler = ok) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(corsHeaders(allowOrigins))
    .use(problemResponses(quiet))
    .handler(handler);
}

describe('corsHeaders', () => {
  it('answers an allowed origin with its own name, the exposed headers and Vary', async () => {
    // Act
    const response = await route(['https://app.example.com', 'http://localhost:3000'])(
      fromOrigin('http://localhost:3000'),
      lambdaContext(),
    );

    // Assess
    expect(response.headers).toEqual({
      'content-type': 'application/json',
      'access-control-allow-origin': 'http://localhost:3000',
      'access-control-expose-headers': 'Retry-After, x-amzn-RequestId',
      vary: 'Origin',
    });
  });

  it('answers any origin with * when the deployment allows any', async () => {
    const response = await route(['*'])(fromOrigin('https://elsewhere.example'), lambdaContext());
    expect(response.headers?.['access-control-allow-origin']).toBe('*');
  });

  it('adds nothing for an origin not on the list, a request without Origin, or no list at all', async () => {
    const cases = [
      await route(['https://app.example.com'])(fromOrigin('https://evil.example'), lambdaContext()),
      await route(['https://app.example.com'])(fromOrigin(undefined), lambdaContext()),
      await route([])(fromOrigin('https://app.example.com'), lambdaContext()),
    ];
    for (const response of cases) expect(response.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('adds them to error responses too (it unwinds after problemResponses)', async () => {
    // Prepare
    const failing = route(['https://app.example.com'], async () => {
      throw new ForbiddenError('This API key has no access to this store');
    });

    // Act
    const response = await failing(fromOrigin('https://app.example.com'), lambdaContext());

    // Assess
    expect(response.statusCode).toBe(403);
    expect(response.headers?.['access-control-allow-origin']).toBe('https://app.example.com');
  });
});
