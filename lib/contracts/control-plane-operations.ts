import { storePathSchema } from './common.js';
import {
  apiKeyOutputSchema,
  createStoreRequestDocumentedSchema,
  createStoreResponseSchema,
  keyIdPathSchema,
  listApiKeysQuerySchema,
  listApiKeysResponseSchema,
  listDetectorsResponseSchema,
  listStoresResponseSchema,
  mintApiKeyRequestSchema,
  mintApiKeyResponseSchema,
  rotateApiKeyRequestSchema,
  rotateApiKeyResponseSchema,
  storeOutputSchema,
  updateApiKeyRequestSchema,
  updateStoreRequestDocumentedSchema,
} from './control-plane.js';
import {
  createExtractorRequestSchema,
  extractorPathSchema,
  extractorSchema,
  listExtractorsResponseSchema,
  updateExtractorRequestSchema,
} from './documents.js';
import type { OperationContract } from './operations.js';

/**
 * What each control-plane operation takes and answers, by the reference operationId that
 * `adminApi.routes` in `functions/catalog.ts` gives it (with method and path). As for the data
 * plane (`operations.ts`), the schemas are the handler's own, or their documented form where the
 * handler checks nested settings in a second step; an end-to-end test checks every success body
 * against `response`.
 */
export type AdminOperationContract = Omit<OperationContract, 'operationId' | 'headers'>;

const contracts = {
  ListStores: {
    summary: 'Every store, with its configuration',
    status: 200,
    response: listStoresResponseSchema,
    errors: [],
  },
  CreateStore: {
    summary: 'Create a store (a tenant of the data plane) with its configuration',
    description:
      'Settings left out take their defaults (short-term TTL 1 h, long-term TTL 1 year, cadence ' +
      '300 s, `discrete` extraction). `extractionStrategies` is an extension; `extractionStrategy` ' +
      'is accepted for compatibility.',
    body: createStoreRequestDocumentedSchema,
    bodyRequired: true,
    status: 201,
    response: createStoreResponseSchema,
    errors: [413],
  },
  GetStore: {
    summary: "A store's configuration, flattened next to its id, name and status",
    pathParameters: storePathSchema,
    status: 200,
    response: storeOutputSchema,
    errors: [404],
  },
  UpdateStore: {
    summary: "Change a store's name or settings (partial update)",
    description:
      'Custom memory types are immutable once registered except their extraction prompt and switch ' +
      '(`updateCustomMemoryTypeStrategies`); new ones come through `addCustomMemoryTypes` (at most 3 ' +
      'in all). `longTermMemoryExclusions` is replaced as a whole, but an omitted nested part keeps ' +
      'its current value and `[]` clears a detector list.',
    pathParameters: storePathSchema,
    body: updateStoreRequestDocumentedSchema,
    bodyRequired: true,
    status: 200,
    response: storeOutputSchema,
    errors: [404, 413],
  },
  DeleteStore: {
    summary: 'Delete a store and everything in it',
    description:
      'The store answers 404 at once; every API key loses its grant on it, and a key left with no ' +
      'grant is revoked; then its data is flushed.',
    pathParameters: storePathSchema,
    status: 204,
    errors: [404],
  },
  ListAPIKeys: {
    summary: 'API keys, in key-id order, paged (never their tokens)',
    query: listApiKeysQuerySchema,
    status: 200,
    response: listApiKeysResponseSchema,
    errors: [],
  },
  MintAPIKey: {
    summary: 'Mint an API key for the data plane; its token is in this answer only',
    description:
      'Grants name stores that exist (400 otherwise); `write` implies `read`. `plan` (extension) is ' +
      "the usage-plan tier that meters the key, the deployment's default when absent.",
    body: mintApiKeyRequestSchema,
    bodyRequired: true,
    status: 201,
    response: mintApiKeyResponseSchema,
    errors: [413],
  },
  GetAPIKey: {
    summary: 'One API key (never its token)',
    pathParameters: keyIdPathSchema,
    status: 200,
    response: apiKeyOutputSchema,
    errors: [404],
  },
  UpdateAPIKey: {
    summary: "Rename a key or replace its grants (effective within the authorizer's cache interval)",
    pathParameters: keyIdPathSchema,
    body: updateApiKeyRequestSchema,
    bodyRequired: true,
    status: 200,
    response: apiKeyOutputSchema,
    errors: [404, 413],
  },
  RevokeAPIKey: {
    summary: 'Revoke an API key',
    pathParameters: keyIdPathSchema,
    status: 204,
    errors: [404],
  },
  RotateAPIKey: {
    summary: 'Replace a key by a new one; the old one keeps working for `graceSeconds`',
    description:
      'Make-before-break: the new key (same name, grants and plan) works at once, its token is in ' +
      'this answer only. A key already rotated cannot be rotated again (409): rotate its replacement.',
    pathParameters: keyIdPathSchema,
    body: rotateApiKeyRequestSchema,
    status: 201,
    response: rotateApiKeyResponseSchema,
    errors: [404, 409, 413],
  },
  ListDetectors: {
    summary: "The built-in sensitive-data detectors a store's exclusions can switch on",
    status: 200,
    response: listDetectorsResponseSchema,
    errors: [],
  },
  ListExtractors: {
    summary: "A store's document extractors (MemoryETL)",
    pathParameters: storePathSchema,
    status: 200,
    response: listExtractorsResponseSchema,
    errors: [404],
  },
  CreateExtractor: {
    summary: 'Create a document extractor: a custom memory type, instructions for the model, a model',
    description:
      'Instructions are checked as custom extraction prompts are (no instructions that override the ' +
      'extraction rules; only the documented `{{…}}` variables). `model` must be one the deployment ' +
      "allows (the store's `models.llm.model`, the default). At most 20 per store (409 beyond).",
    pathParameters: storePathSchema,
    body: createExtractorRequestSchema,
    bodyRequired: true,
    status: 201,
    response: extractorSchema,
    errors: [404, 409, 413],
  },
  GetExtractor: {
    summary: 'One document extractor',
    pathParameters: extractorPathSchema,
    status: 200,
    response: extractorSchema,
    errors: [404],
  },
  UpdateExtractor: {
    summary: "Change an extractor's name, description, instructions or model (its memory type is fixed)",
    pathParameters: extractorPathSchema,
    body: updateExtractorRequestSchema,
    bodyRequired: true,
    status: 200,
    response: extractorSchema,
    errors: [404, 413],
  },
  DeleteExtractor: {
    summary: 'Delete an extractor (the memories it wrote stay; its pending documents fail)',
    pathParameters: extractorPathSchema,
    status: 204,
    errors: [404],
  },
} satisfies Record<string, AdminOperationContract>;

export type AdminOperationId = keyof typeof contracts;
export const adminOperationContracts: Readonly<Record<AdminOperationId, AdminOperationContract>> = contracts;

/** The contract of an admin operation, or undefined when it has none (a test requires one for each). */
export function adminOperationContractOf(operationId: string): AdminOperationContract | undefined {
  return Object.hasOwn(adminOperationContracts, operationId)
    ? adminOperationContracts[operationId as AdminOperationId]
    : undefined;
}
