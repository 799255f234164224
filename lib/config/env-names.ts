/**
 * Environment variable names, shared by the CDK app (which sets them) and the runtime (which reads
 * them once per cold start in `lib/config/runtime-config.ts`).
 */
export const ENV = {
  upstashUrl: 'UPSTASH_REDIS_REST_URL',
  upstashToken: 'UPSTASH_REDIS_REST_TOKEN',
  promotionQueueUrl: 'PROMOTION_QUEUE_URL',
  region: 'AWS_REGION',
  /** `bedrock-titan` (default) or `bedrock-cohere`. */
  embeddingProvider: 'EMBEDDING_PROVIDER',
  /** Model id or inference-profile ARN; defaults per provider. */
  embeddingModelId: 'EMBEDDING_MODEL_ID',
  /** Titan v2 only: 256, 512 or 1024 (default). */
  embeddingDimensions: 'EMBEDDING_DIMENSIONS',
  /** `bedrock` (default: Converse with a forced tool) or `offline` (the rule-based local extractor). */
  extractionProvider: 'EXTRACTION_PROVIDER',
  /** Converse model id or inference-profile id/ARN for extraction and summaries. */
  extractionModelId: 'EXTRACTION_MODEL_ID',
} as const;
