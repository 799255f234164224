/**
 * Environment variable names, shared by the CDK app (which sets them) and the runtime (which reads
 * them once per cold start in `lib/config/runtime-config.ts`).
 */
export const ENV = {
  upstashUrl: 'UPSTASH_REDIS_REST_URL',
  upstashToken: 'UPSTASH_REDIS_REST_TOKEN',
  promotionQueueUrl: 'PROMOTION_QUEUE_URL',
  region: 'AWS_REGION',
  /** Seconds API keys' grants may be cached inside a warm authorizer (API Gateway caches too). */
  grantCacheSeconds: 'GRANT_CACHE_SECONDS',
} as const;
