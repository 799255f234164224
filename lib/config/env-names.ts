/**
 * Environment variable names, shared by the CDK app (which sets them) and the runtime (which reads
 * them once per cold start in `lib/config/runtime-config.ts`).
 */
export const ENV = {
  upstashUrl: 'UPSTASH_REDIS_REST_URL',
  upstashToken: 'UPSTASH_REDIS_REST_TOKEN',
  promotionQueueUrl: 'PROMOTION_QUEUE_URL',
  region: 'AWS_REGION',
} as const;
