import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  adminApi,
  authorizer,
  documentConsumer,
  type HttpRouteDefinition,
  httpRoutes,
  promotionConsumer,
  viewRefreshConsumer,
} from '../../functions/catalog.js';
import { signedFetch } from '../../lib/adapters/admin-client/signed-fetch.js';
import { usagePlanKeysFromEnv } from '../../lib/adapters/apigateway/api-gateway-usage-plan-keys.js';
import { createSqsClient } from '../../lib/adapters/sqs/sqs-client.js';
import { createUpstashRedis } from '../../lib/adapters/upstash/redis-client.js';
import { UpstashApiKeyRegistry, UpstashStoreRegistry } from '../../lib/adapters/upstash/upstash-registry.js';
import { ENV } from '../../lib/config/env-names.js';
import { DEFAULT_EXTRACTION_MODEL, readHttpConfig } from '../../lib/config/runtime-config.js';
import { promotionJob } from '../../lib/contracts/promotion-message.js';
import { type StoreConfig, storeConfigSchema } from '../../lib/contracts/store-config.js';
import { keyIdOf, usageIdentifierOf } from '../../lib/domain/api-key.js';
import type { StoreAction } from '../../lib/domain/grants.js';
import { createLogger } from '../../lib/observability/logger.js';
import { systemClock } from '../../lib/ports/clock.js';
import type { Embedder } from '../../lib/ports/embedder.js';
import { mintApiKey as mintServiceKey } from '../../lib/use-cases/control-plane/api-keys.js';
import { type LocalAdminGateway, startLocalAdminGateway } from './api-gateway/admin-gateway.js';
import {
  type ApiGatewayControlFake,
  startApiGatewayControlFake,
  type UsagePlanSeed,
} from './api-gateway/control-fake.js';
import {
  type AuthorizerHandler,
  type LocalApiGateway,
  type ProxyHandler,
  startLocalApiGateway,
} from './api-gateway/data-api.js';
import { type BedrockFake, startBedrockFake } from './bedrock/server.js';
import { functionEnvironments, loadFunction } from './function-environments.js';
import { offlineConverseResponder } from './offline-converse-responder.js';
import { type QueuePoller, startQueuePoller } from './queue-poller.js';
import { type RedisInstance, startRedis } from './redis-server.js';
import { type SecretsManagerFake, startSecretsManagerFake } from './secrets-manager-fake.js';
import { type LocalSqs, type LocalSqsPreference, type QueuePair, startLocalSqs } from './sqs.js';
import { startUpstashRestServer, type UpstashRestServer } from './upstash/server.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** The data plane's OpenAPI document (`npm run openapi`), served at `/openapi.json`. */
const OPENAPI_DOCUMENT = resolve(ROOT, 'openapi/openapi.json');

export interface LocalStackOptions {
  /** Port of the API (0 or unset: a free port). */
  readonly port?: number;
  readonly sqs?: LocalSqsPreference;
  /** Receives before a promotion message goes to the DLQ. */
  readonly maxReceiveCount?: number;
  /** Visibility timeout of the promotion queue (AWS: ≥ 6× the consumer timeout). */
  readonly visibilityTimeoutSeconds?: number;
  /** Feed the promotion queue to the consumer handler (default true). */
  readonly runConsumer?: boolean;
  /** Reuse an authorizer result per key for this long, as API Gateway's authorizer cache does (default 0). */
  readonly authorizerCacheSeconds?: number;
  /**
   * The HTTP functions' timeout as their Lambda context reports it (10 s on AWS, see
   * infra/config/stage-config.ts); default API Gateway's 29 s integration timeout.
   */
  readonly httpFunctionTimeoutMs?: number;
  /** The Bedrock fake's 512-d base embedder (default USE-Lite); pass a caching one to make reruns fast. */
  readonly bedrockBaseEmbedder?: Embedder;
  /** Added to every Converse answer of the Bedrock fake (a model's generation time); default 0. */
  readonly bedrockConverseLatencyMs?: number;
  readonly onProgress?: (line: string) => void;
  /**
   * A store and an API key (read and write on it) created before the API starts listening. The key
   * must be a service token (`amk…`, see lib/domain/api-key.ts).
   */
  readonly seed?: { readonly storeId: string; readonly apiKey: string };
  /** Seconds the authorizer reuses a resolved key (API_KEY_CACHE_SECONDS; default 0 here, 60 on AWS). */
  readonly apiKeyCacheSeconds?: number;
  /**
   * Where the functions find the Upstash credentials: `environment` (default) or `secrets-manager`,
   * the AWS path: a secret in the Secrets Manager fake, read through the SDK at cold start.
   */
  readonly upstashCredentials?: 'environment' | 'secrets-manager';
  /**
   * Browser origins allowed to call the data API (the memory explorer's): preflight at the gateway
   * and `CORS_ALLOW_ORIGINS` for the HTTP functions, as the stage's `api.corsAllowOrigins` on AWS.
   */
  readonly corsAllowOrigins?: readonly string[];
  /** Usage-plan tiers of the API Gateway fake; default: one generous `standard` tier. */
  readonly usagePlans?: readonly UsagePlanSeed[];
}

