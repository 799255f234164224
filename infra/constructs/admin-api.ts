import { Validations } from 'aws-cdk-lib';
import {
  AuthorizationType,
  EndpointType,
  type Method,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import {
  AccountRootPrincipal,
  AnyPrincipal,
  Effect,
  ManagedPolicy,
  PolicyDocument,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { AdminRouteDefinition } from '../../functions/catalog.js';
import { acknowledgeWildcardResource } from '../nag.js';
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
 * every route. Only {@link AdminApi.operatorRole} may call it: the API's resource policy denies
 * every other principal, so a broad `execute-api:Invoke` on `*` elsewhere in the account (e.g.
 * PowerUserAccess) no longer makes its holder an operator (security review 2026-12, finding 11).
 * Operators assume the role, which carries {@link AdminApi.invokePolicy}.
 */
export class AdminApi extends Construct {
  readonly api: RestApi;
  /** `execute-api:Invoke` on this API's stage and nothing else; attached to {@link operatorRole}. */
  readonly invokePolicy: ManagedPolicy;
  /**
   * The one principal the resource policy admits. Principals of this account whose own policies
   * allow `sts:AssumeRole` on it can assume it; its sessions may call every admin operation.
   */
  readonly operatorRole: Role;
  /** The method of each route, by operation id. */
  readonly methods: ReadonlyMap<string, Method>;

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);

    this.operatorRole = new Role(this, 'OperatorRole', {
      assumedBy: new AccountRootPrincipal(),
      description: `agent-memory ${props.stageName}: operators of the admin API (stores and API keys)`,
    });
    // Same-account IAM callers are admitted when either their identity policy or this resource
    // policy allows; only an explicit deny narrows that, hence the Deny for everyone but the role.
    // `execute-api:/*` is API Gateway's shorthand for every stage, method and path of this API.
    const resourcePolicy = new PolicyDocument({
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          principals: [this.operatorRole],
          actions: ['execute-api:Invoke'],
          resources: ['execute-api:/*'],
        }),
        new PolicyStatement({
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['execute-api:Invoke'],
          resources: ['execute-api:/*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.operatorRole.roleArn } },
        }),
      ],
    });

    this.api = new RestApi(this, 'Api', {
      policy: resourcePolicy,
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

    // One invoke permission for the function instead of one per method (docs/decisions/0016).
    const integration = lambdaProxyIntegration(this.api, props.handler, 'AdminApiInvoke');
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
    // Attached from the policy side (its Roles), so the role does not depend on the API whose
    // resource policy names it: that would be a cycle.
    this.invokePolicy.attachToRole(this.operatorRole);

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
