import { fileURLToPath } from 'node:url';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { WorkerDefinition } from '../../functions/manifest.js';
import { ENV } from '../../lib/config/env-names.js';

/** Repository root: manifest entries are relative to it, and it holds the one lock file. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * esbuild settings of every function, shared with `scripts/build-functions.ts` so local bundles (and
 * the cold-start benchmark) match what CDK deploys.
 */
export const BUNDLE_SETTINGS = {
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  /** `.map` next to the bundle without a `sourceMappingURL` comment: no runtime cost, symbolicate offline. */
  sourcemap: 'external',
  /** The Node.js 22 runtime ships AWS SDK v3; everything else is bundled. */
  external: ['@aws-sdk/*'],
  /** Prefer packages' ESM builds: better tree shaking. */
  mainFields: ['module', 'main'],
  /** ESM output has no `require`; CommonJS dependencies that call it (e.g. for `node:` builtins) need one. */
  banner:
    "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);",
} as const;

export type PromotionQueueGrant = 'send' | 'consume';

export interface MemoryFunctionProps {
  /** Name and entry from `functions/manifest.ts`. */
  readonly definition: WorkerDefinition;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: RetentionDays;
  /** Applies to the function's log group. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Upstash REST endpoint and token, bound to `UPSTASH_REDIS_REST_URL` / `UPSTASH_REDIS_REST_TOKEN`.
   * Interim: the token is a plain environment variable taken from the stage config / CDK context; the
   * secrets issue replaces it with a Secrets Manager reference resolved at init.
   */
  readonly upstash: { readonly restUrl: string; readonly restToken: string };
  /**
   * The promotion queue: its URL is bound to `PROMOTION_QUEUE_URL` and the listed grants are added
   * together, so a function never knows a queue it may not use (or the reverse).
   */
  readonly promotionQueue?: { readonly queue: IQueue; readonly grants: readonly PromotionQueueGrant[] };
  readonly environment?: Readonly<Record<string, string>>;
  /** Retries of asynchronous invocations (EventBridge); Lambda's default is 2. */
  readonly retryAttempts?: number;
  readonly description?: string;
}

/**
 * The house Lambda function: Node.js 22 on arm64, an ESM bundle built by local esbuild (no Docker),
 * its own log group with a retention, and the runtime configuration of `lib/config/runtime-config.ts`.
 *
 * Bundling honours the CDK context `aws:cdk:bundling-stacks`: tests set it to `[]` and get a
 * placeholder asset without running esbuild.
 */
export class MemoryFunction extends Construct {
  readonly lambda: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly definition: WorkerDefinition;

  constructor(scope: Construct, id: string, props: MemoryFunctionProps) {
    super(scope, id);
    this.definition = props.definition;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.lambda = new NodejsFunction(this, 'Function', {
      entry: `${REPO_ROOT}${props.definition.entry}`,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      logGroup: this.logGroup,
      description: props.description ?? `agent-memory ${props.definition.name}`,
      ...(props.retryAttempts === undefined ? {} : { retryAttempts: props.retryAttempts }),
      environment: {
        [ENV.upstashUrl]: props.upstash.restUrl,
        [ENV.upstashToken]: props.upstash.restToken,
        ...props.environment,
      },
      bundling: {
        target: BUNDLE_SETTINGS.target,
        format: OutputFormat.ESM,
        minify: BUNDLE_SETTINGS.minify,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        externalModules: [...BUNDLE_SETTINGS.external],
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        banner: BUNDLE_SETTINGS.banner,
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
    });

    if (props.promotionQueue) {
      const { queue, grants } = props.promotionQueue;
      this.lambda.addEnvironment(ENV.promotionQueueUrl, queue.queueUrl);
      if (grants.includes('send')) queue.grantSendMessages(this.lambda);
      if (grants.includes('consume')) queue.grantConsumeMessages(this.lambda);
    }
  }
}
