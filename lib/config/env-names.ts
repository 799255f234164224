/**
 * Environment variable names, shared by the CDK app (which sets them) and the runtime (which reads
 * them once per cold start in `lib/config/runtime-config.ts`).
 */
export const ENV = {
  upstashUrl: 'UPSTASH_REDIS_REST_URL',
  upstashToken: 'UPSTASH_REDIS_REST_TOKEN',
  /**
   * On AWS: the Secrets Manager secret holding `{"url": "...", "token": "..."}` for Upstash, read
   * once per cold start. Ignored when both variables above are set (local stack, tests).
   */
  upstashSecretArn: 'UPSTASH_SECRET_ARN',
  /** Seconds the authorizer reuses a resolved API key in memory (revocation takes effect within it). */
  apiKeyCacheSeconds: 'API_KEY_CACHE_SECONDS',
  /** Admin API and sweeper: JSON object of usage-plan tier name -> API Gateway usage plan id. */
  usagePlanIds: 'USAGE_PLAN_IDS',
  /** Admin API: the tier a minted key joins when the request names none. */
  defaultUsagePlan: 'DEFAULT_USAGE_PLAN',
  /** HTTP functions: comma-separated origins answered with `Access-Control-Allow-Origin`; unset = no CORS. */
  corsAllowOrigins: 'CORS_ALLOW_ORIGINS',
  promotionQueueUrl: 'PROMOTION_QUEUE_URL',
  /** The summary-view refresh queue (decision record 0020). */
  viewRefreshQueueUrl: 'VIEW_REFRESH_QUEUE_URL',
  /** The document-ingestion queue (docs/decisions/0021-document-ingestion.md). */
  documentQueueUrl: 'DOCUMENT_QUEUE_URL',
  /**
   * The function's needs from `functions/catalog.ts`, comma-separated (lib/config/needs.ts): the
   * runtime reads only the variables of declared needs, and a use of an undeclared one fails with
   * its name. Unset outside Lambda (tests and benchmarks that build apps themselves): every need.
   */
  functionNeeds: 'FUNCTION_NEEDS',
  region: 'AWS_REGION',
  /** `bedrock-titan` (default) or `bedrock-cohere`. */
  embeddingProvider: 'EMBEDDING_PROVIDER',
  /** Model id or inference-profile ARN; defaults per provider. */
  embeddingModelId: 'EMBEDDING_MODEL_ID',
  /** Titan v2 only: 256, 512 or 1024 (default). */
  embeddingDimensions: 'EMBEDDING_DIMENSIONS',
  /** `bedrock` (the only value: Converse with a forced tool; locally against the Bedrock fake). */
  extractionProvider: 'EXTRACTION_PROVIDER',
  /** Converse model id or inference-profile id/ARN for extraction and summaries. */
  extractionModelId: 'EXTRACTION_MODEL_ID',
  /** Every function: the service name in logs and metrics (Powertools' variable). */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** Every function: trace, debug, info (default), warn, error, critical or silent; any case. */
  logLevel: 'LOG_LEVEL',
  /** Set by Lambda: the deployed function's name, a metrics dimension. */
  functionName: 'AWS_LAMBDA_FUNCTION_NAME',
} as const;
