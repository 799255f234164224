import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HttpRequest } from '../../../functions/http/http-route.js';
import { ENV } from '../../../lib/config/env-names.js';
import { grantsContext, lambdaContext, restApiEvent } from './api-gateway-event.js';

// The chain as a function gets it: CORS_ALLOW_ORIGINS is read when the route is defined (init).
const savedEnv = { ...process.env };
beforeEach(() => {
  vi.resetModules();
  process.env[ENV.corsAllowOrigins] = 'https://app.example.com';
});
afterEach(() => {
  process.env = { ...savedEnv };
});

async function echoRoute() {
  const { httpRoute } = await import('../../../functions/http/http-route.js');
  const seen: HttpRequest[] = [];
  const handler = httpRoute({ action: 'read' }, async (request) => {
    seen.push(request);
    return { status: 200, body: { ok: true }, headers: { 'x-extra': '1' } };
  });
  return { handler, seen };
}

const fromPage = (event = restApiEvent()) => ({
  ...event,
  headers: { ...event.headers, Origin: 'https://app.example.com' },
});

describe('httpRoute', () => {
  it('hands the handler the event as an HttpRequest and answers JSON with the CORS headers', async () => {
    // Prepare
    const { handler, seen } = await echoRoute();
    const event = fromPage(
      restApiEvent({
        body: '{"q":"x"}',
        queryStringParameters: { limit: '5' },
        multiValueQueryStringParameters: { limit: ['5'] },
      }),
    );

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
    expect(response.headers).toMatchObject({
      'content-type': 'application/json',
      'x-extra': '1',
      'access-control-allow-origin': 'https://app.example.com',
    });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      resource: '/v1/stores/{storeId}/session-memory/events',
      path: '/v1/stores/store-a/session-memory/events',
      pathParameters: { storeId: 'store-a' },
      query: { limit: '5' },
      body: { q: 'x' },
      grants: [{ resourceType: 'mem-store', resourceId: 'store-a', actions: ['read', 'write'] }],
      headers: { host: 'abc123.execute-api.us-east-1.amazonaws.com', origin: 'https://app.example.com' },
    });
    expect(seen[0]?.header('x-api-key')).toBe('am_live_redacted');
  });

  it('answers a denied store as a problem, with CORS headers, without running the handler', async () => {
    // Prepare
    const { handler, seen } = await echoRoute();
    const event = restApiEvent();
    const denied = fromPage({
      ...event,
      requestContext: {
        ...event.requestContext,
        authorizer: { principalId: 'k', grants: grantsContext([{ store: 'store-b', actions: ['read'] }]) },
      },
    });

    // Act
    const response = await handler(denied, lambdaContext());

    // Assess
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body).type).toBe('/errors/insufficient-permissions');
    expect(response.headers?.['access-control-allow-origin']).toBe('https://app.example.com');
    expect(seen).toHaveLength(0);
  });

  it('refuses a query parameter given twice (400)', async () => {
    const { handler } = await echoRoute();
    const response = await handler(
      restApiEvent({
        queryStringParameters: { limit: '9' },
        multiValueQueryStringParameters: { limit: ['5', '9'] },
      }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).fields).toEqual([
      { field: 'limit', rule: 'single', message: 'must be given once' },
    ]);
  });
});
