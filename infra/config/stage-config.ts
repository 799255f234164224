/**
 * Typed, validated configuration of one deployment stage. The CDK app picks the stage from the CDK
 * context key `stage` (default `dev`); a few values may be overridden from the context too (see
 * `CONTEXT_OVERRIDES`). Nothing here performs a lookup, so `cdk synth` runs offline.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';

/** Retention periods CloudWatch Logs accepts (the numeric members of `RetentionDays`). */
const LOG_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (value): value is number => typeof value === 'number',
);

const memoryMb = z.number().int().min(128).max(10_240);
const seconds = (max: number) => z.number().int().min(1).max(max);

const functionSettings = (maxTimeoutSeconds: number) =>
  z.object({ memoryMb, timeoutSeconds: seconds(maxTimeoutSeconds) }).strict();

const throttleSettings = z
  .object({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() })
  .strict();

export const stageConfigSchema = z
  .object({
    /** Lower-case, short: it prefixes stack names and is the API Gateway stage name. */
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9]{1,11}$/, 'must be 2-12 characters of [a-z0-9], starting with a letter'),
    /** Unset: the stacks are account-agnostic and the CLI's credentials decide at deploy time. */
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
      .optional(),
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-1'),
    /** `destroy` for throw-away stages; `retain` keeps queues and log groups when a stack is deleted. */
    removalPolicy: z.enum(['destroy', 'retain']),
    /** CloudFormation termination protection on the stateful stack. */
    terminationProtection: z.boolean(),
    logRetentionDays: z
      .number()
      .refine((days) => LOG_RETENTION_DAYS.includes(days), `must be one of ${LOG_RETENTION_DAYS.join(', ')}`),
    /**
     * Upstash REST endpoint and token. Interim: both become plain Lambda environment variables. The
     * token moves to Secrets Manager with the secrets issue; until then pass real values through the
     * context (`-c upstashRestUrl=… -c upstashRestToken=…`) and never commit them.
     */
    upstash: z
      .object({
        restUrl: z.url({
          protocol: /^https?$/,
          message: 'must be the http(s) URL of the Upstash REST endpoint',
        }),
        restToken: z.string().min(1, 'must be the Upstash REST token'),
      })
      .strict(),
    /**
     * The Bedrock embedding model. Functions that embed get `bedrock:InvokeModel` on exactly this
     * model's foundation-model ARN in the stage's region, nothing wider.
     */
    embedding: z
      .object({
        provider: z.enum(['bedrock-titan', 'bedrock-cohere']),
        modelId: z.string().regex(/^[a-z0-9.-]+(:\d+)?$/, 'must be a Bedrock foundation model id'),
        dimensions: z.union([z.literal(256), z.literal(512), z.literal(1024)]),
      })
      .strict()
      .refine((e) => e.provider === 'bedrock-titan' || e.dimensions === 1024, {
        message: 'Cohere embed v3 has 1024 dimensions',
      }),
    /**
     * The Converse model for extraction and summaries: a cross-region inference profile id (e.g.
     * `us.anthropic…`) and the regions it routes to, so the consumer is granted exactly the profile
     * and the foundation model in those regions.
     */
    extraction: z
      .object({
        inferenceProfileId: z
          .string()
          .regex(/^[a-z]{2,4}\.[a-z0-9.-]+(:\d+)?$/, 'must be an inference profile id'),
        modelRegions: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/)).min(1),
      })
      .strict(),
    functions: z
      .object({
        /** Every function behind an HTTP route; API Gateway gives up after 29 s anyway. */
        http: functionSettings(29),
        authorizer: functionSettings(29),
        consumer: functionSettings(900),
        sweeper: functionSettings(900).extend({
          /** How often EventBridge runs the sweeper. */
          scheduleMinutes: z.number().int().min(1).max(1440),
        }),
      })
      .strict(),
    queue: z
      .object({
        /** Receives before a promotion job is parked in the DLQ. */
        maxReceiveCount: z.number().int().min(3).max(5),
        /** Must cover 6× the consumer timeout plus the batching window (AWS's guidance for SQS → Lambda). */
        visibilityTimeoutSeconds: z.number().int().min(1).max(43_200),
        retentionDays: z.number().int().min(1).max(14),
        deadLetterRetentionDays: z.number().int().min(1).max(14),
        batchSize: z.number().int().min(1).max(10),
        maxBatchingWindowSeconds: z.number().int().min(0).max(300),
        /** Upper bound on concurrent consumer invocations (SQS event source `ScalingConfig`). */
        maxConcurrency: z.number().int().min(2).max(1000),
      })
      .strict(),
    api: z
      .object({
        /** Stage-wide throttle: the ceiling for every caller together. */
        stageThrottle: throttleSettings,
        /** The one usage plan's per-key throttle and quota. */
        usagePlan: z
          .object({
            throttle: throttleSettings,
            quota: z
              .object({ limit: z.number().int().positive(), period: z.enum(['DAY', 'WEEK', 'MONTH']) })
              .strict(),
          })
          .strict(),
        /** API Gateway's cache of authorizer results, keyed on the identity source; 0 disables it. */
        authorizerCacheTtlSeconds: z.number().int().min(0).max(3600),
        /**
         * Access logs need the account-wide API Gateway CloudWatch role. `true` lets this stage's stack
         * create it (an account/region singleton: let exactly one stage per account own it).
         */
        manageCloudWatchRole: z.boolean(),
      })
      .strict(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const minimumVisibility =
      6 * config.functions.consumer.timeoutSeconds + config.queue.maxBatchingWindowSeconds;
    if (config.queue.visibilityTimeoutSeconds < minimumVisibility) {
      ctx.addIssue({
        code: 'custom',
        path: ['queue', 'visibilityTimeoutSeconds'],
        message: `must be at least 6 × consumer timeout + batching window = ${minimumVisibility}`,
      });
    }
    if (config.queue.deadLetterRetentionDays < config.queue.retentionDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['queue', 'deadLetterRetentionDays'],
        // A message keeps its original enqueue time when it moves to the DLQ.
        message: 'must be at least the source queue retention',
      });
    }
    if (config.api.usagePlan.throttle.rateLimit > config.api.stageThrottle.rateLimit) {
      ctx.addIssue({
        code: 'custom',
        path: ['api', 'usagePlan', 'throttle', 'rateLimit'],
        message: 'must not exceed the stage throttle',
      });
    }
  });

