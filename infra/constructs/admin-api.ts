import { Validations } from 'aws-cdk-lib';
import {
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  type Method,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { AdminRouteDefinition } from '../../functions/manifest.js';
import { acknowledgeWildcardResource } from '../nag.js';
import {
  acknowledgeStageFindings,
  addEdgeValidation,
  addProblemResponses,
  BODY_METHODS,
  type GatewayProblem,
  pathParameters,
  REQUEST_TOO_LARGE_PROBLEM,
  type RestStageSettings,
  stageOptions,
} from './rest-api-defaults.js';

export interface AdminApiProps extends RestStageSettings {
  /** API Gateway's name for the API, e.g. `agent-memory-dev-admin`. */
  readonly restApiName: string;
  /** The one function serving every admin route. */
  readonly handler: IFunction;
  readonly routes: readonly AdminRouteDefinition[];
}

const ADMIN_API_PROBLEMS: readonly GatewayProblem[] = [
  {
    id: 'BadRequestBody',
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
  REQUEST_TOO_LARGE_PROBLEM,
];

/**
 * The control plane's REST API (stores and API keys), separate from the data API: every method
 * requires IAM (SigV4) authorization, there are no API keys or usage plans, and one function serves
 * every route. Operators get access by attaching {@link AdminApi.invokePolicy}.
 */
export class AdminApi extends Construct {
  readonly api: RestApi;
  /** `execute-api:Invoke` on this API's stage and nothing else; attach it to operators' roles. */
  readonly invokePolicy: ManagedPolicy;
  /** The method of each route, by operation id. */
  readonly methods: ReadonlyMap<string, Method>;

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);

    this.api = new RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: `Agent Memory admin API (${props.stageName}): stores and API keys, IAM-authorized`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // The account's API Gateway logging role is managed by the data API's stack (or outside CDK).
      cloudWatchRole: false,
      failOnWarnings: true,
      deployOptions: stageOptions(this, props),
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
    });
    addProblemResponses(this.api, ADMIN_API_PROBLEMS);

    const integration = new LambdaIntegration(props.handler, { proxy: true, allowTestInvoke: false });
    const { validator, jsonObject } = addEdgeValidation(this.api);
    const methods = new Map<string, Method>();
    for (const route of props.routes) {
      const method = this.api.root.resourceForPath(route.path).addMethod(route.method, integration, {
        authorizationType: AuthorizationType.IAM,
        operationName: route.operation,
        requestValidator: validator,
        requestParameters: pathParameters(route.path),
        ...(BODY_METHODS.has(route.method) ? { requestModels: { 'application/json': jsonObject } } : {}),
      });
      methods.set(route.operation, method);
    }
    this.methods = methods;

    const invokeArn = this.api.arnForExecuteApi('*', '/*', this.api.deploymentStage.stageName);
    this.invokePolicy = new ManagedPolicy(this, 'InvokePolicy', {
      description: `Call every operation of the Agent Memory admin API (${props.stageName})`,
      statements: [new PolicyStatement({ actions: ['execute-api:Invoke'], resources: [invokeArn] })],
    });

    acknowledgeStageFindings(this.api);
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Operators and automation call the admin API with their own AWS credentials (SigV4, ' +
        'AuthorizationType IAM on every method); there are no end users to put in a user pool.',
    });
    acknowledgeWildcardResource(
      this.invokePolicy,
      invokeArn,
      "The wildcards stand for this API's methods and paths on its one stage: the policy grants the " +
        'whole admin API (every operator operation) and no other API.',
    );
  }
}
