import * as z from 'zod';
import { ENV } from './env-names.js';
import { isNeed, NEEDS, type Need } from './needs.js';

/** Claude 3.5 Haiku through the US cross-region inference profile: cheap and fast enough for extraction. */
export const DEFAULT_EXTRACTION_MODEL = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';

/**
 * The Upstash REST endpoint carries the token that opens every tenant's data, so it must be https.
 * Plain http is allowed only on a loopback host: the local stack's Upstash emulator listens on
 * `http://127.0.0.1:<port>` (dev/local-stack/upstash/server.ts), and loopback traffic never
 * leaves the machine. Security review 2026-12, finding 15.
 */
export function isAllowedUpstashUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'https:') return true;
  return parsed.protocol === 'http:' && isLoopback(parsed.hostname);
}

export const UPSTASH_URL_RULE =
  'must be the https URL of the Upstash REST endpoint (plain http only on a loopback host: the local stack)';

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

const runtimeConfigSchema = z.object({
  [ENV.upstashUrl]: z
    .url({ message: UPSTASH_URL_RULE })
    .refine(isAllowedUpstashUrl, { message: UPSTASH_URL_RULE })
    .optional(),
  [ENV.upstashToken]: z.string().min(1, 'must be the Upstash REST token').optional(),
  [ENV.upstashSecretArn]: z.string().min(1).optional(),
  [ENV.promotionQueueUrl]: z.url({ message: 'must be the SQS queue URL' }).optional(),
  [ENV.viewRefreshQueueUrl]: z.url({ message: 'must be the SQS queue URL' }).optional(),
  [ENV.documentQueueUrl]: z.url({ message: 'must be the SQS queue URL' }).optional(),
  [ENV.region]: z.string().min(1).default('us-east-1'),
  [ENV.embeddingProvider]: z.enum(['bedrock-titan', 'bedrock-cohere']).default('bedrock-titan'),
  [ENV.embeddingModelId]: z.string().min(1).optional(),
  [ENV.embeddingDimensions]: z.enum(['256', '512', '1024']).default('1024').transform(Number),
  [ENV.extractionProvider]: z.enum(['bedrock']).default('bedrock'),
  [ENV.extractionModelId]: z.string().min(1).default(DEFAULT_EXTRACTION_MODEL),
});

export interface UpstashCredentials {
  readonly url: string;
  readonly token: string;
}

/** Where the Upstash credentials come from: the environment (local) or Secrets Manager (AWS). */
export type UpstashSource = UpstashCredentials | { readonly secretArn: string };

/** The environment as read, before the Upstash secret is fetched. */
export interface EnvironmentConfig extends Omit<RuntimeConfig, 'upstash'> {
  readonly upstash: UpstashSource;
}

export interface RuntimeConfig {
  /**
   * What this function may use (`FUNCTION_NEEDS`, from its catalog entry); every need when the
   * variable is unset outside Lambda. Adapters check it with {@link requireNeed} before first use.
   */
  readonly needs: ReadonlySet<Need>;
  readonly upstash: UpstashCredentials;
  /** Absent in functions that never enqueue (e.g. the authorizer). */
  readonly promotionQueueUrl: string | undefined;
  /** Absent in functions that never queue a summary-view refresh. */
  readonly viewRefreshQueueUrl: string | undefined;
  /** Absent in functions that never submit documents. */
  readonly documentQueueUrl: string | undefined;
  readonly region: string;
  /**
   * Read from the environment only with the `embedding` or `model-ids` need; otherwise the defaults,
   * which still name the model a vector index is keyed by (a function that deletes vectors).
   */
  readonly embedding: {
    readonly provider: 'bedrock-titan' | 'bedrock-cohere';
    readonly modelId: string | undefined;
    readonly dimensions: 256 | 512 | 1024;
  };
  /** Read from the environment only with the `extraction` or `model-ids` need; otherwise the defaults. */
  readonly extraction: { readonly provider: 'bedrock'; readonly modelId: string };
}

/** Thrown at init when the environment is incomplete; names every bad variable, never its value. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment; a missing or malformed variable stops the function at init. Throws when
 * the Upstash credentials are not in the environment itself: see `readEnvironmentConfig` and
 * `lib/composition/cold-start.ts` for the Secrets Manager path.
 */
export function loadRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const config = readEnvironmentConfig(env);
  if (!('url' in config.upstash)) {
    throw new ConfigError(`${ENV.upstashUrl} and ${ENV.upstashToken} must be set`);
  }
  return { ...config, upstash: config.upstash };
}

/** The variables each part of the configuration reads, and the needs that let it read them. */
const SECTIONS: ReadonlyArray<{ readonly needs: readonly Need[]; readonly variables: readonly string[] }> = [
  { needs: ['data'], variables: [ENV.upstashUrl, ENV.upstashToken, ENV.upstashSecretArn] },
  { needs: ['queue:send'], variables: [ENV.promotionQueueUrl] },
  { needs: ['view-queue:send'], variables: [ENV.viewRefreshQueueUrl] },
  { needs: ['documents:send'], variables: [ENV.documentQueueUrl] },
  {
    needs: ['embedding', 'model-ids'],
    variables: [ENV.embeddingProvider, ENV.embeddingModelId, ENV.embeddingDimensions],
  },
  { needs: ['extraction', 'model-ids'], variables: [ENV.extractionProvider, ENV.extractionModelId] },
];

/**
 * The function's needs: `FUNCTION_NEEDS` as its catalog entry declares them. Unset means every need,
 * for code that builds an app outside any function (tests, benchmarks); on Lambda (where
 * `AWS_LAMBDA_FUNCTION_NAME` is set) the CDK stack always sets it, so there it is required.
 */
