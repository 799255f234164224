import type { Redis } from '@upstash/redis';
import { createUpstashRedis } from '../adapters/upstash/redis-client.js';
import { UpstashKeywordIndex } from '../adapters/upstash/upstash-keyword-index.js';
import { UpstashMemoryRecordStore } from '../adapters/upstash/upstash-memory-record-store.js';
import { UpstashPromotionLedger } from '../adapters/upstash/upstash-promotion-ledger.js';
import { UpstashApiKeyRegistry, UpstashStoreRegistry } from '../adapters/upstash/upstash-registry.js';
import { UpstashSessionStore } from '../adapters/upstash/upstash-session-store.js';
import { UpstashVectorIndex } from '../adapters/upstash/upstash-vector-index.js';
import { ENV } from '../config/env-names.js';
import { ConfigError, loadRuntimeConfig, type RuntimeConfig } from '../config/runtime-config.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { Embedder } from '../ports/embedder.js';
import type { KeywordIndex } from '../ports/keyword-index.js';
import type { MemoryExtractor, SessionSummarizer } from '../ports/memory-extractor.js';
import type { MemoryRecordStore } from '../ports/memory-record-store.js';
import type { PromotionLedger } from '../ports/promotion-ledger.js';
import type { PromotionQueue } from '../ports/promotion-queue.js';
import type { ApiKeyRegistry, StoreRegistry } from '../ports/registry.js';
import type { SessionStore } from '../ports/session-store.js';
import type { VectorIndex } from '../ports/vector-index.js';
import { CachedStoreRegistry } from './cached-store-registry.js';
import { createEmbedder } from './embedder.js';
import { createExtraction } from './extraction.js';

/** Everything a handler needs, built once per cold start. Holds no tenant data. */
export interface Container {
  readonly config: RuntimeConfig;
  readonly redis: Redis;
  readonly sessions: SessionStore;
  readonly stores: StoreRegistry;
  readonly apiKeys: ApiKeyRegistry;
  readonly ledger: PromotionLedger;
  readonly records: MemoryRecordStore;
  readonly vectors: VectorIndex;
  readonly keywords: KeywordIndex;
  readonly embedder: Embedder;
  readonly extractor: MemoryExtractor;
  readonly summarizer: SessionSummarizer;
  readonly promotionQueue: PromotionQueue;
  readonly clock: Clock;
  readonly logger: Logger;
}

export function createContainer(config: RuntimeConfig): Container {
  const redis = createUpstashRedis(config.upstash);
  const embedder = createEmbedder(config);
  const { extractor, summarizer } = createExtraction(config);
  return {
    config,
    redis,
    sessions: new UpstashSessionStore(redis),
    stores: new CachedStoreRegistry(new UpstashStoreRegistry(redis)),
    apiKeys: new UpstashApiKeyRegistry(redis),
    ledger: new UpstashPromotionLedger(redis),
    records: new UpstashMemoryRecordStore(redis),
    vectors: new UpstashVectorIndex({ redis, model: embedder.model }),
    keywords: new UpstashKeywordIndex(redis),
    embedder,
    extractor,
    summarizer,
    promotionQueue: lazySqsPromotionQueue(config),
    clock: systemClock,
    logger: createLogger('agent-memory'),
  };
}

/**
 * The SQS adapter, loaded on the first enqueue. Importing the SQS SDK costs about 100 ms of cold
 * start (measured by bench/cold-start.ts); only the functions that send should pay it.
 */
function lazySqsPromotionQueue(config: RuntimeConfig): PromotionQueue {
  let queue: Promise<PromotionQueue> | undefined;
  const load = async (): Promise<PromotionQueue> => {
    if (!config.promotionQueueUrl) throw new ConfigError(`${ENV.promotionQueueUrl} is not set`);
    const [{ SQSClient }, { SqsPromotionQueue }, { sqsClientOptions }] = await Promise.all([
      import('@aws-sdk/client-sqs'),
      import('../adapters/sqs/sqs-promotion-queue.js'),
      import('../adapters/sqs/sqs-client-options.js'),
    ]);
    const client = new SQSClient(sqsClientOptions({ region: config.region }));
    return new SqsPromotionQueue({ client, queueUrl: config.promotionQueueUrl });
  };
  return {
    enqueue: async (message, delaySeconds) => {
      queue ??= load().catch((error: unknown) => {
        queue = undefined;
        throw error;
      });
      return (await queue).enqueue(message, delaySeconds);
    },
  };
}

let current: Container | undefined;

/** The process's container: created from the environment on first call (cold start), then reused. */
export function container(): Container {
  current ??= createContainer(loadRuntimeConfig());
  return current;
}
