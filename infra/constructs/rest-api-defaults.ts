import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AwsIntegration,
  JsonSchemaType,
  JsonSchemaVersion,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type Model,
  type RequestValidator,
  ResponseType,
  type RestApi,
  type StageOptions,
} from 'aws-cdk-lib/aws-apigateway';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** What both REST APIs (data and admin) share: stage settings, access logs, validation, problem bodies. */
export interface RestStageSettings {
  readonly stageName: string;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Stage options of every API: a stage-wide throttle, JSON access logs to a log group of their own,
 * execution logs at ERROR, and never data tracing (request/response bodies carry memory content).
 */
export function stageOptions(scope: Construct, settings: RestStageSettings): StageOptions {
  const accessLogs = new LogGroup(scope, 'AccessLogs', {
    retention: settings.logRetention,
    removalPolicy: settings.removalPolicy,
  });
  return {
    stageName: settings.stageName,
    throttlingRateLimit: settings.throttle.rateLimit,
    throttlingBurstLimit: settings.throttle.burstLimit,
    dataTraceEnabled: false,
    loggingLevel: MethodLoggingLevel.ERROR,
    metricsEnabled: true,
    tracingEnabled: false,
    accessLogDestination: new LogGroupLogDestination(accessLogs),
    accessLogFormat: accessLogFormat(),
  };
}

/** JSON access log line: who, what, how it ended, how long. Never bodies, never the key itself. */
export function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      extendedRequestId: AccessLogField.contextExtendedRequestId(),
      requestTimeEpoch: AccessLogField.contextRequestTimeEpoch(),
      sourceIp: AccessLogField.contextIdentitySourceIp(),
      userAgent: AccessLogField.contextIdentityUserAgent(),
      caller: AccessLogField.contextIdentityCaller(),
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

/**
 * Coarse validation at the edge: declared path parameters must be present, and a JSON body must be a
 * JSON object. Handlers still validate every body fully with zod; this only turns garbage into a 400
 * before a function is invoked.
 */
export interface EdgeValidation {
  readonly validator: RequestValidator;
  /** `{"type": "object"}`, for `requestModels` of methods that take a body. */
  readonly jsonObject: Model;
}

export function addEdgeValidation(api: RestApi): EdgeValidation {
  const validator = api.addRequestValidator('BodyAndParameters', {
    validateRequestBody: true,
    validateRequestParameters: true,
  });
  const jsonObject = api.addModel('JsonObject', {
    contentType: 'application/json',
    description: 'Any JSON object; the function validates the fields',
    schema: { schema: JsonSchemaVersion.DRAFT4, title: 'JsonObject', type: JsonSchemaType.OBJECT },
  });
  return { validator, jsonObject };
}

/** `/v1/stores/{storeId}/x/{id}` → `{ 'method.request.path.storeId': true, 'method.request.path.id': true }`. */
export function pathParameters(path: string): Record<string, boolean> {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
  return Object.fromEntries(names.map((name) => [`method.request.path.${name}`, true]));
}

/** Methods whose requests carry a body the edge checks. */
export const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PATCH', 'PUT']);

/** An RFC 7807-style body for a response API Gateway produces itself (no function runs). */
export interface GatewayProblem {
  readonly id: string;
  readonly type: ResponseType;
  readonly status: number;
  readonly problem: string;
  readonly title: string;
  readonly detail: string;
  /** Header values as mapping expressions (literals in single quotes), e.g. `{ 'Retry-After': "'1'" }`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * API Gateway's own answer to a body over its 10 MB payload limit (no function runs). Without it
 * the client gets `{"message":"Request Too Long"}`, the one 4xx not shaped like a problem.
 */
export const REQUEST_TOO_LARGE_PROBLEM: GatewayProblem = {
  id: 'RequestTooLarge',
  type: ResponseType.REQUEST_TOO_LARGE,
  status: 413,
  problem: 'payload-too-large',
  title: 'Payload too large',
  detail: 'The request body exceeds 10 MB',
};

export function addProblemResponses(
  api: RestApi,
  problems: readonly GatewayProblem[],
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  for (const problem of problems) {
    api.addGatewayResponse(problem.id, {
      type: problem.type,
      statusCode: String(problem.status),
      responseHeaders: { 'Content-Type': "'application/json'", ...problem.headers, ...extraHeaders },
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
}

/** The AwsSolutions findings every stage of this service shares, acknowledged on the stage. */
export function acknowledgeStageFindings(api: RestApi, options: { hasWebAcl?: boolean } = {}): void {
  if (options.hasWebAcl) return;
  Validations.of(api.deploymentStage).acknowledge({
    id: 'AwsSolutions-APIG3',
    reason:
      'No WAF web ACL on this stage: callers are authenticated on every route but /health, each key is ' +
      'throttled and metered by its usage plan, and the stage has a throttle of its own. The data API ' +
      'gets a per-IP rate-based web ACL in production stages (stage config api.waf); the admin API is ' +
      'IAM-only and limited to the operator role by its resource policy.',
  });
}

/**
 * A Lambda proxy integration of `handler` for `api`, with ONE invoke permission for the function
 * however many methods (and path aliases) use it: API Gateway, from this API's deployment stage only
 * (not the console's test-invoke), any method and path of it. `LambdaIntegration` adds one
 * permission per method, which at twice the paths would be a quarter of the stack's CloudFormation
 * resources (docs/decisions/0016). What reaches which function is still decided by the methods'
 * integrations, which only this stack writes; the permission says which API may call the function.
 * Call once per function and API, and use the integration for each of its methods.
 */
export function lambdaProxyIntegration(
  api: RestApi,
  handler: IFunction,
  permissionId: string,
): AwsIntegration {
  handler.addPermission(permissionId, {
    principal: new ServicePrincipal('apigateway.amazonaws.com'),
    sourceArn: api.arnForExecuteApi('*', '/*', api.deploymentStage.stageName),
  });
  return new AwsIntegration({
    proxy: true,
    service: 'lambda',
    path: `2015-03-31/functions/${handler.functionArn}/invocations`,
  });
}
