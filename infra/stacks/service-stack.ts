import { CfnOutput, Duration, Lazy, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  adminApi,
  allFunctions,
  authorizer,
  type FunctionDefinition,
  httpRoutes,
  maintenance,
  promotionConsumer,
} from '../../functions/catalog.js';
import { ENV } from '../../lib/config/env-names.js';
import { type StageConfig, wafEnabled } from '../config/stage-config.js';
import { AdminApi } from '../constructs/admin-api.js';
import { BedrockModelAccess } from '../constructs/bedrock-model-access.js';
import { ExplorerSite } from '../constructs/explorer-site.js';
import { MemoryApi } from '../constructs/memory-api.js';
import { MemoryFunction } from '../constructs/memory-function.js';
import { PromotionPipeline } from '../constructs/promotion-pipeline.js';
import { ServiceMonitoring } from '../constructs/service-monitoring.js';

export interface ServiceStackProps extends StackProps {
  readonly config: StageConfig;
  /** From the stateful stack. */
  readonly promotionQueue: IQueue;
  /** From the stateful stack: monitored on the dashboard and by an alarm. */
  readonly promotionDeadLetterQueue: IQueue;
  /** The summary-view refresh queue (the stateful stack's, with its DLQ). */
  readonly viewRefreshQueue: IQueue;
  /** From the stateful stack: document ingestion jobs (`documents:send`, `documents:consume`). */
  readonly documentQueue: IQueue;
  /** From the stateful stack: the Upstash credentials every function that needs `data` reads at cold start. */
  readonly upstashSecret: ISecret;
  /** From the stateful stack: where alarms notify. */
  readonly alarmTopic: ITopic;
}

/**
 * The stateless service: one Lambda per entry of `functions/catalog.ts`, each granted exactly its
 * catalog needs (the Upstash secret, the promotion queue, Bedrock models, API Gateway keys) with the
 * variables bound to them; the data API (keys, usage plans, authorizer) over the HTTP functions, the
 * admin API over its function, the consumer's event source, the maintenance schedule, and their
 * alarms and dashboard.
 *
 * Not here (yet): X-Ray, a custom domain.
 */