export type StageConfig = z.infer<typeof stageConfigSchema>;
export type StageConfigInput = z.input<typeof stageConfigSchema>;

/** Values that are obviously not a real Upstash database; synth warns while they are in use. */
export const UPSTASH_PLACEHOLDER = {
  restUrl: 'https://placeholder.upstash.invalid',
  restToken: 'placeholder-token',
} as const;

export const STAGE_DEFAULTS: Readonly<Record<string, StageConfigInput>> = {
  dev: {
    stage: 'dev',
    region: 'us-east-1',
    removalPolicy: 'destroy',
    terminationProtection: false,
    logRetentionDays: 14,
    upstash: { ...UPSTASH_PLACEHOLDER },
    embedding: { provider: 'bedrock-titan', modelId: 'amazon.titan-embed-text-v2:0', dimensions: 1024 },
    extraction: {
      inferenceProfileId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      modelRegions: ['us-east-1', 'us-east-2', 'us-west-2'],
    },
    functions: {
      http: { memoryMb: 512, timeoutSeconds: 10 },
      authorizer: { memoryMb: 512, timeoutSeconds: 5 },
      consumer: { memoryMb: 512, timeoutSeconds: 120 },
      sweeper: { memoryMb: 256, timeoutSeconds: 60, scheduleMinutes: 5 },
    },
    queue: {
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 720,
      retentionDays: 4,
      deadLetterRetentionDays: 14,
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxConcurrency: 5,
    },
    api: {
      stageThrottle: { rateLimit: 50, burstLimit: 100 },
      usagePlan: {
        throttle: { rateLimit: 10, burstLimit: 20 },
        quota: { limit: 10_000, period: 'DAY' },
      },
      authorizerCacheTtlSeconds: 60,
      manageCloudWatchRole: true,
    },
  },
};

/** Context keys (`-c key=value`) that override the chosen stage's defaults. */
export const CONTEXT_OVERRIDES = ['account', 'region', 'upstashRestUrl', 'upstashRestToken'] as const;

/** The subset of `Node` this module needs, so callers can pass `app.node` or a stub. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

export class StageConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StageConfigError';
  }
}

/** Resolves and validates the stage named by the context key `stage` (default `dev`). */
export function loadStageConfig(context: ContextSource): StageConfig {
  const stage = context.tryGetContext('stage') ?? 'dev';
  if (typeof stage !== 'string' || !Object.hasOwn(STAGE_DEFAULTS, stage)) {
    throw new StageConfigError(
      `unknown stage ${JSON.stringify(stage)}; known stages: ${Object.keys(STAGE_DEFAULTS).join(', ')}`,
    );
  }
  const defaults = STAGE_DEFAULTS[stage]!;
  const text = (key: (typeof CONTEXT_OVERRIDES)[number]): string | undefined => {
    const value = context.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const account = text('account') ?? defaults.account;
  const input: StageConfigInput = {
    ...defaults,
    ...(account === undefined ? {} : { account }),
    region: text('region') ?? defaults.region,
    upstash: {
      restUrl: text('upstashRestUrl') ?? defaults.upstash.restUrl,
      restToken: text('upstashRestToken') ?? defaults.upstash.restToken,
    },
  };
  const parsed = stageConfigSchema.safeParse(input);
  if (!parsed.success) {
    // Never echo values: the token may be among them.
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new StageConfigError(`invalid configuration for stage '${stage}': ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** True while the Upstash endpoint or token is still the built-in placeholder. */
export function usesUpstashPlaceholder(config: StageConfig): boolean {
  return (
    config.upstash.restUrl.startsWith(UPSTASH_PLACEHOLDER.restUrl) ||
    config.upstash.restToken === UPSTASH_PLACEHOLDER.restToken
  );
}
