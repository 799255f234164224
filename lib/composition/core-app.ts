import type { Redis } from '@upstash/redis';
import { CachedStoreRegistry } from '../adapters/decorators/cached-store-registry.js';
import { lazy } from '../adapters/decorators/lazy.js';
import { createUpstashRedis } from '../adapters/upstash/redis-client.js';
import { UpstashDocumentStore } from '../adapters/upstash/upstash-document-store.js';
import { UpstashErasure } from '../adapters/upstash/upstash-erasure.js';
import { UpstashErasureJobs } from '../adapters/upstash/upstash-erasure-jobs.js';
import { UpstashNamespaceStore } from '../adapters/upstash/upstash-namespace-store.js';
import { UpstashPromotionLedger } from '../adapters/upstash/upstash-promotion-ledger.js';
import { UpstashApiKeyRegistry, UpstashStoreRegistry } from '../adapters/upstash/upstash-registry.js';
import { UpstashSessionStore } from '../adapters/upstash/upstash-session-store.js';
import { UpstashSummaryViewStore } from '../adapters/upstash/upstash-summary-view-store.js';
import { ENV } from '../config/env-names.js';
import type { Need } from '../config/needs.js';
import { ConfigError, type RuntimeConfig, requireNeed } from '../config/runtime-config.js';
import { createPageTokenCodec, type PageTokenCodec } from '../domain/page-token.js';
import { remainingInvocationMs } from '../observability/invocation-deadline.js';
import { type Logger, logger } from '../observability/logger.js';
import { countRedisRoundTrip } from '../observability/metrics.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { DocumentQueue, DocumentStore, ExtractorStore } from '../ports/document-store.js';
import type { DataEraser, ErasureJobs } from '../ports/erasure.js';
import type { NamespaceStore } from '../ports/namespace-store.js';
import type { PromotionLedger } from '../ports/promotion-ledger.js';
import type { PromotionQueue } from '../ports/promotion-queue.js';
import type { ApiKeyRegistry, StoreRegistry } from '../ports/registry.js';
import type { SessionStore } from '../ports/session-store.js';
import type { SummaryViewStore, ViewRefreshQueue } from '../ports/summary-views.js';
import { oncePerColdStart } from './cold-start.js';

/**
 * The composition root, in three levels so each function bundles only what it uses (the bundler
 * drops what a function never imports): core (this file: sessions, registries, promotion ledger
 * and queue), memory (+ long-term records, indexes, embedder: memory-app.ts) and promotion
 * (+ extractor and summarizer: promotion-app.ts). Each is built once per cold start and holds no
 * tenant data.
 */
export interface CoreApp {
  readonly config: RuntimeConfig;
  readonly redis: Redis;
  readonly sessions: SessionStore;
  /** Namespaces as resources (decision record 0014). */
  readonly namespaces: NamespaceStore;
  readonly stores: StoreRegistry;
  readonly apiKeys: ApiKeyRegistry;
  readonly ledger: PromotionLedger;
  /** Erasure jobs (owner erase, store deletion) and the Redis side that does the erasing. */
  readonly erasures: ErasureJobs;
  readonly eraser: DataEraser;
  readonly promotionQueue: PromotionQueue;
  /** Summary-view definitions and partitions (decision record 0020). */
  readonly views: SummaryViewStore;
  readonly viewQueue: ViewRefreshQueue;
  /** Document ingestion: submitted documents and the store's extractors (one Redis adapter). */
  readonly documents: DocumentStore;
  readonly extractors: ExtractorStore;
  /** Loaded on first send; needs `documents:send`. */
  readonly documentQueue: DocumentQueue;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Signs page tokens with a key derived from the Upstash token: no configuration of its own. */
  readonly pageTokens: PageTokenCodec;
}

export function createCoreApp(config: RuntimeConfig): CoreApp {
  const redis = createUpstashRedis({
    ...config.upstash,
    timeBudgetMs: remainingInvocationMs,
    onRequest: countRedisRoundTrip,
  });
  return {
    config,
    redis,
    sessions: new UpstashSessionStore(redis),
    namespaces: new UpstashNamespaceStore(redis),
    stores: new CachedStoreRegistry(new UpstashStoreRegistry(redis)),
    apiKeys: new UpstashApiKeyRegistry(redis),
    ledger: new UpstashPromotionLedger(redis),
    erasures: new UpstashErasureJobs(redis),
    eraser: new UpstashErasure(redis),
    views: new UpstashSummaryViewStore(redis),
    ...documentParts(redis),
    ...lazySqsQueues(config),
    clock: systemClock,
    logger,
    pageTokens: createPageTokenCodec(config.upstash.token),
  };
}

function documentParts(redis: Redis): { documents: DocumentStore; extractors: ExtractorStore } {
  const store = new UpstashDocumentStore(redis);
  return { documents: store, extractors: store };
}

/**
 * The app's SQS senders, loaded on the first send. Importing the SQS SDK costs about 100 ms of
 * cold start (measured by bench/cold-start.ts); only the functions that send should pay it. One
 * client serves every queue a function may send to (the MCP function sends to all three).
 */
function lazySqsQueues(config: RuntimeConfig): {
  promotionQueue: PromotionQueue;
  viewQueue: ViewRefreshQueue;
  documentQueue: DocumentQueue;
} {
  const client = lazy(async () => {
    const [{ SQSClient }, { sqsClientOptions }] = await Promise.all([
      import('@aws-sdk/client-sqs'),
      import('../adapters/sqs/sqs-client-options.js'),
    ]);
    return new SQSClient(sqsClientOptions({ region: config.region }));
  });
  /** The queue's URL, once its need is checked (an undeclared need is a ConfigError naming it). */
  const urlOf = (need: Need, what: string, variable: string, url: string | undefined): string => {
    requireNeed(config, need, what);
    if (!url) throw new ConfigError(`${variable} is not set`);
    return url;
  };
  const promotion = lazy(async () => {
    const queueUrl = urlOf(
      'queue:send',
      'sending a promotion job',
      ENV.promotionQueueUrl,
      config.promotionQueueUrl,
    );
    const { SqsPromotionQueue } = await import('../adapters/sqs/sqs-promotion-queue.js');
    return new SqsPromotionQueue({ client: await client(), queueUrl });
  });
  const views = lazy(async () => {
    const queueUrl = urlOf(
      'view-queue:send',
      'queuing a summary-view refresh',
      ENV.viewRefreshQueueUrl,
      config.viewRefreshQueueUrl,
    );
    const { SqsViewRefreshQueue } = await import('../adapters/sqs/sqs-view-refresh-queue.js');
    return new SqsViewRefreshQueue({ client: await client(), queueUrl });
  });
  const documents = lazy(async () => {
    const queueUrl = urlOf(
      'documents:send',
      'submitting a document',
      ENV.documentQueueUrl,
      config.documentQueueUrl,
    );
    const { SqsDocumentQueue } = await import('../adapters/sqs/sqs-document-queue.js');
    return new SqsDocumentQueue({ client: await client(), queueUrl });
  });
  return {
    promotionQueue: {
      enqueue: async (message, delaySeconds) => (await promotion()).enqueue(message, delaySeconds),
    },
    viewQueue: { enqueue: async (message, delaySeconds) => (await views()).enqueue(message, delaySeconds) },
    documentQueue: {
      enqueue: async (storeId, documentId) => (await documents()).enqueue(storeId, documentId),
    },
  };
}

/** The process's app: built from the environment on the first call (cold start), then reused. */
export const coreApp: () => Promise<CoreApp> = oncePerColdStart(createCoreApp);
