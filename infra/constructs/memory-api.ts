import { Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  ApiKeySourceType,
  AuthorizationType,
  type AwsIntegration,
  type CfnAuthorizer,
  Cors,
  EndpointType,
  type Method,
  Period,
  RequestAuthorizer,
  ResponseType,
  RestApi,
  type UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct, type IConstruct } from 'constructs';
import { type HttpRouteDefinition, methodsOf, routeKey } from '../../functions/catalog.js';
import { acknowledgeWildcardResource } from '../nag.js';
import { RateLimitWebAcl } from './rate-limit-web-acl.js';
import {
  acknowledgeStageFindings,
  addEdgeValidation,
  addProblemResponses,
  BODY_METHODS,
  type GatewayProblem,
  lambdaProxyIntegration,
  pathParameters,
  REQUEST_TOO_LARGE_PROBLEM,
  type RestStageSettings,
  stageOptions,
} from './rest-api-defaults.js';

/** One usage-plan tier as the stage config describes it. */
export interface UsagePlanTier {
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly quota: { readonly limit: number; readonly period: 'DAY' | 'WEEK' | 'MONTH' };
}

export interface MemoryApiProps extends RestStageSettings {
  /** API Gateway's name for the API, e.g. `agent-memory-dev`. */
  readonly restApiName: string;
  /** Resolves the presented key to its store grants and returns it for usage-plan metering. */
  readonly authorizer: IFunction;
  /** Every data-plane route with the function that serves it. */
  readonly routes: readonly { readonly route: HttpRouteDefinition; readonly handler: IFunction }[];
  /** Usage-plan tiers by name; one API Gateway usage plan each, on this API's stage. */
  readonly plans: Readonly<Record<string, UsagePlanTier>>;
  /** Browser origins allowed to call the API; empty (the default): no CORS preflight, no CORS headers. */
  readonly corsAllowOrigins?: readonly string[];
  /** Let this API create the account's API Gateway CloudWatch role (an account/region singleton). */
  readonly manageCloudWatchRole: boolean;
  /**
   * A WAF web ACL on the stage with a per-IP rate-based rule (see {@link RateLimitWebAcl}).
   * Default: none.
   */
  readonly webAcl?: { readonly requestsPerIpPer5Minutes: number };
}

/**
 * Headers a browser may send: either key header, the body's type, `Idempotency-Key` (the SDK sends
 * one with every append, so that its retries never store a copy) and `Mcp-Protocol-Version` (sent
 * by MCP clients on every request after initialize).
 */
const CORS_ALLOW_HEADERS = [
  'Authorization',
  'X-Api-Key',
  'Content-Type',
  'Idempotency-Key',
  'Mcp-Protocol-Version',
];

