import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  adminApi,
  allFunctions,
  authorizer,
  httpRoutes,
  maintenance,
  promotionConsumer,
  type WorkerDefinition,
} from '../../functions/manifest.js';
import { ENV } from '../../lib/config/env-names.js';
import { type StageConfig, wafEnabled } from '../config/stage-config.js';
import { AdminApi } from '../constructs/admin-api.js';
import { MemoryApi } from '../constructs/memory-api.js';
import { MemoryFunction, type PromotionQueueGrant } from '../constructs/memory-function.js';
import { ServiceMonitoring } from '../constructs/service-monitoring.js';

export interface ServiceStackProps extends StackProps {
  readonly config: StageConfig;
  /** From the stateful stack. */
  readonly promotionQueue: IQueue;
  /** From the stateful stack: monitored on the dashboard and by an alarm. */
  readonly promotionDeadLetterQueue: IQueue;
  /** From the stateful stack: the Upstash credentials every function reads at cold start. */
  readonly upstashSecret: ISecret;
  /** From the stateful stack: where alarms notify. */
  readonly alarmTopic: ITopic;
}

/**
 * Functions that call the promotion queue themselves, by manifest name (today: the append use case
 * and the sweeper). Everything else gets neither the queue URL nor a grant. Checked against the manifest at synth, so a rename cannot silently drop one.
 */
const PROMOTION_QUEUE_ACCESS: Readonly<Record<string, readonly PromotionQueueGrant[]>> = {
  'add-session-event': ['send'],
  // Promote now sends the session's job at once.
  'promote-session-now': ['send'],
  // Retrying parked ranges sends the session's job at once too.
  'retry-parked-ranges': ['send'],
  // The MCP endpoint's add_session_event tool runs the same append use case.
  mcp: ['send'],
  [maintenance.name]: ['send'],
  // The consumer receives through its event source, and sends follow-up jobs for long backlogs.
  [promotionConsumer.name]: ['send'],
};

/** Functions that embed text (writes and searches of long-term memory, the memory prompt), by manifest name. */
const EMBEDDING_ACCESS: readonly string[] = [
  'promotion-consumer',
  'bulk-create-memories',
  'search-memories',
  'memory-prompt',
  'update-memory',
  'update-memory-fields',
  // MCP tools create and search long-term memories.
  'mcp',
];

/**
 * The stateless service: one Lambda per route of `functions/manifest.ts` behind the data API (keys,
 * usage plans, authorizer), the admin API and its function, the promotion consumer, the sweeper, and
 * their alarms and dashboard.
 *
 * Not here (yet): X-Ray, a custom domain.
 */
