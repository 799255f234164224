import type { Redis } from '@upstash/redis';
import { createSqsClient } from '../adapters/sqs/sqs-client.js';
import { SqsPromotionQueue } from '../adapters/sqs/sqs-promotion-queue.js';
import { createUpstashRedis } from '../adapters/upstash/redis-client.js';
import { UpstashPromotionLedger } from '../adapters/upstash/upstash-promotion-ledger.js';
import { UpstashApiKeyRegistry, UpstashStoreRegistry } from '../adapters/upstash/upstash-registry.js';
import { UpstashSessionStore } from '../adapters/upstash/upstash-session-store.js';
import { ConfigError, loadRuntimeConfig, type RuntimeConfig } from '../config/runtime-config.js';
import { ENV } from '../config/env-names.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { PromotionLedger } from '../ports/promotion-ledger.js';
import type { PromotionQueue } from '../ports/promotion-queue.js';
import type { ApiKeyRegistry, StoreRegistry } from '../ports/registry.js';
import type { SessionStore } from '../ports/session-store.js';

/** Everything a handler needs, built once per cold start. Holds no tenant data. */
export interface Container {
  readonly config: RuntimeConfig;
  readonly redis: Redis;
  readonly sessions: SessionStore;
  readonly stores: StoreRegistry;
  readonly apiKeys: ApiKeyRegistry;
  readonly ledger: PromotionLedger;
  /** Built on first use, so functions that never enqueue never build an SQS client. */
  readonly promotionQueue: PromotionQueue;
  readonly clock: Clock;
  readonly logger: Logger;
}

export function createContainer(config: RuntimeConfig): Container {
  const redis = createUpstashRedis(config.upstash);
  let queue: PromotionQueue | undefined;
  return {
    config,
    redis,
    sessions: new UpstashSessionStore(redis),
    stores: new UpstashStoreRegistry(redis),
    apiKeys: new UpstashApiKeyRegistry(redis),
    ledger: new UpstashPromotionLedger(redis),
    get promotionQueue(): PromotionQueue {
      if (!queue) {
        if (!config.promotionQueueUrl) throw new ConfigError(`${ENV.promotionQueueUrl} is not set`);
        queue = new SqsPromotionQueue({
          client: createSqsClient({ region: config.region }),
          queueUrl: config.promotionQueueUrl,
        });
      }
      return queue;
    },
    clock: systemClock,
    logger: createLogger('agent-memory'),
  };
}

let current: Container | undefined;

/** The process's container: created from the environment on first call (cold start), then reused. */
export function container(): Container {
  current ??= createContainer(loadRuntimeConfig());
  return current;
}
