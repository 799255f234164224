import { Annotations, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  ApiKeySourceType,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Period,
  RequestAuthorizer,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  allFunctions,
  authorizer,
  httpRoutes,
  maintenance,
  promotionConsumer,
  type WorkerDefinition,
} from '../../functions/manifest.js';
import { ENV } from '../../lib/config/env-names.js';
import { type StageConfig, usesUpstashPlaceholder } from '../config/stage-config.js';
import { MemoryFunction, type PromotionQueueGrant } from '../constructs/memory-function.js';

export interface ServiceStackProps extends StackProps {
  readonly config: StageConfig;
  /** From the stateful stack. */
  readonly promotionQueue: IQueue;
}

/**
 * Functions that call the promotion queue themselves, by manifest name (today: the append use case
 * and the sweeper). Everything else gets neither the queue URL nor a grant. Checked against the manifest at synth, so a rename cannot silently drop one.
 */
const PROMOTION_QUEUE_ACCESS: Readonly<Record<string, readonly PromotionQueueGrant[]>> = {
  'add-session-event': ['send'],
  [maintenance.name]: ['send'],
  // The consumer receives through its event source, and sends follow-up jobs for long backlogs.
  [promotionConsumer.name]: ['send'],
};

/** Functions that embed text (writes and searches of long-term memory), by manifest name. */
const EMBEDDING_ACCESS: readonly string[] = [
  'promotion-consumer',
  'bulk-create-memories',
  'search-memories',
  'update-memory',
  'update-memory-fields',
];

/** RFC 7807-style bodies of the responses API Gateway produces itself (no function runs). */
const GATEWAY_PROBLEMS = [
  {
    id: 'Unauthorized',
    // No/blank Authorization header, or the authorizer answered `Unauthorized`.
    type: ResponseType.UNAUTHORIZED,
    status: 401,
    problem: 'authentication-failed',
    title: 'Authentication failed',
    detail: 'A valid API key is required',
  },
  {
    id: 'AccessDenied',
    // The authorizer's policy denies this method/resource.
    type: ResponseType.ACCESS_DENIED,
    status: 403,
    problem: 'insufficient-permissions',
    title: 'Insufficient permissions',
    detail: 'This API key has no access to this resource',
  },
  {
    id: 'InvalidApiKey',
    // The authorizer's usageIdentifierKey is not a key of a usage plan on this stage.
    type: ResponseType.INVALID_API_KEY,
    status: 403,
    problem: 'insufficient-permissions',
    title: 'Insufficient permissions',
    detail: 'This API key has no access to this API',
  },
  {
    id: 'MissingAuthenticationToken',
    // What a REST API answers for a path or method it does not have.
    type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    status: 404,
    problem: 'resource-not-found',
    title: 'Resource not found',
    detail: 'No such route',
  },
  {
    id: 'Throttled',
    type: ResponseType.THROTTLED,
    status: 429,
    problem: 'too-many-requests',
    title: 'Too many requests',
    detail: 'Request rate limit exceeded; retry later',
  },
  {
    id: 'QuotaExceeded',
    type: ResponseType.QUOTA_EXCEEDED,
    status: 429,
    problem: 'too-many-requests',
    title: 'Too many requests',
    detail: 'Request quota for this API key exhausted; retry in the next period',
  },
] as const;

/**
 * The stateless service: one Lambda per route of `functions/manifest.ts` behind a REST API, the
 * authorizer, the promotion consumer and the sweeper.
 *
 * Left for the infrastructure issue: minting API keys (key-management issue), Secrets Manager for
 * the Upstash token, alarms/dashboards, cdk-nag, WAF, X-Ray, custom domain, the admin API.
 */
