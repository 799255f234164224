import middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  type AuthorizedEvent,
  storeAuthorization,
} from '../../../functions/middleware/store-authorization.js';
import { ForbiddenError, ValidationError } from '../../../lib/domain/errors.js';
import type { StoreAction } from '../../../lib/domain/grants.js';
import { grantsContext, lambdaContext, restApiEvent } from './api-gateway-event.js';

/** Runs the middleware alone (no error handler: failures reject) and returns what it left on the event. */
async function authorize(action: StoreAction | 'none', event: APIGatewayProxyEvent) {
  let seen: AuthorizedEvent | undefined;
  await middy<APIGatewayProxyEvent>()
    .use(storeAuthorization(action))
    .handler(async (authorized) => {
      seen = authorized as AuthorizedEvent;
    })(event, lambdaContext());
  return seen?.grants;
}

function withAuthorizer(
  authorizer: Record<string, unknown> | null,
  pathStore = 'store-a',
): APIGatewayProxyEvent {
  const event = restApiEvent({ pathParameters: { storeId: pathStore } });
  return { ...event, requestContext: { ...event.requestContext, authorizer } };
}

const gatewayContext = (grants: string) => ({
  principalId: '0f3c1a2b4d5e6f708192a3b4c5d6e7f8',
  integrationLatency: 12,
  keyId: '0f3c1a2b4d5e6f708192a3b4c5d6e7f8',
  grants,
});

describe('storeAuthorization', () => {
  it('hands on the grants of the authorizer context when they allow the action on the path store', async () => {
    const grants = await authorize('write', restApiEvent());
    expect(grants).toEqual([
      { resourceType: 'mem-store', resourceId: 'store-a', actions: ['read', 'write'] },
    ]);
  });

  it('lets write imply read', async () => {
    const event = withAuthorizer(gatewayContext(grantsContext([{ store: 'store-a', actions: ['write'] }])));
    await expect(authorize('read', event)).resolves.toHaveLength(1);
  });

  it('refuses a read-only key a write, and any key another store (403)', async () => {
    const readOnly = withAuthorizer(gatewayContext(grantsContext([{ store: 'store-a', actions: ['read'] }])));
    await expect(authorize('write', readOnly)).rejects.toThrow(ForbiddenError);
    const otherStore = withAuthorizer(
      gatewayContext(grantsContext([{ store: 'store-b', actions: ['read', 'write'] }])),
    );
    await expect(authorize('read', otherStore)).rejects.toThrow(ForbiddenError);
  });

  it('denies when the authorizer context is missing or malformed (a wiring fault, never a guess)', async () => {
    for (const authorizer of [
      null,
      { principalId: 'x' },
      gatewayContext('not json'),
      gatewayContext('[{"resourceType":"mem-store"}]'),
    ])
      await expect(authorize('read', withAuthorizer(authorizer))).rejects.toThrow(ForbiddenError);
  });

  it('answers a malformed store id with 400 before looking at the grants', async () => {
    for (const storeId of ['a_b', '..', '', 'x'.repeat(65), 'store-a%2F..'])
      await expect(authorize('read', withAuthorizer(gatewayContext('[]'), storeId))).rejects.toThrow(
        ValidationError,
      );
  });

  it("checks nothing for action 'none' (health, the IAM-authorized admin API)", async () => {
    await expect(authorize('none', withAuthorizer(null, 'not a store id'))).resolves.toBeUndefined();
  });
});
