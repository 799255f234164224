import { adminApi } from '../../functions/catalog.js';
import { type AdminApp, adminApp } from '../../lib/composition/admin-app.js';
import { embeddingModelOf } from '../../lib/composition/embedder.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import {
  createStoreRequestSchema,
  keyIdSchema,
  listApiKeysQuerySchema,
  mintApiKeyRequestSchema,
  rotateApiKeyRequestSchema,
  type StoreModels,
  storeOutput,
  updateApiKeyRequestSchema,
  updateStoreRequestSchema,
} from '../../lib/contracts/control-plane.js';
import {
  createExtractorRequestSchema,
  extractorPathSchema,
  updateExtractorRequestSchema,
} from '../../lib/contracts/documents.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { BUILT_IN_DETECTORS, type StoreRecord } from '../../lib/contracts/store-config.js';
import { NotFoundError } from '../../lib/domain/errors.js';
import { DETECTOR_CATALOG } from '../../lib/domain/sensitive-data.js';
import {
  apiKeyOutput,
  getApiKey,
  listApiKeys,
  mintApiKey,
  revokeApiKey,
  rotateApiKey,
  updateApiKey,
} from '../../lib/use-cases/control-plane/api-keys.js';
import {
  createExtractor,
  deleteExtractor,
  getExtractor,
  listExtractors,
  updateExtractor,
} from '../../lib/use-cases/control-plane/extractors.js';
import {
  createStore,
  deleteStore,
  getStore,
  listStores,
  updateStore,
} from '../../lib/use-cases/control-plane/stores.js';
import { type HttpRequest, type HttpRouteResult, httpRoute } from '../http/http-route.js';

type Operation = (request: HttpRequest, app: AdminApp) => Promise<HttpRouteResult>;

/** The stage's models, shown with every store (see `StoreModels`). */
function modelsOf(app: AdminApp): StoreModels {
  const { embedding, extraction } = app.config;
  const model = embeddingModelOf(embedding);
  return {
    embedding: { provider: embedding.provider, model: model.id, dimensions: model.dimensions },
    llm: { provider: extraction.provider, model: extraction.modelId },
  };
}

const show = (store: StoreRecord, app: AdminApp) => storeOutput(store, modelsOf(app));

const storeIdOf = (request: HttpRequest) =>
  parseInput(storePathSchema, request.pathParameters, 'path').storeId;
const extractorPathOf = (request: HttpRequest) =>
  parseInput(extractorPathSchema, request.pathParameters, 'path');
/** The models an extractor may name: the stage's extraction model, the only one its functions are granted. */
const extractorDeps = (app: AdminApp) => ({ ...app, allowedModels: [app.config.extraction.modelId] });
const keyIdOf = (request: HttpRequest) => parseInput(keyIdSchema, request.pathParameters.keyId, 'path');

/** The control plane's operations, by the reference's operationId (routes: `adminApi` in the catalog). */
const OPERATIONS: Record<string, Operation> = {
  ListStores: async (_request, app) => ({
    status: 200,
    body: { stores: (await listStores(app)).map((store) => show(store, app)) },
  }),
  CreateStore: async (request, app) => {
    const store = await createStore(app, parseInput(createStoreRequestSchema, request.body ?? {}, 'body'));
    app.logger.info('store created', { storeId: store.storeId, caller: request.callerArn });
    return { status: 201, body: { storeId: store.storeId } };
  },
  GetStore: async (request, app) => ({
    status: 200,
    body: show(await getStore(app, storeIdOf(request)), app),
  }),
  UpdateStore: async (request, app) => {
    const storeId = storeIdOf(request);
    const store = await updateStore(
      app,
      storeId,
      parseInput(updateStoreRequestSchema, request.body ?? {}, 'body'),
    );
    app.logger.info('store updated', { storeId, caller: request.callerArn });
    return { status: 200, body: show(store, app) };
  },
  DeleteStore: async (request, app) => {
    await deleteStore(app, storeIdOf(request));
    return { status: 204 };
  },
  ListAPIKeys: async (request, app) => {
    const page = await listApiKeys(app, parseInput(listApiKeysQuerySchema, request.query, 'query'));
    return {
      status: 200,
      body: {
        apiKeys: page.apiKeys.map(apiKeyOutput),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      },
    };
  },
  MintAPIKey: async (request, app) => {
    const minted = await mintApiKey(app, parseInput(mintApiKeyRequestSchema, request.body ?? {}, 'body'));
    return { status: 201, body: minted };
  },
  GetAPIKey: async (request, app) => ({
    status: 200,
    body: apiKeyOutput(await getApiKey(app, keyIdOf(request))),
  }),
  UpdateAPIKey: async (request, app) => {
    const body = parseInput(updateApiKeyRequestSchema, request.body ?? {}, 'body');
    return { status: 200, body: apiKeyOutput(await updateApiKey(app, keyIdOf(request), body)) };
  },
  RevokeAPIKey: async (request, app) => {
    await revokeApiKey(app, keyIdOf(request));
    return { status: 204 };
  },
  RotateAPIKey: async (request, app) => {
    const { graceSeconds } = parseInput(rotateApiKeyRequestSchema, request.body ?? {}, 'body');
    return { status: 201, body: await rotateApiKey(app, keyIdOf(request), graceSeconds) };
  },
  ListExtractors: async (request, app) => ({
    status: 200,
    body: { extractors: await listExtractors(app, storeIdOf(request)) },
  }),
  CreateExtractor: async (request, app) => {
    const body = parseInput(createExtractorRequestSchema, request.body ?? {}, 'body');
    return { status: 201, body: await createExtractor(extractorDeps(app), storeIdOf(request), body) };
  },
  GetExtractor: async (request, app) => {
    const { storeId, extractorId } = extractorPathOf(request);
    return { status: 200, body: await getExtractor(app, storeId, extractorId) };
  },
  UpdateExtractor: async (request, app) => {
    const { storeId, extractorId } = extractorPathOf(request);
    const body = parseInput(updateExtractorRequestSchema, request.body ?? {}, 'body');
    return { status: 200, body: await updateExtractor(extractorDeps(app), storeId, extractorId, body) };
  },
  DeleteExtractor: async (request, app) => {
    const { storeId, extractorId } = extractorPathOf(request);
    await deleteExtractor(app, storeId, extractorId);
    return { status: 204 };
  },
  ListDetectors: async () => ({
    status: 200,
    body: {
      catalogVersion: '1',
      detectors: BUILT_IN_DETECTORS.map((id) => ({ id, ...DETECTOR_CATALOG[id] })),
    },
  }),
};

const ROUTES = new Map(adminApi.routes.map((route) => [`${route.method} ${route.path}`, route.operation]));

/**
 * The admin API (IAM-authorized on AWS; SigV4-checked by the local admin gateway). One function
 * for every control-plane route: the route table is the catalog's, the operations are above.
 */
export const handler = httpRoute({ action: 'none', app: adminApp }, async (request, app) => {
  const name = ROUTES.get(`${request.method} ${request.resource}`) ?? '';
  const operation = OPERATIONS[name];
  if (!operation) throw new NotFoundError('No such route');
  const result = await operation(request, app);
  // The audit line of every successful operator action: who, what, on which ids. Never bodies or tokens.
  app.logger.info('admin operation', {
    operation: name,
    caller: request.callerArn,
    status: result.status,
    storeId: request.pathParameters.storeId,
    keyId: request.pathParameters.keyId,
  });
  return result;
});
