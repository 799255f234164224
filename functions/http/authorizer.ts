import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { checkEnvironmentAtInit, readConfigAtInit } from '../../lib/composition/cold-start.js';
import { coreApp } from '../../lib/composition/core-app.js';
import { readAuthorizerConfig } from '../../lib/config/runtime-config.js';
import { presentedApiKey, principalOf, usageIdentifierOf } from '../../lib/domain/api-key.js';
import { describeError, logger, powertoolsLogger } from '../../lib/observability/logger.js';
import { flushMetrics } from '../../lib/observability/metrics.js';
import { CachedKeyResolver } from '../../lib/use-cases/access/resolve-api-key.js';

// At init: a missing or malformed variable stops the authorizer before its first request, and the
// log names it.
checkEnvironmentAtInit(logger);
const { apiKeyCacheSeconds } = readConfigAtInit(logger, readAuthorizerConfig);
let resolver: CachedKeyResolver | undefined;

/**
 * API Gateway REQUEST authorizer. Resolves the presented key (`Authorization: Bearer` or
 * `X-Api-Key`) to its store grants and returns them in the context; handlers check the path's
 * store against them. The key's usage identifier (its SHA-256, the value of its API Gateway key)
 * is returned as `usageIdentifierKey`, so API Gateway meters it against its usage plan
 * (`apiKeySource: AUTHORIZER`). The policy covers every route of the API:
 * the per-store check is the handler's, against the grants.
 *
 * An unknown, revoked or expired key throws `Unauthorized` (API Gateway answers 401); the key is
 * never logged. Registry failures fail closed: API Gateway answers 503 with Retry-After (the
 * AUTHORIZER_FAILURE response of infra/constructs/memory-api.ts).
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
): Promise<APIGatewayAuthorizerResult> {
  // Not a middy chain (no body, no problem responses): the logger gets the context by hand.
  powertoolsLogger.addContext(context);
  try {
    return await authorize(event);
  } finally {
    flushMetrics();
  }
}

async function authorize(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const token = presentedApiKey(event.headers ?? {});
  if (!token) throw new Error('Unauthorized');
  let record: Awaited<ReturnType<CachedKeyResolver['resolve']>>;
  try {
    const app = await coreApp();
    resolver ??= new CachedKeyResolver(app.apiKeys, app.clock, apiKeyCacheSeconds * 1000);
    record = await resolver.resolve(token);
  } catch (error) {
    logger.error('authorizer could not read the key registry', describeError(error));
    throw new Error('Key registry unavailable');
  }
  if (!record) throw new Error('Unauthorized');
  return {
    principalId: record.keyId,
    usageIdentifierKey: usageIdentifierOf(token),
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: apiWideArn(event.methodArn) }],
    },
    context: {
      keyId: record.keyId,
      grants: JSON.stringify(record.grants),
      // Who owns what the key creates (summary views): stable across rotation.
      principal: principalOf(record),
    },
  };
}

/** arn:aws:execute-api:region:account:apiId/stage/METHOD/path -> arn:…:apiId/stage/* */
function apiWideArn(methodArn: string): string {
  const [prefix, stage] = methodArn.split('/');
  return `${prefix}/${stage}/*`;
}