export class ServiceStack extends Stack {
  readonly api: RestApi;
  readonly memoryApi: MemoryApi;
  readonly adminApi: AdminApi;
  readonly monitoring: ServiceMonitoring;
  /** Every function of the manifest, by manifest name. */
  readonly functions: ReadonlyMap<string, MemoryFunction>;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, promotionQueue, upstashSecret } = props;
    const removalPolicy = config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const namePrefix = `agent-memory-${config.stage}`;

    const known = new Set(allFunctions.map((fn) => fn.name));
    for (const name of [...Object.keys(PROMOTION_QUEUE_ACCESS), ...EMBEDDING_ACCESS]) {
      if (!known.has(name)) {
        throw new Error(`an access list names '${name}', which is not in the manifest`);
      }
    }

    const functions = new Map<string, MemoryFunction>();
    const define = (
      definition: WorkerDefinition,
      settings: { memoryMb: number; timeoutSeconds: number },
      extra: { environment?: Record<string, string>; retryAttempts?: number } = {},
    ): MemoryFunction => {
      const grants = PROMOTION_QUEUE_ACCESS[definition.name];
      const embeds = EMBEDDING_ACCESS.includes(definition.name);
      const fn = new MemoryFunction(this, constructId(definition.name), {
        definition,
        description: `agent-memory ${config.stage} ${definition.name}`,
        memorySize: settings.memoryMb,
        timeout: Duration.seconds(settings.timeoutSeconds),
        logRetention: config.logRetentionDays,
        removalPolicy,
        // A route that checks no store (`/health`) reads no data: no Upstash secret, no grant
        // (security review 2026-12, finding 14).
        ...(readsNoData(definition) ? {} : { upstashSecret }),
        ...(grants ? { promotionQueue: { queue: promotionQueue, grants } } : {}),
        ...extra,
        environment: {
          ...(embeds
            ? {
                [ENV.embeddingProvider]: config.embedding.provider,
                [ENV.embeddingModelId]: config.embedding.modelId,
                [ENV.embeddingDimensions]: String(config.embedding.dimensions),
              }
            : {}),
          ...extra.environment,
        },
      });
      if (definition.name === promotionConsumer.name) {
        // Converse through a cross-region inference profile needs the profile and the foundation
        // model in each region it routes to; exactly those ARNs, nothing wider.
        const { inferenceProfileId, modelRegions } = config.extraction;
        const modelId = inferenceProfileId.slice(inferenceProfileId.indexOf('.') + 1);
        fn.lambda.addToRolePolicy(
          new PolicyStatement({
            actions: ['bedrock:InvokeModel'],
            resources: [
              `arn:${this.partition}:bedrock:${config.region}:${this.account}:inference-profile/${inferenceProfileId}`,
              ...modelRegions.map(
                (region) => `arn:${this.partition}:bedrock:${region}::foundation-model/${modelId}`,
              ),
            ],
          }),
        );
        fn.lambda.addEnvironment(ENV.extractionProvider, 'bedrock');
        fn.lambda.addEnvironment(ENV.extractionModelId, inferenceProfileId);
      }
      if (embeds) {
        fn.lambda.addToRolePolicy(
          new PolicyStatement({
            actions: ['bedrock:InvokeModel'],
            resources: [
              `arn:${this.partition}:bedrock:${config.region}::foundation-model/${config.embedding.modelId}`,
            ],
          }),
        );
      }
      functions.set(definition.name, fn);
      return fn;
    };

    // --- Data API --------------------------------------------------------------------------------
    const authorizerFn = define(authorizer, config.functions.authorizer, {
      environment: { [ENV.apiKeyCacheSeconds]: String(config.api.authorizerCacheTtlSeconds) },
    });
    // HTTP functions answer browsers' origins themselves (the gateway only answers preflights).
    const cors =
      config.api.corsAllowOrigins.length > 0
        ? { [ENV.corsAllowOrigins]: config.api.corsAllowOrigins.join(',') }
        : undefined;
    const routes = httpRoutes.map((route) => ({
      route,
      handler: define(route, config.functions.http, cors ? { environment: cors } : {}).lambda,
    }));
    this.memoryApi = new MemoryApi(this, 'MemoryApi', {
      restApiName: namePrefix,
      stageName: config.stage,
      throttle: config.api.stageThrottle,
      logRetention: config.logRetentionDays,
      removalPolicy,
      manageCloudWatchRole: config.api.manageCloudWatchRole,
      authorizer: authorizerFn.lambda,
      routes,
      plans: config.api.plans,
      corsAllowOrigins: config.api.corsAllowOrigins,
      ...(wafEnabled(config)
        ? { webAcl: { requestsPerIpPer5Minutes: config.api.waf.requestsPerIpPer5Minutes } }
        : {}),
    });
    this.api = this.memoryApi.api;
    const usagePlanEnvironment = {
      [ENV.usagePlanIds]: this.memoryApi.usagePlanIdsJson(),
      [ENV.defaultUsagePlan]: config.api.defaultPlan,
    };

    // --- Admin API (control plane) ---------------------------------------------------------------
    // The models are shown with every store (no Bedrock grant: the admin function never calls them).
    const adminFn = define(adminApi, config.functions.admin, {
      environment: {
        ...usagePlanEnvironment,
        [ENV.embeddingProvider]: config.embedding.provider,
        [ENV.embeddingModelId]: config.embedding.modelId,
        [ENV.embeddingDimensions]: String(config.embedding.dimensions),
        [ENV.extractionProvider]: 'bedrock',
        [ENV.extractionModelId]: config.extraction.inferenceProfileId,
      },
    });
    this.memoryApi.grantKeyManagement(adminFn);
    this.adminApi = new AdminApi(this, 'ControlPlaneApi', {
      restApiName: `${namePrefix}-admin`,
      stageName: config.stage,
      throttle: config.api.adminThrottle,
      logRetention: config.logRetentionDays,
      removalPolicy,
      handler: adminFn.lambda,
      routes: adminApi.routes,
    });
    // Access logging needs the account's API Gateway CloudWatch role, which the data API may create.
    const account = this.api.node.tryFindChild('Account');
    if (account) this.adminApi.api.deploymentStage.node.addDependency(account);

    // --- Promotion -----------------------------------------------------------------------------
    const consumer = define(promotionConsumer, config.functions.consumer);
    consumer.lambda.addEventSource(
      new SqsEventSource(promotionQueue, {
        batchSize: config.queue.batchSize,
        ...(config.queue.maxBatchingWindowSeconds > 0
          ? { maxBatchingWindow: Duration.seconds(config.queue.maxBatchingWindowSeconds) }
          : {}),
        reportBatchItemFailures: true,
        maxConcurrency: config.queue.maxConcurrency,
      }),
    );

    // --- Maintenance -----------------------------------------------------------------------------
    const { sweeper: sweeperSettings } = config.functions;
    // A failed sweep is simply redone by the next tick: no async retries. It also deletes the API
    // Gateway keys of rotated keys whose grace period ended (and retries failed deletions).
    const sweeper = define(maintenance, sweeperSettings, {
      retryAttempts: 0,
      environment: usagePlanEnvironment,
    });
    this.memoryApi.grantKeyRetirement(sweeper);
    new Rule(this, 'PromotionSweeperSchedule', {
      description: `Runs ${maintenance.name} every ${sweeperSettings.scheduleMinutes} min`,
      schedule: Schedule.rate(Duration.minutes(sweeperSettings.scheduleMinutes)),
      targets: [
        new LambdaFunction(sweeper.lambda, {
          retryAttempts: 2,
          // A sweep older than one period is superseded by the next one.
          maxEventAge: Duration.minutes(sweeperSettings.scheduleMinutes),
        }),
      ],
    });

    const missing = allFunctions.filter((fn) => !functions.has(fn.name)).map((fn) => fn.name);
    if (missing.length > 0) throw new Error(`manifest functions not deployed: ${missing.join(', ')}`);
    this.functions = functions;

    // --- Alarms and dashboard --------------------------------------------------------------------
    this.monitoring = new ServiceMonitoring(this, 'Monitoring', {
      namePrefix,
      alarms: config.alarms,
      alarmTopic: props.alarmTopic,
      dataApi: this.api,
      adminApi: this.adminApi.api,
      authorizer: authorizerFn.lambda,
      consumer: consumer.lambda,
      promotionQueue,
      deadLetterQueue: props.promotionDeadLetterQueue,
      functions: new Map<string, IFunction>([...functions].map(([name, fn]) => [name, fn.lambda])),
    });

    new CfnOutput(this, 'DataApiUrl', { value: this.api.url, description: 'Data API base URL' });
    new CfnOutput(this, 'AdminApiUrl', {
      value: this.adminApi.api.url,
      description: 'Admin API base URL (SigV4, execute-api)',
    });
    new CfnOutput(this, 'AdminInvokePolicyArn', {
      value: this.adminApi.invokePolicy.managedPolicyArn,
      description: 'Managed policy to attach to operators: execute-api:Invoke on the admin API only',
    });
    new CfnOutput(this, 'AdminOperatorRoleArn', {
      value: this.adminApi.operatorRole.roleArn,
      description: 'The only principal the admin API admits: assume it to run the admin CLI',
    });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }
}

/** `add-session-event` → `AddSessionEvent`. */
function constructId(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function readsNoData(definition: WorkerDefinition): boolean {
  return 'action' in definition && definition.action === 'none';
}