export class ServiceStack extends Stack {
  readonly api: RestApi;
  readonly memoryApi: MemoryApi;
  readonly adminApi: AdminApi;
  readonly monitoring: ServiceMonitoring;
  /** Every function of the catalog, by catalog name. */
  readonly functions: ReadonlyMap<string, MemoryFunction>;
  /** The memory explorer's static site (`explorer.enabled`). */
  readonly explorer: ExplorerSite | undefined;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, promotionQueue, viewRefreshQueue, upstashSecret } = props;
    const removalPolicy = config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const namePrefix = `agent-memory-${config.stage}`;

    const models = new BedrockModelAccess(this, 'BedrockModels', {
      embedding: config.embedding,
      extraction: config.extraction,
      region: config.region,
    });
    const pipeline = new PromotionPipeline(this, 'PromotionPipeline', {
      queue: promotionQueue,
      batchSize: config.queue.batchSize,
      maxBatchingWindowSeconds: config.queue.maxBatchingWindowSeconds,
      maxConcurrency: config.queue.maxConcurrency,
    });
    // The explorer's site first: the data API allows its origin. The page may connect only to the
    // API's origin, which exists once the API does (below), hence the lazy values.
    let dataApi: RestApi | undefined;
    const apiValue = (produce: (api: RestApi) => string) =>
      Lazy.string({
        produce: () => {
          if (!dataApi) throw new Error('the data API was not created');
          return produce(dataApi);
        },
      });
    this.explorer = config.explorer.enabled
      ? new ExplorerSite(this, 'Explorer', {
          apiOrigin: apiValue(
            (api) => `https://${api.restApiId}.execute-api.${this.region}.${this.urlSuffix}`,
          ),
          apiUrl: apiValue((api) => api.url),
          removalPolicy,
        })
      : undefined;
    // `*` already admits the explorer, and must stay the only origin.
    const corsAllowOrigins =
      this.explorer && !config.api.corsAllowOrigins.includes('*')
        ? [...config.api.corsAllowOrigins, this.explorer.origin]
        : config.api.corsAllowOrigins;
    // The same two sides for summary-view refreshes (decision record 0020).
    const viewPipeline = new PromotionPipeline(this, 'ViewRefreshPipeline', {
      queue: viewRefreshQueue,
      queueUrlVariable: ENV.viewRefreshQueueUrl,
      batchSize: config.queue.batchSize,
      maxBatchingWindowSeconds: config.queue.maxBatchingWindowSeconds,
      maxConcurrency: config.queue.maxConcurrency,
    });
    // The same construct for the document queue: senders get its URL and SendMessage, its consumer
    // the event source with partial batch failures.
    const documentPipeline = new PromotionPipeline(this, 'DocumentPipeline', {
      queue: props.documentQueue,
      // One document per invocation: a long one may use the whole timeout (it continues in a new job).
      batchSize: 1,
      maxConcurrency: config.queue.maxConcurrency,
      queueUrlVariable: ENV.documentQueueUrl,
    });
    // HTTP functions answer browsers' origins themselves (the gateway only answers preflights).
    const cors: Record<string, string> =
      corsAllowOrigins.length > 0 ? { [ENV.corsAllowOrigins]: corsAllowOrigins.join(',') } : {};
    /** Settings of a trigger rather than of a need (nothing is granted with them). */
    const triggerEnvironment = (definition: FunctionDefinition): Record<string, string> => {
      switch (definition.trigger.kind) {
        case 'http':
          return cors;
        case 'authorizer':
          return { [ENV.apiKeyCacheSeconds]: String(config.api.authorizerCacheTtlSeconds) };
        default:
          return {};
      }
    };

    // --- Functions, each with the grants and variables of its catalog needs ----------------------
    const functions = new Map<string, MemoryFunction>();
    for (const definition of allFunctions) {
      const needs = new Set(definition.needs);
      const resources = config.functions[definition.profile];
      const fn = new MemoryFunction(this, constructId(definition.name), {
        definition,
        description: `agent-memory ${config.stage} ${definition.name}`,
        memorySize: resources.memoryMb,
        timeout: Duration.seconds(resources.timeoutSeconds),
        logRetention: config.logRetentionDays,
        removalPolicy,
        // A function without `data` (`/health`) holds neither the secret's ARN nor a grant on it
        // (security review 2026-12, finding 14).
        ...(needs.has('data') ? { upstashSecret } : {}),
        // A failed maintenance run is simply redone by the next tick: no async retries.
        ...(definition.trigger.kind === 'schedule' ? { retryAttempts: 0 } : {}),
        environment: triggerEnvironment(definition),
      });
      if (needs.has('queue:send')) pipeline.grantSend(fn);
      if (needs.has('queue:consume')) pipeline.attachConsumer(fn);
      if (needs.has('view-queue:send')) viewPipeline.grantSend(fn);
      if (needs.has('view-queue:consume')) viewPipeline.attachConsumer(fn);
      if (needs.has('documents:send')) documentPipeline.grantSend(fn);
      if (needs.has('documents:consume')) documentPipeline.attachConsumer(fn);
      if (needs.has('embedding')) models.grantEmbedding(fn);
      if (needs.has('extraction')) models.grantExtraction(fn);
      if (needs.has('model-ids')) models.bindModelIds(fn);
      functions.set(definition.name, fn);
    }
    const functionOf = (definition: FunctionDefinition): MemoryFunction => functions.get(definition.name)!;

    // --- Data API --------------------------------------------------------------------------------
    this.memoryApi = new MemoryApi(this, 'MemoryApi', {
      restApiName: namePrefix,
      stageName: config.stage,
      throttle: config.api.stageThrottle,
      logRetention: config.logRetentionDays,
      removalPolicy,
      manageCloudWatchRole: config.api.manageCloudWatchRole,
      authorizer: functionOf(authorizer).lambda,
      routes: httpRoutes.map((route) => ({ route, handler: functions.get(route.name)!.lambda })),
      plans: config.api.plans,
      corsAllowOrigins,
      ...(wafEnabled(config)
        ? { webAcl: { requestsPerIpPer5Minutes: config.api.waf.requestsPerIpPer5Minutes } }
        : {}),
    });
    this.api = this.memoryApi.api;
    dataApi = this.api;

    // API Gateway keys: the usage plans' ids with the grant of each level.
    for (const definition of allFunctions) {
      const manages = definition.needs.includes('gateway-keys:manage');
      const retires = definition.needs.includes('gateway-keys:retire');
      if (!manages && !retires) continue;
      const keyHolder = functionOf(definition);
      keyHolder.lambda.addEnvironment(ENV.usagePlanIds, this.memoryApi.usagePlanIdsJson());
      keyHolder.lambda.addEnvironment(ENV.defaultUsagePlan, config.api.defaultPlan);
      if (manages) this.memoryApi.grantKeyManagement(keyHolder);
      else this.memoryApi.grantKeyRetirement(keyHolder);
    }

    // --- Admin API (control plane) ---------------------------------------------------------------
    this.adminApi = new AdminApi(this, 'ControlPlaneApi', {
      restApiName: `${namePrefix}-admin`,
      stageName: config.stage,
      throttle: config.api.adminThrottle,
      logRetention: config.logRetentionDays,
      removalPolicy,
      handler: functionOf(adminApi).lambda,
      routes: adminApi.routes,
    });
    // Access logging needs the account's API Gateway CloudWatch role, which the data API may create.
    const account = this.api.node.tryFindChild('Account');
    if (account) this.adminApi.api.deploymentStage.node.addDependency(account);

    // --- Maintenance -----------------------------------------------------------------------------
    const { scheduleMinutes } = config.functions.maintenance;
    // Renamed from `PromotionSweeperSchedule` with the function's one name: a rule is stateless,
    // so CloudFormation replacing it costs at most one skipped or doubled tick.
    new Rule(this, 'MaintenanceSchedule', {
      description: `Runs ${maintenance.name} every ${scheduleMinutes} min`,
      schedule: Schedule.rate(Duration.minutes(scheduleMinutes)),
      targets: [
        new LambdaFunction(functionOf(maintenance).lambda, {
          retryAttempts: 2,
          // A run older than one period is superseded by the next one.
          maxEventAge: Duration.minutes(scheduleMinutes),
        }),
      ],
    });
    this.functions = functions;

    // --- Alarms and dashboard --------------------------------------------------------------------
    this.monitoring = new ServiceMonitoring(this, 'Monitoring', {
      namePrefix,
      alarms: config.alarms,
      alarmTopic: props.alarmTopic,
      dataApi: this.api,
      adminApi: this.adminApi.api,
      authorizer: functionOf(authorizer).lambda,
      consumer: functionOf(promotionConsumer).lambda,
      promotionQueue,
      deadLetterQueue: props.promotionDeadLetterQueue,
      functions: new Map<string, IFunction>([...functions].map(([name, fn]) => [name, fn.lambda])),
    });

    new CfnOutput(this, 'DataApiUrl', { value: this.api.url, description: 'Data API base URL' });
    if (this.explorer) {
      new CfnOutput(this, 'ExplorerUrl', {
        value: `${this.explorer.origin}/`,
        description: 'The memory explorer (enter a store id and an API key)',
      });
    }
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
