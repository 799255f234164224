import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../lib/config/env-names.js';

// Findings 10 and 13 of the 2026-12 review rest on every store route getting the app of its store and
// caller: the per-store embedding cache and the record store that a read-only key cannot touch.
const savedEnv = { ...process.env };

beforeEach(() => {
  vi.resetModules();
  // Parsed at route definition (init); nothing here connects.
  process.env[ENV.upstashUrl] = 'http://127.0.0.1:1';
  process.env[ENV.upstashToken] = 'unit-test-token';
});

afterEach(() => {
  process.env = { ...savedEnv };
});

const event = (actions: string[]) => ({
  httpMethod: 'GET',
  path: '/v1/stores/s1/long-term-memory/m1',
  resource: '/v1/stores/{storeId}/long-term-memory/{memoryId}',
  headers: {},
  pathParameters: { storeId: 's1', memoryId: 'm1' },
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  body: null,
  isBase64Encoded: false,
  requestContext: {
    requestId: 'scope-test',
    authorizer: { grants: JSON.stringify([{ resourceType: 'mem-store', resourceId: 's1', actions }]) },
  },
});

describe('httpRoute scopes the app to the request', () => {
  it.each([
    [['read'], false],
    [['read', 'write'], true],
  ])('grants %j: the handler gets the app for the path store, mayWrite %s', async (actions, mayWrite) => {
    // Prepare
    const { httpRoute } = await import('../../functions/http/http-route.js');
    const app = { forRequest: (scope: unknown) => ({ scope }) };
    const handler = httpRoute({ action: 'read', app: async () => app }, async (_request, scoped) => ({
      status: 200,
      body: scoped,
    }));

    // Act
    const response = await handler(event(actions) as never, {} as never);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ scope: { storeId: 's1', mayWrite } });
  });
});
