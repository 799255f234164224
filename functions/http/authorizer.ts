import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { coreApp } from '../../lib/composition/core-app.js';
import { presentedApiKey } from '../../lib/domain/api-key.js';
import { describeError } from '../../lib/observability/logger.js';

/**
 * API Gateway REQUEST authorizer. Resolves the presented key (`Authorization: Bearer` or
 * `X-Api-Key`) to its store grants and returns them in the context; handlers check the path's
 * store against them. The key is also returned as `usageIdentifierKey`, so API Gateway meters it
 * against its usage plan (`apiKeySource: AUTHORIZER`). The policy covers every route of the API,
 * because API Gateway caches it per key, whichever route asked first.
 *
 * An unknown key throws `Unauthorized` (API Gateway answers 401); the key is never logged.
 */
export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const token = presentedApiKey(event.headers ?? {});
  if (!token) throw new Error('Unauthorized');
  const app = coreApp();
  let record: Awaited<ReturnType<typeof app.apiKeys.resolveKey>>;
  try {
    record = await app.apiKeys.resolveKey(token);
  } catch (error) {
    // Fail closed; API Gateway turns a thrown non-"Unauthorized" error into a 500.
    app.logger.error('authorizer could not read the key registry', describeError(error));
    throw new Error('Key registry unavailable');
  }
  if (!record) throw new Error('Unauthorized');
  return {
    principalId: record.keyId,
    usageIdentifierKey: token,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: apiWideArn(event.methodArn) }],
    },
    context: { keyId: record.keyId, grants: JSON.stringify(record.grants) },
  };
}

/** arn:aws:execute-api:region:account:apiId/stage/METHOD/path -> arn:…:apiId/stage/* */
function apiWideArn(methodArn: string): string {
  const [prefix, stage] = methodArn.split('/');
  return `${prefix}/${stage}/*`;
}