export function needsOf(env: NodeJS.ProcessEnv): ReadonlySet<Need> {
  const declared = env[ENV.functionNeeds];
  if (declared === undefined) {
    if (env.AWS_LAMBDA_FUNCTION_NAME !== undefined) {
      throw new ConfigError(`invalid environment: ${ENV.functionNeeds} must be set (functions/catalog.ts)`);
    }
    return new Set(NEEDS);
  }
  const names = declared.split(',').filter((name) => name !== '');
  const unknown = names.filter((name) => !isNeed(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `invalid environment: ${ENV.functionNeeds}: unknown need(s) ${unknown.join(', ')}; known: ${NEEDS.join(', ')}`,
    );
  }
  return new Set(names as Need[]);
}

/**
 * Stops a use this function did not declare, with a message that says where to declare it: on AWS
 * its role would lack the grant (AccessDenied at best); locally its environment lacks the variables.
 */
export function requireNeed(config: { readonly needs: ReadonlySet<Need> }, need: Need, use: string): void {
  if (config.needs.has(need)) return;
  throw new ConfigError(
    `${use} needs '${need}', which this function's entry in functions/catalog.ts does not declare ` +
      `(${ENV.functionNeeds}=${[...config.needs].join(',')}); declare it there, and the stack grants it`,
  );
}

/** Parses the environment, leaving the Upstash credentials as a secret reference when that is what it holds. */
export function readEnvironmentConfig(env: NodeJS.ProcessEnv = process.env): EnvironmentConfig {
  const needs = needsOf(env);
  // Only the variables of declared needs are read: an undeclared section keeps its defaults.
  const visible: Record<string, string | undefined> = { [ENV.region]: env[ENV.region] };
  for (const section of SECTIONS) {
    if (!section.needs.some((need) => needs.has(need))) continue;
    for (const name of section.variables) visible[name] = env[name];
  }
  if (!needs.has('data')) {
    throw new ConfigError(
      `invalid environment: this function declares no 'data' need (${ENV.functionNeeds}=${[...needs].join(',')}), ` +
        'so it has no Upstash credentials: declare it in functions/catalog.ts',
    );
  }
  if (needs.has('queue:send') && env[ENV.functionNeeds] !== undefined && !visible[ENV.promotionQueueUrl]) {
    throw new ConfigError(`invalid environment: ${ENV.promotionQueueUrl} must be set (need 'queue:send')`);
  }
  if (
    needs.has('view-queue:send') &&
    env[ENV.functionNeeds] !== undefined &&
    !visible[ENV.viewRefreshQueueUrl]
  ) {
    throw new ConfigError(
      `invalid environment: ${ENV.viewRefreshQueueUrl} must be set (need 'view-queue:send')`,
    );
  }
  const parsed = runtimeConfigSchema.safeParse(visible);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  const url = values[ENV.upstashUrl];
  const token = values[ENV.upstashToken];
  const secretArn = values[ENV.upstashSecretArn];
  let upstash: UpstashSource;
  if (url !== undefined && token !== undefined) upstash = { url, token };
  else if (secretArn !== undefined) upstash = { secretArn };
  else {
    throw new ConfigError(
      `invalid environment: set ${ENV.upstashSecretArn}, or both ${ENV.upstashUrl} and ${ENV.upstashToken}`,
    );
  }
  return {
    needs,
    upstash,
    promotionQueueUrl: values[ENV.promotionQueueUrl],
    viewRefreshQueueUrl: values[ENV.viewRefreshQueueUrl],
    documentQueueUrl: values[ENV.documentQueueUrl],
    region: values[ENV.region],
    embedding: {
      provider: values[ENV.embeddingProvider],
      modelId: values[ENV.embeddingModelId],
      dimensions: values[ENV.embeddingDimensions] as 256 | 512 | 1024,
    },
    extraction: { provider: values[ENV.extractionProvider], modelId: values[ENV.extractionModelId] },
  };
}

/**
 * What the HTTP middleware chain reads: parsed on its own, since `/health` builds no app and must
 * read no other variable. `CORS_ALLOW_ORIGINS` is comma-separated (`*` for any); unset: no CORS.
 */
export interface HttpConfig {
  readonly corsAllowOrigins: readonly string[];
}

export function readHttpConfig(env: NodeJS.ProcessEnv = process.env): HttpConfig {
  const origins = (env[ENV.corsAllowOrigins] ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  return { corsAllowOrigins: origins };
}

/** Longest in-memory reuse of a resolved key, whatever the variable says: a revoked key stops within it. */
export const MAX_API_KEY_CACHE_SECONDS = 300;

const authorizerConfigSchema = z.object({
  [ENV.apiKeyCacheSeconds]: z.coerce
    .number({ message: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(0, 'must be a whole number of seconds')
    .default(0),
});

/**
 * The authorizer's own setting, `API_KEY_CACHE_SECONDS` (unset: 0, no reuse), capped at
 * {@link MAX_API_KEY_CACHE_SECONDS}. A malformed value is a ConfigError at init; it used to become
 * 0 silently, turning the cache off without a word (review 2026-12, 2.6).
 */
export function readAuthorizerConfig(env: NodeJS.ProcessEnv = process.env): { apiKeyCacheSeconds: number } {
  const parsed = authorizerConfigSchema.safeParse({ [ENV.apiKeyCacheSeconds]: env[ENV.apiKeyCacheSeconds] });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  return {
    apiKeyCacheSeconds: Math.min(parsed.data[ENV.apiKeyCacheSeconds], MAX_API_KEY_CACHE_SECONDS),
  };
}
