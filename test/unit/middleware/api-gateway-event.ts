import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/**
 * A REST API (v1) Lambda proxy event as API Gateway sends it to a data-plane route behind the
 * REQUEST authorizer (functions/http/authorizer.ts): header case as the client sent it, both
 * single- and multi-value maps, and the authorizer's context flattened into
 * `requestContext.authorizer` as strings beside `principalId` and `integrationLatency`.
 * Shape: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 */
export function restApiEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  const headers = { Host: 'abc123.execute-api.us-east-1.amazonaws.com', 'X-Api-Key': 'am_live_redacted' };
  return {
    resource: '/v1/stores/{storeId}/session-memory/events',
    path: '/v1/stores/store-a/session-memory/events',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { storeId: 'store-a' },
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: {
        principalId: '0f3c1a2b4d5e6f708192a3b4c5d6e7f8',
        integrationLatency: 41,
        keyId: '0f3c1a2b4d5e6f708192a3b4c5d6e7f8',
        grants: JSON.stringify([
          { resourceType: 'mem-store', resourceId: 'store-a', actions: ['read', 'write'] },
        ]),
      },
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      extendedRequestId: 'Tq1aBFlbIAMEbXw=',
      httpMethod: 'POST',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: '4c5b4e1f2d3a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4',
        apiKeyId: 'k1a2b3c4d5',
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.7',
        user: null,
        userAgent: 'agent-memory-sdk/0.1.0',
        userArn: null,
      },
      path: '/prod/v1/stores/store-a/session-memory/events',
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTime: '07/Dec/2026:19:00:00 +0000',
      requestTimeEpoch: 1796670000000,
      resourceId: 'r4nd0m',
      resourcePath: '/v1/stores/{storeId}/session-memory/events',
      stage: 'prod',
    },
    ...overrides,
  };
}

/** The grants context value the authorizer returns, as JSON text. */
export function grantsContext(grants: Array<{ store: string; actions: string[] }>): string {
  return JSON.stringify(
    grants.map((g) => ({ resourceType: 'mem-store', resourceId: g.store, actions: g.actions })),
  );
}

/** A Lambda context with time left, as middy and the deadline wrapper read it. */
export function lambdaContext(remainingMs = 10_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'agent-memory-add-session-event',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:agent-memory-add-session-event',
    memoryLimitInMB: '512',
    awsRequestId: '3f1e2d3c-0000-4000-8000-000000000000',
    logGroupName: '/aws/lambda/agent-memory-add-session-event',
    logStreamName: '2026/12/07/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
