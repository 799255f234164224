import { ENV } from './env-names.js';

/**
 * What a function may use beyond its own code, as `functions/catalog.ts` declares it per function.
 * Each need is one grant and the variables bound with it: the CDK stack grants exactly these
 * (infra/stacks/service-stack.ts), the runtime reads only the declared ones (runtime-config.ts), and
 * the local stack hands each function only its own (dev/local-stack/function-environments.ts), so a
 * use the catalog forgot fails in local runs instead of with AccessDenied on AWS.
 */
export const NEEDS = [
  /** Upstash REST credentials (the Secrets Manager secret that opens every tenant's data). */
  'data',
  /** Sends promotion jobs: the queue URL and `sqs:SendMessage`. */
  'queue:send',
  /** Is fed the promotion queue by an SQS event source (which grants receive and delete). */
  'queue:consume',
  /** Sends summary-view refresh jobs: the view queue's URL and `sqs:SendMessage` (decision record 0020). */
  'view-queue:send',
  /** Is fed the summary-view refresh queue by an SQS event source. */
  'view-queue:consume',
  /** Sends document-ingestion jobs: the document queue's URL and `sqs:SendMessage` on it. */
  'documents:send',
  /** Is fed the document queue by an SQS event source. */
  'documents:consume',
  /** Embeds text: the embedding model's settings and `bedrock:InvokeModel` on exactly that model. */
  'embedding',
  /** Extracts and summarizes: the Converse model's settings and `bedrock:InvokeModel` on its profile. */
  'extraction',
  /** Shows the stage's model ids (admin API) without calling them: settings only, no grant. */
  'model-ids',
  /** Mints, rotates and revokes API Gateway keys and attaches them to usage plans (admin API). */
  'gateway-keys:manage',
  /** Disables and deletes API Gateway keys only (maintenance: expired and rotated keys). */
  'gateway-keys:retire',
] as const;

export type Need = (typeof NEEDS)[number];

/** Whether `value` names a need. */
export function isNeed(value: string): value is Need {
  return (NEEDS as readonly string[]).includes(value);
}

/**
 * The variables each need binds, on AWS (the local stack sets `UPSTASH_REDIS_REST_URL`/`_TOKEN`
 * instead of the secret's ARN unless it runs the Secrets Manager path). Every function also gets
 * {@link ENV.functionNeeds}: its needs, so its configuration is validated against them.
 */
export const NEED_VARIABLES: Readonly<Record<Need, readonly string[]>> = {
  data: [ENV.upstashSecretArn],
  'queue:send': [ENV.promotionQueueUrl],
  'queue:consume': [],
  'view-queue:send': [ENV.viewRefreshQueueUrl],
  'view-queue:consume': [],
  'documents:send': [ENV.documentQueueUrl],
  'documents:consume': [],
  embedding: [ENV.embeddingProvider, ENV.embeddingModelId, ENV.embeddingDimensions],
  extraction: [ENV.extractionProvider, ENV.extractionModelId],
  'model-ids': [
    ENV.embeddingProvider,
    ENV.embeddingModelId,
    ENV.embeddingDimensions,
    ENV.extractionProvider,
    ENV.extractionModelId,
  ],
  'gateway-keys:manage': [ENV.usagePlanIds, ENV.defaultUsagePlan],
  'gateway-keys:retire': [ENV.usagePlanIds, ENV.defaultUsagePlan],
};

/** The values behind the variables of {@link NEED_VARIABLES}, as one environment provides them. */
export interface NeedValues {
  readonly upstash: { readonly url: string; readonly token: string } | { readonly secretArn: string };
  readonly promotionQueueUrl: string;
  readonly viewRefreshQueueUrl: string;
  readonly documentQueueUrl: string;
  readonly embedding: {
    readonly provider: string;
    readonly modelId: string | undefined;
    readonly dimensions: number;
  };
  readonly extraction: { readonly provider: string; readonly modelId: string };
  readonly usagePlans: { readonly idsJson: string; readonly defaultPlan: string };
}

/**
 * One function's environment for its needs: exactly the variables its needs bind, plus
 * {@link ENV.functionNeeds}. The local stack and the cold-start benchmark build every function's
 * environment with it; the infra tests check the CDK stack sets the same names.
 */
export function environmentForNeeds(needs: readonly Need[], values: NeedValues): Record<string, string> {
  const env: Record<string, string> = { [ENV.functionNeeds]: needs.join(',') };
  const has = (need: Need) => needs.includes(need);
  if (has('data')) {
    if ('secretArn' in values.upstash) env[ENV.upstashSecretArn] = values.upstash.secretArn;
    else
      Object.assign(env, { [ENV.upstashUrl]: values.upstash.url, [ENV.upstashToken]: values.upstash.token });
  }
  if (has('queue:send')) env[ENV.promotionQueueUrl] = values.promotionQueueUrl;
  if (has('view-queue:send')) env[ENV.viewRefreshQueueUrl] = values.viewRefreshQueueUrl;
  if (has('documents:send')) env[ENV.documentQueueUrl] = values.documentQueueUrl;
  if (has('embedding') || has('model-ids')) {
    env[ENV.embeddingProvider] = values.embedding.provider;
    if (values.embedding.modelId !== undefined) env[ENV.embeddingModelId] = values.embedding.modelId;
    env[ENV.embeddingDimensions] = String(values.embedding.dimensions);
  }
  if (has('extraction') || has('model-ids')) {
    env[ENV.extractionProvider] = values.extraction.provider;
    env[ENV.extractionModelId] = values.extraction.modelId;
  }
  if (has('gateway-keys:manage') || has('gateway-keys:retire')) {
    env[ENV.usagePlanIds] = values.usagePlans.idsJson;
    env[ENV.defaultUsagePlan] = values.usagePlans.defaultPlan;
  }
  return env;
}