/** Local usage plans: limits high enough that tests and benchmarks are never throttled by accident. */
const LOCAL_USAGE_PLANS: readonly UsagePlanSeed[] = [
  {
    tier: 'standard',
    throttle: { rateLimit: 10_000, burstLimit: 20_000 },
    quota: { limit: 100_000_000, period: 'DAY' },
  },
];

/** The whole service on this machine: the same handlers, real Redis 8, the Upstash protocol, SQS. */
export interface LocalStack {
  readonly apiUrl: string;
  readonly redis: RedisInstance;
  readonly upstash: UpstashRestServer;
  readonly sqs: LocalSqs;
  /** Bedrock Runtime fake (Titan/Cohere embeddings from a local model, real wire format). */
  readonly bedrock: BedrockFake;
  readonly promotionQueue: QueuePair;
  /** The document-ingestion queue (with its DLQ), fed to the document consumer. */
  readonly documentQueue: QueuePair;
  readonly gateway: LocalApiGateway;
  /** The admin API (control plane), SigV4-checked against `adminCredentials`. */
  readonly adminUrl: string;
  readonly adminCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly region: string;
  /** API Gateway's management API (API keys, usage plans), as the admin function calls it. */
  readonly apiGatewayControl: ApiGatewayControlFake;
  readonly secretsManager: SecretsManagerFake;
  readonly consumer: QueuePoller | undefined;
  /** The summary-view refresh queue (decision record 0020). */
  readonly viewRefreshQueue: QueuePair;
  /** Feeds the view refresh queue to its consumer (when `runConsumer`). */
  readonly viewConsumer: QueuePoller | undefined;
  /** The document consumer's poller (runs with `runConsumer`); `drain()` waits for ingestion jobs. */
  readonly documentConsumer: QueuePoller | undefined;
  /** Creates (or replaces) a store with the given configuration. */
  createStore(storeId: string, config?: Partial<StoreConfig>): Promise<void>;
  /**
   * Sends `copies` of a session's promotion job now, as SQS delivers it when the window ends. The
   * consumer (when it runs) picks them up; `consumer.drain()` waits for it.
   */
  sendPromotionJob(storeId: string, sessionId: string, copies?: number): Promise<void>;
  /** One request to the admin API, signed with `adminCredentials` (what the CLI does). */
  // biome-ignore lint/suspicious/noExplicitAny: a test and bench helper; callers assert the fields they read.
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /**
   * Mints an API key with grants on stores through the control plane (gateway key in the usage
   * plan, registry record); returns the token. Pass an `amk…` `token` to choose it (seeding).
   */
  mintApiKey(grants: Readonly<Record<string, readonly StoreAction[]>>, token?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the local stack. Each handler runs with its own catalog environment
 * (function-environments.ts), built and cold-started once per function as on Lambda. The stack
 * also sets the whole environment on `process.env` (every need's variables, the SDK's endpoints and
 * credentials), for tests that build apps themselves, so one stack runs per process.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const progress = options.onProgress ?? (() => {});
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    stops.length = 0;
  };
  try {
    progress('starting Redis 8');
    const redis = await startRedis({ onProgress: progress });
    stops.push(() => redis.stop());

    const upstash = await startUpstashRestServer({
      redisUrl: redis.url,
      token: randomBytes(24).toString('hex'),
    });
    stops.push(() => upstash.stop());
    progress(`Upstash REST endpoint at ${upstash.url}`);

    const sqs = await startLocalSqs({ prefer: options.sqs });
    stops.push(() => sqs.stop());
    const promotionQueue = await sqs.createQueuePair('agent-memory-promotion', {
      maxReceiveCount: options.maxReceiveCount ?? 3,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    });
    // Summary-view refreshes (decision record 0020) and document ingestion (0021): a queue pair
    // each, like the stack's.
    const viewRefreshQueue = await sqs.createQueuePair('agent-memory-view-refresh', {
      maxReceiveCount: options.maxReceiveCount ?? 3,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    });
    const documentQueue = await sqs.createQueuePair('agent-memory-documents', {
      maxReceiveCount: options.maxReceiveCount ?? 3,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    });
    progress(`SQS (${sqs.kind}) at ${sqs.endpoint}`);

    const bedrock = await startBedrockFake({
      baseEmbedder: options.bedrockBaseEmbedder,
      converseLatencyMs: options.bedrockConverseLatencyMs ?? 0,
      // No model runs here: Converse answers come from the offline extractor (dev/offline-models),
      // so the production Bedrock adapter runs locally with meaningful output. Tests of the Bedrock
      // extractor script the fake's replies instead.
      defaultConverseResponder: offlineConverseResponder(),
    });
    stops.push(() => bedrock.stop());
    progress(`Bedrock fake at ${bedrock.url}`);

    const apiGatewayControl = await startApiGatewayControlFake({
      plans: options.usagePlans ?? LOCAL_USAGE_PLANS,
      region: sqs.region,
    });
    stops.push(() => apiGatewayControl.stop());
    const secretsManager = await startSecretsManagerFake({ region: sqs.region });
    stops.push(() => secretsManager.stop());

    // What the CDK stack sets on each function, pointed at the local services.
    const upstashVia = options.upstashCredentials ?? 'environment';
    let upstashSecretArn: string | undefined;
    if (upstashVia === 'secrets-manager') {
      delete process.env[ENV.upstashUrl];
      delete process.env[ENV.upstashToken];
      upstashSecretArn = await createUpstashSecret(secretsManager, {
        url: upstash.url,
        token: upstash.token,
      });
      Object.assign(process.env, { [ENV.upstashSecretArn]: upstashSecretArn });
    } else {
      delete process.env[ENV.upstashSecretArn];
      Object.assign(process.env, { [ENV.upstashUrl]: upstash.url, [ENV.upstashToken]: upstash.token });
    }
    const tiers = Object.keys(apiGatewayControl.usagePlanIds);
    Object.assign(process.env, {
      [ENV.usagePlanIds]: JSON.stringify(apiGatewayControl.usagePlanIds),
      [ENV.defaultUsagePlan]: tiers.includes('standard') ? 'standard' : tiers[0],
      [ENV.apiKeyCacheSeconds]: String(options.apiKeyCacheSeconds ?? 0),
      AWS_ENDPOINT_URL_API_GATEWAY: apiGatewayControl.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
      [ENV.promotionQueueUrl]: promotionQueue.queueUrl,
      [ENV.viewRefreshQueueUrl]: viewRefreshQueue.queueUrl,
      [ENV.documentQueueUrl]: documentQueue.queueUrl,
      [ENV.region]: sqs.region,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
      // As the CDK stack sets it; the model behind it is the fake's offline responder (above).
      [ENV.extractionProvider]: 'bedrock',
      ...(options.corsAllowOrigins ? { [ENV.corsAllowOrigins]: options.corsAllowOrigins.join(',') } : {}),
      AWS_ACCESS_KEY_ID: sqs.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sqs.credentials.secretAccessKey,
    });

    const environments = functionEnvironments({
      upstash: upstashSecretArn
        ? { secretArn: upstashSecretArn }
        : { url: upstash.url, token: upstash.token },
      promotionQueueUrl: promotionQueue.queueUrl,
      viewRefreshQueueUrl: viewRefreshQueue.queueUrl,
      documentQueueUrl: documentQueue.queueUrl,
      embedding: {
        provider: process.env[ENV.embeddingProvider] ?? 'bedrock-titan',
        modelId: process.env[ENV.embeddingModelId],
        dimensions: Number(process.env[ENV.embeddingDimensions] ?? 1024),
      },
      extraction: {
        provider: process.env[ENV.extractionProvider]!,
        modelId: process.env[ENV.extractionModelId] ?? DEFAULT_EXTRACTION_MODEL,
      },
      usagePlans: {
        idsJson: process.env[ENV.usagePlanIds]!,
        defaultPlan: process.env[ENV.defaultUsagePlan]!,
      },
      region: sqs.region,
    });

    const admin = createUpstashRedis({ url: upstash.url, token: upstash.token });
    const stores = new UpstashStoreRegistry(admin);
    const apiKeys = new UpstashApiKeyRegistry(admin);
    const usagePlanKeys = usagePlanKeysFromEnv();
    const controlPlane = {
      stores,
      apiKeys,
      usagePlanKeys,
      clock: systemClock,
      logger: createLogger('agent-memory-local', 'warn'),
    };

    const createStore: LocalStack['createStore'] = async (storeId, config = {}) => {
      await stores.putStore({
        storeId,
        name: storeId,
        createdAt: new Date().toISOString(),
        config: storeConfigSchema.parse(config),
      });
    };
    const mintApiKey: LocalStack['mintApiKey'] = async (grants, token) => {
      const grantList = Object.entries(grants).map(([resourceId, actions]) => ({
        resourceType: 'mem-store' as const,
        resourceId,
        actions: [...actions],
      }));
      if (token === undefined) {
        return (await mintServiceKey(controlPlane, { name: 'local', grants: grantList })).token;
      }
      // A chosen token (npm run dev's DEV_API_KEY): registered the way a mint registers one.
      const keyId = keyIdOf(token);
      if (!keyId)
        throw new Error('a chosen API key must be a service token (amk + 32 hex + 40 alphanumerics)');
      const gatewayKeyId = await usagePlanKeys.createKey({
        name: `agent-memory-${keyId}`,
        value: usageIdentifierOf(token),
        tier: usagePlanKeys.defaultTier,
      });
      await apiKeys.putKey(token, {
        keyId,
        name: 'local',
        grants: grantList,
        createdAt: Math.floor(Date.now() / 1000),
        expiresAt: 0,
        plan: usagePlanKeys.defaultTier,
        gatewayKeyId,
      });
      return token;
    };
    // Seeded before the API listens, so a client that waits for /health can use them at once.
    if (options.seed) {
      await createStore(options.seed.storeId);
      await mintApiKey({ [options.seed.storeId]: ['read', 'write'] }, options.seed.apiKey);
    }

    const gateway = await startLocalApiGateway({
      routes: httpRoutes,
      loadHandler: (route: HttpRouteDefinition) => loadFunction<ProxyHandler>(route, environments),
      authorizer: await loadFunction<AuthorizerHandler>(authorizer, environments),
      port: options.port ?? 0,
      region: sqs.region,
      authorizerCacheSeconds: options.authorizerCacheSeconds ?? 0,
      ...(options.httpFunctionTimeoutMs !== undefined
        ? { functionTimeoutMs: options.httpFunctionTimeoutMs }
        : {}),
      usagePlans: apiGatewayControl,
      documents: { '/openapi.json': await readFile(OPENAPI_DOCUMENT, 'utf8') },
      // The same origins as the functions' (an explicit option, or CORS_ALLOW_ORIGINS set by the caller).
      corsAllowOrigins: readHttpConfig(process.env).corsAllowOrigins,
    });
    stops.push(() => gateway.stop());

    const adminCredentials = sqs.credentials;
    const adminGateway: LocalAdminGateway = await startLocalAdminGateway({
      routes: adminApi.routes,
      handler: await loadFunction<ProxyHandler>(adminApi, environments),
      credentials: adminCredentials,
      region: sqs.region,
    });
    stops.push(() => adminGateway.stop());

    let consumer: QueuePoller | undefined;
    let documentPoller: QueuePoller | undefined;
    if (options.runConsumer ?? true) {
      const documentHandler = await loadFunction<(event: SQSEvent) => Promise<SQSBatchResponse>>(
        documentConsumer,
        environments,
      );
      documentPoller = startQueuePoller({
        client: createSqsClient({ region: sqs.region, endpoint: sqs.endpoint, credentials: sqs.credentials }),
        queueUrl: documentQueue.queueUrl,
        queueArn: documentQueue.queueArn,
        region: sqs.region,
        handler: documentHandler,
        functionName: documentConsumer.name,
      });
      stops.push(() => documentPoller!.stop());
      const handler = await loadFunction<(event: SQSEvent) => Promise<SQSBatchResponse>>(
        promotionConsumer,
        environments,
      );
      consumer = startQueuePoller({
        client: createSqsClient({ region: sqs.region, endpoint: sqs.endpoint, credentials: sqs.credentials }),
        queueUrl: promotionQueue.queueUrl,
        queueArn: promotionQueue.queueArn,
        region: sqs.region,
        handler,
        functionName: promotionConsumer.name,
      });
      stops.push(() => consumer!.stop());
    }
    let viewConsumer: QueuePoller | undefined;
    if (options.runConsumer ?? true) {
      const handler = await loadFunction<(event: SQSEvent) => Promise<SQSBatchResponse>>(
        viewRefreshConsumer,
        environments,
      );
      viewConsumer = startQueuePoller({
        client: createSqsClient({ region: sqs.region, endpoint: sqs.endpoint, credentials: sqs.credentials }),
        queueUrl: viewRefreshQueue.queueUrl,
        queueArn: viewRefreshQueue.queueArn,
        region: sqs.region,
        handler,
        functionName: viewRefreshConsumer.name,
      });
      stops.push(() => viewConsumer!.stop());
    }

    const sendPromotionJob: LocalStack['sendPromotionJob'] = async (storeId, sessionId, copies = 1) => {
      const now = Date.now();
      const message = promotionJob({
        storeId,
        sessionId,
        windowStartedAt: now,
        dueAt: now + 3_600_000,
      });
      await Promise.all(
        Array.from({ length: copies }, () =>
          sqs.client().send(
            new SendMessageCommand({
              QueueUrl: promotionQueue.queueUrl,
              MessageBody: JSON.stringify(message),
            }),
          ),
        ),
      );
    };
    const adminRequest: LocalStack['admin'] = async (method, path, body) => {
      const response = await signedFetch({
        url: `${adminGateway.url}${path}`,
        method,
        region: sqs.region,
        credentials: adminCredentials,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: response.body ? JSON.parse(response.body) : undefined };
    };

    return {
      apiUrl: gateway.url,
      redis,
      upstash,
      sqs,
      bedrock,
      promotionQueue,
      viewRefreshQueue,
      viewConsumer,
      documentQueue,
      gateway,
      adminUrl: adminGateway.url,
      adminCredentials,
      region: sqs.region,
      apiGatewayControl,
      secretsManager,
      consumer,
      documentConsumer: documentPoller,
      createStore,
      mintApiKey,
      sendPromotionJob,
      admin: adminRequest,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** What an operator does once per stage: put the Upstash credentials into the secret (here: through the SDK). */
async function createUpstashSecret(
  fake: SecretsManagerFake,
  credentials: { url: string; token: string },
): Promise<string> {
  const { SecretsManagerClient, CreateSecretCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({
    region: fake.region,
    endpoint: fake.url,
    credentials: fake.credentials,
  });
  try {
    const created = await client.send(
      new CreateSecretCommand({
        Name: 'agent-memory/local/upstash',
        SecretString: JSON.stringify(credentials),
      }),
    );
    if (!created.ARN) throw new Error('the Secrets Manager fake returned no ARN');
    return created.ARN;
  } finally {
    client.destroy();
  }
}
