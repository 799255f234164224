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

/** One usage-plan tier: the per-key throttle and quota API Gateway enforces for keys on the plan. */
const planSettings = z
  .object({
    throttle: throttleSettings,
    quota: z
      .object({ limit: z.number().int().positive(), period: z.enum(['DAY', 'WEEK', 'MONTH']) })
      .strict(),
  })
  .strict();

/** A browser origin (`https://app.example.com`, `http://localhost:3000`) or `*`. */
const corsOrigin = z
  .string()
  .regex(
    /^(\*|https?:\/\/[a-z0-9.-]+(:\d{1,5})?)$/,
    'must be an origin such as https://app.example.com, or *',
  );

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
     * Where the functions find the Upstash REST URL and token: a Secrets Manager secret holding
     * `{"url": "https://…", "token": "…"}`, read once per cold start (env `UPSTASH_SECRET_ARN`). Unset
     * `existingSecretName`: the stateful stack creates `agent-memory/<stage>/upstash` with an empty
     * placeholder that operators fill in. Never put the token itself in this file or the CDK context.
     */
    upstash: z
      .object({
        existingSecretName: z
          .string()
          .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name')
          .optional(),
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
    /**
     * Resource profiles: each catalog entry names one (`profile` in functions/catalog.ts), so a
     * function's memory and timeout are set here by kind, never by function name. The service stack
     * indexes this object by profile, so a profile missing here fails to compile.
     */
    functions: z
      .object({
        /** Every function behind an HTTP route; API Gateway gives up after 29 s anyway. */
        http: functionSettings(29),
        authorizer: functionSettings(29),
        /** The control plane's one function (admin API). */
        admin: functionSettings(29),
        consumer: functionSettings(900),
        maintenance: functionSettings(900).extend({
          /** How often EventBridge runs the maintenance function. */
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
        /** Stage-wide throttle of the data API: the ceiling for every caller together. */
        stageThrottle: throttleSettings,
        /**
         * Usage-plan tiers by name (e.g. free / standard / pro): one API Gateway usage plan each. A
         * minted key joins one of them; the admin function gets the plan ids as `USAGE_PLAN_IDS`.
         */
        plans: z
          .record(
            z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'tier names are lower-case kebab-case'),
            planSettings,
          )
          .refine((plans) => Object.keys(plans).length > 0, 'at least one usage-plan tier is required'),
        /** The tier a minted key joins when the request names none (`DEFAULT_USAGE_PLAN`). */
        defaultPlan: z.string(),
        /**
         * Seconds the authorizer reuses a resolved key in its own memory (`API_KEY_CACHE_SECONDS`);
         * a revoked key stops working within this time. API Gateway's result cache stays off: with
         * two alternative key headers it has no identity source to key on (see the service stack).
         */
        authorizerCacheTtlSeconds: z.number().int().min(0).max(3600),
        /** Origins allowed to call the data API from a browser; empty: no CORS at all. */
        corsAllowOrigins: z
          .array(corsOrigin)
          .refine((origins) => !origins.includes('*') || origins.length === 1, '* must be the only origin'),
        /**
         * A regional WAF web ACL in front of the data API stage with a per-IP rate-based rule
         * (infra/constructs/rate-limit-web-acl.ts). `enabled` defaults to on for production stages
         * (those with `terminationProtection`) and off elsewhere; a web ACL has a monthly cost.
         */
        waf: z
          .object({
            enabled: z.boolean().optional(),
            /** Requests one IP may make in a 5-minute window (WAF's unit; at least 10). */
            requestsPerIpPer5Minutes: z.number().int().min(10).max(2_000_000_000).default(3_000),
          })
          .strict()
          .default({ requestsPerIpPer5Minutes: 3_000 }),
        /** Stage throttle of the admin API (operators and the CLI; low on purpose). */
        adminThrottle: throttleSettings,
        /**
         * Access logs need the account-wide API Gateway CloudWatch role. `true` lets this stage's stack
         * create it (an account/region singleton: let exactly one stage per account own it).
         */
        manageCloudWatchRole: z.boolean(),
      })
      .strict(),
    /**
     * The memory explorer as a static site (infra/constructs/explorer-site.ts: private S3 bucket,
     * CloudFront with origin access control and security headers). Its origin is added to the data
     * API's CORS origins. Off unless a stage (or `-c explorer=true`) turns it on: it adds about 10
     * resources and a public page, which a stage serving only agents does not want.
     */
    explorer: z
      .object({ enabled: z.boolean().default(false) })
      .strict()
      .default({ enabled: false }),
    /**
     * CloudWatch alarms, all notifying the stateful stack's alarm topic. Each alarm fires when its
     * metric is above the threshold in `datapointsToAlarm` of `evaluationPeriods` periods.
     */
    alarms: z
      .object({
        periodMinutes: z.union([z.literal(1), z.literal(5), z.literal(15), z.literal(60)]),
        evaluationPeriods: z.number().int().min(1).max(24),
        datapointsToAlarm: z.number().int().min(1).max(24),
        /** Messages visible in the promotion DLQ (0: any parked job alarms). */
        dlqDepth: z.number().int().min(0),
        /** Failed invocations of the promotion consumer per period (not per-message failures). */
        consumerErrors: z.number().int().min(0),
        /** 5XX responses of the data API per period. */
        api5xx: z.number().int().min(0),
        /** Throttled invocations per period, for each of the authorizer and the consumer. */
        throttles: z.number().int().min(0),
        /** Failed invocations of the authorizer per period (clients see 500s). */
        authorizerErrors: z.number().int().min(0),
        /** Email addresses subscribed to the alarm topic (each must confirm); more can be added outside CDK. */
        notifyEmails: z.array(z.email()),
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
    const { plans, defaultPlan, stageThrottle } = config.api;
    if (!Object.hasOwn(plans, defaultPlan)) {
      ctx.addIssue({
        code: 'custom',
        path: ['api', 'defaultPlan'],
        message: `must be one of the plans: ${Object.keys(plans).join(', ')}`,
      });
    }
    // A plan limit above the stage's can never be reached: the stage throttle applies first.
    for (const [tier, plan] of Object.entries(plans)) {
      for (const limit of ['rateLimit', 'burstLimit'] as const) {
        if (plan.throttle[limit] > stageThrottle[limit]) {
          ctx.addIssue({
            code: 'custom',
            path: ['api', 'plans', tier, 'throttle', limit],
            message: `must not exceed the stage throttle (${stageThrottle[limit]})`,
          });
        }
      }
    }
    if (config.alarms.datapointsToAlarm > config.alarms.evaluationPeriods) {
      ctx.addIssue({
        code: 'custom',
        path: ['alarms', 'datapointsToAlarm'],
        message: 'must not exceed evaluationPeriods',
      });
    }
  });

export type StageConfig = z.infer<typeof stageConfigSchema>;
export type StageConfigInput = z.input<typeof stageConfigSchema>;

export const STAGE_DEFAULTS: Readonly<Record<string, StageConfigInput>> = {
  dev: {
    stage: 'dev',
    region: 'us-east-1',
    removalPolicy: 'destroy',
    terminationProtection: false,
    logRetentionDays: 14,
    upstash: {},
    embedding: { provider: 'bedrock-titan', modelId: 'amazon.titan-embed-text-v2:0', dimensions: 1024 },
    extraction: {
      inferenceProfileId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      modelRegions: ['us-east-1', 'us-east-2', 'us-west-2'],
    },
    functions: {
      http: { memoryMb: 512, timeoutSeconds: 10 },
      authorizer: { memoryMb: 512, timeoutSeconds: 5 },
      admin: { memoryMb: 512, timeoutSeconds: 20 },
      consumer: { memoryMb: 512, timeoutSeconds: 120 },
      maintenance: { memoryMb: 256, timeoutSeconds: 60, scheduleMinutes: 5 },
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
      plans: {
        free: { throttle: { rateLimit: 2, burstLimit: 5 }, quota: { limit: 10_000, period: 'MONTH' } },
        standard: {
          throttle: { rateLimit: 10, burstLimit: 20 },
          quota: { limit: 300_000, period: 'MONTH' },
        },
        pro: { throttle: { rateLimit: 25, burstLimit: 50 }, quota: { limit: 3_000_000, period: 'MONTH' } },
      },
      defaultPlan: 'standard',
      authorizerCacheTtlSeconds: 60,
      corsAllowOrigins: [],
      adminThrottle: { rateLimit: 5, burstLimit: 10 },
      manageCloudWatchRole: true,
    },
    alarms: {
      periodMinutes: 5,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      dlqDepth: 0,
      consumerErrors: 0,
      api5xx: 5,
      throttles: 0,
      authorizerErrors: 0,
      notifyEmails: [],
    },
  },
};

/** Context keys (`-c key=value`) that override the chosen stage's defaults. No secrets among them. */
export const CONTEXT_OVERRIDES = ['account', 'region', 'upstashSecretName', 'explorer'] as const;

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
  const existingSecretName = text('upstashSecretName') ?? defaults.upstash.existingSecretName;
  const input: StageConfigInput = {
    ...defaults,
    ...(account === undefined ? {} : { account }),
    region: text('region') ?? defaults.region,
    upstash: existingSecretName === undefined ? {} : { existingSecretName },
    ...(text('explorer') === undefined
      ? {}
      : { explorer: { enabled: parseFlag('explorer', text('explorer')!) } }),
  };
  return parseStageConfig(input);
}

/** `-c key=true|false` (the CLI passes context values as strings). */
function parseFlag(key: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new StageConfigError(`context ${key} must be true or false, not ${JSON.stringify(value)}`);
}

/** Validates a stage configuration; the error lists every problem by path. */
export function parseStageConfig(input: StageConfigInput): StageConfig {
  const parsed = stageConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new StageConfigError(`invalid configuration for stage '${input.stage}': ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Whether the data API gets its WAF web ACL: as configured, else on in production stages. */
export function wafEnabled(config: StageConfig): boolean {
  return config.api.waf.enabled ?? config.terminationProtection;
}
