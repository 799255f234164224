import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type IGrantable, type IPrincipal, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { FunctionDefinition } from '../../functions/catalog.js';
import { ENV } from '../../lib/config/env-names.js';

/** Repository root: catalog entries are relative to it, and it holds the one lock file. */
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
  /**
   * Modules replaced at bundling, by repository-relative stand-ins that throw if ever run: what the
   * MCP SDK imports but the MCP function never runs (functions/http/mcp/not-bundled.ts says why).
   * Ajv is 135 KB; zod 3 and its JSON Schema converter 77 KB of a 638 KB bundle.
   */
  alias: {
    ajv: './functions/http/mcp/not-bundled.ts',
    'ajv-formats': './functions/http/mcp/not-bundled.ts',
    'zod/v3': './functions/http/mcp/not-bundled.ts',
    'zod-to-json-schema': './functions/http/mcp/not-bundled.ts',
  },
} as const;

/**
 * Environment every function gets: the service name and log level read by `lib/observability/logger.ts`
 * (Powertools' variable names, so Powertools utilities pick them up too).
 */
export const HOUSE_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'agent-memory',
  LOG_LEVEL: 'info',
} as const;

export interface MemoryFunctionProps {
  /**
   * The function's catalog entry (`functions/catalog.ts`): name, entry and needs. The needs are
   * bound as `FUNCTION_NEEDS`; the grant of each need is made by the construct that owns the
   * resource (`PromotionPipeline`, `BedrockModelAccess`, `MemoryApi`) or, for `data`, here.
   */
  readonly definition: FunctionDefinition;
  /** Megabytes (the catalog entry's resource profile in the stage configuration). */
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: RetentionDays;
  /** Applies to the function's log group. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * The Secrets Manager secret holding the Upstash REST URL and token (`{"url", "token"}`). Its ARN is
   * bound to `UPSTASH_SECRET_ARN` and read access granted together; the values never enter the
   * function's configuration. Pass it exactly when the catalog entry needs `data`.
   * @default - none: a function that reads no data (`/health`) holds neither the ARN nor a grant
   * on the secret that opens every tenant's data
   */
  readonly upstashSecret?: ISecret;
  /**
   * Added to (and may override) {@link HOUSE_ENVIRONMENT}. Never put a secret value here.
   * @default - the house environment and `FUNCTION_NEEDS` only
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Retries of asynchronous invocations (EventBridge).
   * @default 2 - Lambda's default
   */
  readonly retryAttempts?: number;
  /** @default - `agent-memory <name>` */
  readonly description?: string;
}

/**
 * The house Lambda function: Node.js 22 on arm64, an ESM bundle built by local esbuild (no Docker),
 * its own log group with a retention, the runtime configuration of `lib/config/runtime-config.ts`, and
 * its own role that may write to that log group and nothing else until a grant adds to it (no
 * `AWSLambdaBasicExecutionRole`, whose log permissions cover every log group of the account).
 *
 * Bundling honours the CDK context `aws:cdk:bundling-stacks`: tests set it to `[]` and get a
 * placeholder asset without running esbuild.
 */
export class MemoryFunction extends Construct implements IGrantable {
  readonly lambda: NodejsFunction;
  /** The function's role: grants made to the construct land on it. */
  readonly grantPrincipal: IPrincipal;
  readonly logGroup: LogGroup;
  readonly role: Role;
  readonly definition: FunctionDefinition;

  constructor(scope: Construct, id: string, props: MemoryFunctionProps) {
    super(scope, id);
    this.definition = props.definition;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `agent-memory ${props.definition.name}: execution role`,
    });
    // CreateLogStream + PutLogEvents on this function's log group only.
    this.logGroup.grantWrite(this.role);

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
      role: this.role,
      description: props.description ?? `agent-memory ${props.definition.name}`,
      ...(props.retryAttempts === undefined ? {} : { retryAttempts: props.retryAttempts }),
      environment: {
        ...HOUSE_ENVIRONMENT,
        [ENV.functionNeeds]: props.definition.needs.join(','),
        ...(props.upstashSecret ? { [ENV.upstashSecretArn]: props.upstashSecret.secretArn } : {}),
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
        // Absolute paths: CDK runs esbuild in the asset's output directory.
        esbuildArgs: {
          '--alias': Object.entries(BUNDLE_SETTINGS.alias).map(
            ([name, path]) => `${name}=${resolve(REPO_ROOT, path)}`,
          ),
        },
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
    });

    this.grantPrincipal = this.lambda.grantPrincipal;
    Validations.of(this.lambda).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to Node.js 22 (supported LTS): the esbuild target, the external AWS SDK v3 and the ' +
        'cold-start figures are for this runtime. Moving to Node.js 24 is a deliberate, measured change.',
    });

    // The binding and its grant together: a function never holds an ARN it may not read.
    props.upstashSecret?.grantRead(this.lambda);
  }
}
