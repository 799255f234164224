import type * as z from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { adminApi } from '../../functions/catalog.js';
import { fieldErrorSchema, problemSchema } from '../../lib/contracts/common.js';
import {
  apiKeyOutputSchema,
  createStoreRequestDocumentedSchema,
  createStoreResponseSchema,
  iamDenialSchema,
  listApiKeysResponseSchema,
  listDetectorsResponseSchema,
  mintApiKeyRequestSchema,
  mintApiKeyResponseSchema,
  rotateApiKeyRequestSchema,
  rotateApiKeyResponseSchema,
  storeModelsSchema,
  storeOutputSchema,
  updateApiKeyRequestSchema,
  updateStoreRequestDocumentedSchema,
} from '../../lib/contracts/control-plane.js';
import { adminOperationContractOf } from '../../lib/contracts/control-plane-operations.js';
import {
  customMemoryTypeSchema,
  exclusionsSchema,
  extractionStrategySchema,
  summarizationSchema,
} from '../../lib/contracts/store-config.js';
import { grantSchema } from '../../lib/domain/grants.js';
import { ERROR_DESCRIPTIONS } from './document.js';
import { addOperation, createOpenDocument, problemResponse } from './operation-rendering.js';

/**
 * Schemas of the control plane that become named components (see `namedSchemas`). `ListStores`'s
 * envelope stays inline: a named component referring to `StoreOutput` would make zod-openapi render
 * `StoreOutput` for requests too (its nested settings have defaults, so the two differ) and name the
 * answer's `StoreOutputOutput`.
 */
const controlPlaneNamedSchemas: Record<string, z.ZodType> = {
  CreateStoreRequest: createStoreRequestDocumentedSchema,
  CreateStoreResponse: createStoreResponseSchema,
  UpdateStoreRequest: updateStoreRequestDocumentedSchema,
  StoreOutput: storeOutputSchema,
  StoreModels: storeModelsSchema,
  ExtractionStrategy: extractionStrategySchema,
  CustomMemoryType: customMemoryTypeSchema,
  Summarization: summarizationSchema,
  LongTermMemoryExclusions: exclusionsSchema,
  MintAPIKeyRequest: mintApiKeyRequestSchema,
  MintAPIKeyResponse: mintApiKeyResponseSchema,
  UpdateAPIKeyRequest: updateApiKeyRequestSchema,
  RotateAPIKeyRequest: rotateApiKeyRequestSchema,
  RotateAPIKeyResponse: rotateApiKeyResponseSchema,
  ApiKeyOutput: apiKeyOutputSchema,
  Grant: grantSchema,
  ListAPIKeysResponse: listApiKeysResponseSchema,
  ListDetectorsResponse: listDetectorsResponseSchema,
  FieldError: fieldErrorSchema,
  Problem: problemSchema,
  IamDenial: iamDenialSchema,
};

/**
 * Every admin call can answer these: 403 is API Gateway's refusal of the IAM signature or policy,
 * 429 the stage's throttle, 424 an unavailable Redis.
 */
const CONTROL_PLANE_COMMON_ERRORS = [400, 403, 424, 429, 500] as const;

const CONTROL_PLANE_ERROR_DESCRIPTIONS: Record<number, string> = {
  ...ERROR_DESCRIPTIONS,
  403:
    "API Gateway refused the request's SigV4 signature or the caller's IAM policy " +
    "(`x-amzn-ErrorType` says which); the body is API Gateway's own `{message}`, not a problem",
  404: 'The store or API key does not exist',
  409: 'The API key was already rotated: rotate its replacement',
  413: 'The body exceeds a documented limit',
  424: 'Redis is unavailable; retry after `Retry-After` seconds',
  429: "Over the stage's throttle; retry later",
};

export const CONTROL_PLANE_VERSION_INFO = {
  title: 'Agent Memory Control Plane API',
  version: '1.0.0',
  description:
    'Stores (tenants and their configuration) and the API keys of the data plane, for operators. ' +
    'Every call is signed with AWS Signature Version 4 (service `execute-api`) by an IAM identity ' +
    'allowed to invoke the API; the operator CLI (`npm run admin`) signs with the default AWS ' +
    "credential chain. Follows the reference's self-managed Control Plane; `plan`, " +
    '`extractionStrategies` and `models` are extensions. Generated from the zod contracts the ' +
    'handler uses: do not edit by hand (`npm run openapi`).',
};

/** The control plane (admin API) as an OpenAPI 3.1 document, from `adminApi.routes` and their contracts. */
export function buildControlPlaneDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of adminApi.routes) {
    const c = adminOperationContractOf(route.operation);
    if (!c) throw new Error(`admin operation ${route.operation} has no entry in control-plane-operations.ts`);
    addOperation(paths, route, c, {
      operationId: route.operation,
      tag: route.path.split('/')[2] ?? 'stores',
      extensions: {},
      security: [{ sigv4: [] }],
      errorStatuses: [...CONTROL_PLANE_COMMON_ERRORS, ...c.errors],
      errorResponse: (status) =>
        status === 403
          ? {
              description: CONTROL_PLANE_ERROR_DESCRIPTIONS[403] ?? 'Forbidden',
              content: { 'application/json': { schema: iamDenialSchema } },
            }
          : problemResponse(CONTROL_PLANE_ERROR_DESCRIPTIONS[status]),
    });
  }
  return createOpenDocument({
    openapi: '3.1.0',
    info: CONTROL_PLANE_VERSION_INFO,
    servers: [
      {
        url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}',
        description: 'The deployed admin API (`npm run dev` prints the local one, on a free port)',
        variables: {
          restApiId: { default: 'restApiId', description: "The admin API's id (stack output)" },
          region: { default: 'us-east-1' },
          stage: { default: 'dev' },
        },
      },
    ],
    tags: [
      { name: 'stores', description: 'Stores: the tenants of the data plane, and their configuration' },
      { name: 'api-keys', description: "The data plane's API keys: mint, grant, rotate, revoke" },
      { name: 'detectors', description: 'The sensitive-data detectors a store can exclude' },
    ],
    components: {
      schemas: controlPlaneNamedSchemas,
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'AWS Signature Version 4 (service `execute-api`) by an IAM identity allowed `execute-api:Invoke`',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
    paths,
  });
}