export class ServiceStack extends Stack {
  readonly api: RestApi;
  /** Every function of the manifest, by manifest name. */
  readonly functions: ReadonlyMap<string, MemoryFunction>;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, promotionQueue } = props;
    const removalPolicy = config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const known = new Set(allFunctions.map((fn) => fn.name));
    for (const name of [...Object.keys(PROMOTION_QUEUE_ACCESS), ...EMBEDDING_ACCESS]) {
      if (!known.has(name)) {
        throw new Error(`an access list names '${name}', which is not in the manifest`);
      }
    }
    if (usesUpstashPlaceholder(config)) {
      Annotations.of(this).addWarningV2(
        'agent-memory:upstash-placeholder',
        'Upstash REST URL/token are placeholders: the functions will fail at runtime. Pass ' +
          '-c upstashRestUrl=… -c upstashRestToken=… (interim until the token moves to Secrets Manager).',
      );
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
        upstash: config.upstash,
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

    // --- API -----------------------------------------------------------------------------------
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetentionDays,
      removalPolicy,
    });

    this.api = new RestApi(this, 'Api', {
      restApiName: `agent-memory-${config.stage}`,
      description: `Agent Memory API (${config.stage})`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Usage-plan accounting uses the key the authorizer returns (`usageIdentifierKey`), not a header.
      apiKeySourceType: ApiKeySourceType.AUTHORIZER,
      cloudWatchRole: config.api.manageCloudWatchRole,
      failOnWarnings: true,
      deployOptions: {
        stageName: config.stage,
        throttlingRateLimit: config.api.stageThrottle.rateLimit,
        throttlingBurstLimit: config.api.stageThrottle.burstLimit,
        // Execution logs at ERROR only, and never request/response bodies (they carry memory content).
        dataTraceEnabled: false,
        loggingLevel: MethodLoggingLevel.ERROR,
        metricsEnabled: true,
        tracingEnabled: false,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: accessLogFormat(),
      },
    });

    for (const problem of GATEWAY_PROBLEMS) {
      this.api.addGatewayResponse(problem.id, {
        type: problem.type,
        statusCode: String(problem.status),
        responseHeaders: { 'Content-Type': "'application/json'" },
        templates: {
          'application/json': JSON.stringify({
            type: `/errors/${problem.problem}`,
            title: problem.title,
            status: problem.status,
            detail: problem.detail,
          }),
        },
      });
    }

    // The authorizer resolves the caller's key to its store grants and returns it as
    // `usageIdentifierKey` (the key value, which must belong to the usage plan below). Identity source:
    // the `Authorization` header only, so API Gateway answers 401 without invoking the authorizer when
    // it is absent; `X-Api-Key` support (which the handler already reads) is added with the
    // key-management issue. Results are cached per identity source, not per path: the returned policy
    // must cover every route the key may call (the authorizer returns an API-wide policy).
    const authorizerFn = define(authorizer, config.functions.authorizer);
    const requestAuthorizer = new RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      handler: authorizerFn.lambda,
      identitySources: [IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(config.api.authorizerCacheTtlSeconds),
    });

    for (const route of httpRoutes) {
      const fn = define(route, config.functions.http);
      const integration = new LambdaIntegration(fn.lambda, { proxy: true, allowTestInvoke: false });
      const resource = this.api.root.resourceForPath(route.path);
      if (route.action === 'none') {
        resource.addMethod(route.method, integration, {
          authorizationType: AuthorizationType.NONE,
          apiKeyRequired: false,
        });
      } else {
        resource.addMethod(route.method, integration, {
          authorizationType: AuthorizationType.CUSTOM,
          authorizer: requestAuthorizer,
          apiKeyRequired: true,
        });
      }
    }

    // One plan for now. Keys are minted, and attached to this plan, by the key-management issue.
    const { usagePlan } = config.api;
    this.api.addUsagePlan('DefaultUsagePlan', {
      name: `agent-memory-${config.stage}-default`,
      description: 'Default per-key throttle and quota; keys are added by the key-management issue',
      throttle: usagePlan.throttle,
      quota: { limit: usagePlan.quota.limit, period: Period[usagePlan.quota.period] },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });

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

    const { sweeper: sweeperSettings } = config.functions;
    // A failed sweep is simply redone by the next tick: no async retries.
    const sweeper = define(maintenance, sweeperSettings, { retryAttempts: 0 });
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
  }
}

/** `add-session-event` → `AddSessionEvent`. */
function constructId(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** JSON access log line: who, what, how it ended, how long. Never bodies, never the key itself. */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      extendedRequestId: AccessLogField.contextExtendedRequestId(),
      requestTimeEpoch: AccessLogField.contextRequestTimeEpoch(),
      sourceIp: AccessLogField.contextIdentitySourceIp(),
      userAgent: AccessLogField.contextIdentityUserAgent(),
      httpMethod: AccessLogField.contextHttpMethod(),
      resourcePath: AccessLogField.contextResourcePath(),
      path: AccessLogField.contextPath(),
      protocol: AccessLogField.contextProtocol(),
      status: AccessLogField.contextStatus(),
      responseLength: AccessLogField.contextResponseLength(),
      responseLatency: AccessLogField.contextResponseLatency(),
      integrationLatency: AccessLogField.contextIntegrationLatency(),
      integrationStatus: AccessLogField.contextIntegrationStatus(),
      apiKeyId: AccessLogField.contextIdentityApiKeyId(),
      authorizerStatus: AccessLogField.contextAuthorizerStatus(),
      authorizerLatency: AccessLogField.contextAuthorizerLatency(),
      authorizerError: AccessLogField.contextAuthorizerError(),
      errorType: AccessLogField.contextErrorResponseType(),
      errorMessage: AccessLogField.contextErrorMessage(),
    }),
  );
}