/** Bodies of the responses API Gateway produces itself on the data API. */
const DATA_API_PROBLEMS: readonly GatewayProblem[] = [
  {
    id: 'Unauthorized',
    // The authorizer answered `Unauthorized`: no key, or an unknown, revoked or expired one.
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
    id: 'BadRequestBody',
    // The request validator rejected the body (not JSON, or not a JSON object).
    type: ResponseType.BAD_REQUEST_BODY,
    status: 400,
    problem: 'invalid-request',
    title: 'Invalid request',
    detail: 'The request body must be a JSON object',
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
  {
    id: 'AuthorizerFailure',
    // The authorizer threw other than `Unauthorized` or timed out: it could not read the key
    // registry (Upstash unavailable). The default is a bare 500; the client should retry.
    type: ResponseType.AUTHORIZER_FAILURE,
    status: 503,
    problem: 'resource-unavailable',
    title: 'A dependency is unavailable',
    detail: 'API keys cannot be checked right now; retry later',
    headers: { 'Retry-After': "'1'" },
  },
  REQUEST_TOO_LARGE_PROBLEM,
];

/**
 * The data-plane REST API: one method per catalog route, each integrated with its own function; a
 * REQUEST authorizer on every route but `/health`; API Gateway API keys metered by usage plans.
 *
 * Keys identify, the authorizer authorizes: it resolves the key (from `Authorization: Bearer …` or
 * `X-Api-Key`) to its store grants and returns it as `usageIdentifierKey` (`apiKeySource:
 * AUTHORIZER`), so API Gateway throttles and meters the caller by the plan the key is attached to.
 */
export class MemoryApi extends Construct {
  readonly api: RestApi;
  readonly authorizer: RequestAuthorizer;
  /** The method of each catalog route (aliases included), by `METHOD path` (catalog `routeKey`). */
  readonly methods: ReadonlyMap<string, Method>;
  /** One usage plan per tier, by tier name. */
  readonly usagePlans: ReadonlyMap<string, UsagePlan>;
  /** The stage's web ACL, when `webAcl` was given. */
  readonly webAcl: RateLimitWebAcl | undefined;

  constructor(scope: Construct, id: string, props: MemoryApiProps) {
    super(scope, id);
    const origins = props.corsAllowOrigins ?? [];

    this.api = new RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: `Agent Memory data API (${props.stageName})`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Usage-plan accounting uses the key the authorizer returns (`usageIdentifierKey`), not a header.
      apiKeySourceType: ApiKeySourceType.AUTHORIZER,
      cloudWatchRole: props.manageCloudWatchRole,
      failOnWarnings: true,
      deployOptions: stageOptions(this, props),
      ...(origins.length > 0
        ? {
            // Preflight (OPTIONS, a mock integration) on every resource. Responses of the functions
            // carry `Access-Control-Allow-Origin` themselves (CORS_ALLOW_ORIGINS).
            defaultCorsPreflightOptions: {
              allowOrigins: origins.includes('*') ? Cors.ALL_ORIGINS : [...origins],
              allowMethods: [...new Set(props.routes.flatMap(({ route }) => methodsOf(route))), 'OPTIONS'],
              allowHeaders: CORS_ALLOW_HEADERS,
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });

    addProblemResponses(this.api, DATA_API_PROBLEMS, corsResponseHeaders(origins));
    if (origins.length > 0) {
      // Every other response API Gateway makes up (5xx of a failed authorizer, integration timeouts):
      // without the header the browser hides even the status from the page.
      for (const type of [ResponseType.DEFAULT_4XX, ResponseType.DEFAULT_5XX]) {
        this.api.addGatewayResponse(`Cors${type.responseType}`, {
          type,
          responseHeaders: corsResponseHeaders(origins),
        });
      }
    }

    // Clients present their key in `Authorization: Bearer …` or in `X-Api-Key`, either one. A REQUEST
    // authorizer's identity sources are all required (API Gateway answers 401 without invoking the
    // authorizer when one is missing), so no header can be declared: the authorizer has no identity
    // source, which API Gateway allows only with result caching off. It therefore runs on every
    // request and caches resolved keys in its own memory for API_KEY_CACHE_SECONDS instead. CDK
    // renders an empty source list as `IdentitySource: ""`; the property is removed outright.
    this.authorizer = new RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      handler: props.authorizer,
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    (this.authorizer.node.defaultChild as CfnAuthorizer).identitySource = undefined;

    const { validator, jsonObject } = addEdgeValidation(this.api);
    const methods = new Map<string, Method>();
    const integrations = new Map<IFunction, AwsIntegration>();
    for (const { route, handler } of props.routes) {
      let integration = integrations.get(handler);
      if (!integration) {
        integration = lambdaProxyIntegration(this.api, handler, 'DataApiInvoke');
        integrations.set(handler, integration);
      }
      const resource = this.api.root.resourceForPath(route.path);
      for (const httpMethod of methodsOf(route)) {
        const validation = {
          requestValidator: validator,
          requestParameters: pathParameters(route.path),
          ...(BODY_METHODS.has(httpMethod) && route.body !== 'raw'
            ? { requestModels: { 'application/json': jsonObject } }
            : {}),
        };
        const method =
          route.action === 'none'
            ? resource.addMethod(httpMethod, integration, {
                ...validation,
                authorizationType: AuthorizationType.NONE,
                apiKeyRequired: false,
              })
            : resource.addMethod(httpMethod, integration, {
                ...validation,
                authorizationType: AuthorizationType.CUSTOM,
                authorizer: this.authorizer,
                apiKeyRequired: true,
              });
        if (route.action === 'none') {
          Validations.of(method).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${httpMethod} ${route.path} is the unauthenticated liveness probe; it reads no store.`,
          });
        }
        methods.set(routeKey({ method: httpMethod, path: route.path }), method);
      }
    }
    this.methods = methods;

    const usagePlans = new Map<string, UsagePlan>();
    for (const [tier, plan] of Object.entries(props.plans)) {
      usagePlans.set(
        tier,
        this.api.addUsagePlan(`UsagePlan-${tier}`, {
          name: `${props.restApiName}-${tier}`,
          description: `Agent Memory ${tier} tier: per-key throttle and quota`,
          throttle: plan.throttle,
          quota: { limit: plan.quota.limit, period: Period[plan.quota.period] },
          apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
        }),
      );
    }
    this.usagePlans = usagePlans;

    this.webAcl = props.webAcl
      ? new RateLimitWebAcl(this, 'WebAcl', {
          stageArn: this.api.deploymentStage.stageArn,
          requestsPerIpPer5Minutes: props.webAcl.requestsPerIpPer5Minutes,
          metricName: `${props.restApiName}-waf`,
        })
      : undefined;
    this.acknowledgeFindings(origins, this.webAcl !== undefined);
  }

  /** `{"free": "<usage plan id>", …}` as one CloudFormation string, for `USAGE_PLAN_IDS`. */
  usagePlanIdsJson(): string {
    const ids = Object.fromEntries([...this.usagePlans].map(([tier, plan]) => [tier, plan.usagePlanId]));
    return Stack.of(this).toJsonString(ids);
  }

  /**
   * What minting and rotating keys takes (the admin function only): create a key, attach it to one of
   * this API's usage plans, and read, disable or delete keys. Exact ARNs, except that a key's id is
   * unknown until API Gateway creates it.
   */
  grantKeyManagement(grantee: IGrantable & IConstruct): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['apigateway:POST'],
        resources: [this.managementArn('/apikeys')],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE'],
        resources: [this.managementArn('/apikeys/*')],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['apigateway:POST'],
        resources: [...this.usagePlans.values()].map((plan) =>
          this.managementArn(`/usageplans/${plan.usagePlanId}/keys`),
        ),
      }),
    );
    acknowledgeWildcardResource(
      grantee,
      this.managementArn('/apikeys/*'),
      'API key ids are assigned by API Gateway when a key is minted, so no exact ARN exists at deploy time. ' +
        'The wildcard covers key resources only (GET/PATCH/DELETE), not usage plans, stages or APIs.',
    );
  }

  /**
   * What retiring keys takes (the maintenance function: rotated keys whose grace period ended, failed deletions):
   * disable and delete keys. Nothing that creates keys or changes plans.
   */
  grantKeyRetirement(grantee: IGrantable & IConstruct): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['apigateway:PATCH', 'apigateway:DELETE'],
        resources: [this.managementArn('/apikeys/*')],
      }),
    );
    acknowledgeWildcardResource(
      grantee,
      this.managementArn('/apikeys/*'),
      'API key ids are assigned by API Gateway when a key is minted, so no exact ARN exists at deploy time. ' +
        'The wildcard covers key resources only (PATCH/DELETE), not usage plans, stages or APIs.',
    );
  }

  /** `arn:<partition>:apigateway:<region>::/apikeys…`: API Gateway's management API resources. */
  private managementArn(path: string): string {
    const stack = Stack.of(this);
    return `arn:${stack.partition}:apigateway:${stack.region}::${path}`;
  }

  private acknowledgeFindings(origins: readonly string[], hasWebAcl: boolean): void {
    acknowledgeStageFindings(this.api, { hasWebAcl });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Callers are services holding API keys, not Cognito users: a Lambda REQUEST authorizer resolves ' +
        'each key to its store grants (and /health needs none).',
    });
    if (origins.length > 0) {
      for (const child of this.api.methods.filter((m) => m.httpMethod === 'OPTIONS')) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'CORS preflight: browsers send OPTIONS without credentials, so it cannot require a key.',
        });
      }
    }
    const role = this.api.node.tryFindChild('CloudWatchRole');
    if (role) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-wide logging role; this AWS managed policy is what AWS documents for it, " +
          'and the role is assumable by apigateway.amazonaws.com only.',
      });
    }
  }
}

/** `Access-Control-Allow-Origin` for responses API Gateway makes itself; `{}` without CORS. */
function corsResponseHeaders(origins: readonly string[]): Record<string, string> {
  if (origins.length === 0) return {};
  if (origins.length === 1) {
    return { 'Access-Control-Allow-Origin': `'${origins[0]}'` };
  }
  // A gateway response cannot pick one origin out of a list, so it echoes the caller's. These
  // responses carry only an error title (no data), and the functions' own responses still answer only
  // the configured origins.
  return { 'Access-Control-Allow-Origin': 'method.request.header.Origin', Vary: "'Origin'" };
}
