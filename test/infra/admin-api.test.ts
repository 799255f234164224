import { beforeEach, describe, expect, it } from 'vitest';
import { adminApi } from '../../functions/catalog.js';
import { devApp, type Json, methodsOf, referencedIds } from './synth-fixture.js';

const synth = devApp();
const { serviceResources } = synth;
const service = synth.stacks.service;
const adminApiId = service.getLogicalId(service.adminApi.api.node.defaultChild as never);
const dataApiId = service.getLogicalId(service.api.node.defaultChild as never);

describe('admin API', () => {
  it('is a REST API of its own', () => {
    expect(adminApiId).not.toBe(dataApiId);
    expect(serviceResources[adminApiId]!.Properties).toMatchObject({ Name: 'agent-memory-dev-admin' });
    expect(serviceResources[adminApiId]!.Properties).not.toHaveProperty('ApiKeySourceType');
  });

  it('serves every admin route with AWS_IAM authorization, through one function', () => {
    const methods = methodsOf(serviceResources, adminApiId);
    expect(methods).toHaveLength(adminApi.routes.length);
    const targets = new Set<string>();
    for (const route of adminApi.routes) {
      const match = methods.find((m) => m.method === route.method && m.path === route.path);
      expect(match, `${route.method} ${route.path}`).toBeDefined();
      const method = match!.properties;
      expect(method.AuthorizationType, route.operation).toBe('AWS_IAM');
      expect(method.ApiKeyRequired ?? false, route.operation).toBe(false);
      expect(method.OperationName).toBe(route.operation);
      expect(method.Integration.Type).toBe('AWS_PROXY');
      for (const id of referencedIds(method.Integration.Uri)) targets.add(id);
    }
    expect([...targets].filter((id) => serviceResources[id]?.Type === 'AWS::Lambda::Function')).toEqual([
      synth.functionId(adminApi.name),
    ]);
  });

  it('is not on any usage plan', () => {
    for (const [, plan] of synth.ofType('AWS::ApiGateway::UsagePlan')) {
      for (const stage of plan.Properties.ApiStages as Json[])
        expect(stage.ApiId).toEqual({ Ref: dataApiId });
    }
  });

  it('offers operators a managed policy to invoke the admin API and nothing else', () => {
    const policies = synth.ofType('AWS::IAM::ManagedPolicy');
    expect(policies).toHaveLength(1);
    const [policyId, policy] = policies[0]!;
    const statements = policy.Properties.PolicyDocument.Statement as Json[];
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke' });
    const resource = statements[0].Resource;
    expect(referencedIds(resource)).toContain(adminApiId);
    expect(referencedIds(resource)).not.toContain(dataApiId);
    // …:<admin api id>/<its stage>/*/* : every method and path of the admin API's one stage.
    const [[stageId] = []] = synth
      .ofType('AWS::ApiGateway::Stage')
      .filter(([, s]) => s.Properties.RestApiId.Ref === adminApiId);
    expect((resource['Fn::Join'][1] as Json[]).slice(-4)).toEqual([
      { Ref: adminApiId },
      '/',
      { Ref: stageId },
      '/*/*',
    ]);
    const outputs = synth.service.toJSON().Outputs as Record<string, Json>;
    expect(outputs.AdminInvokePolicyArn.Value).toEqual({ Ref: policyId });
    expect(referencedIds(outputs.AdminApiUrl.Value)).toContain(adminApiId);
    expect(referencedIds(outputs.DataApiUrl.Value)).toContain(dataApiId);
  });

  it('deploys its stage after the account-wide API Gateway logging role', () => {
    const [[accountId] = []] = synth.ofType('AWS::ApiGateway::Account');
    const [[, stage] = []] = synth
      .ofType('AWS::ApiGateway::Stage')
      .filter(([, s]) => s.Properties.RestApiId.Ref === adminApiId);
    expect(stage?.DependsOn).toContain(accountId);
  });
});

describe('admin API resource policy', () => {
  // Looked up inside each test, so a stack without the role fails them one by one.
  let roleId = '';
  let policy: Json;
  beforeEach(() => {
    roleId = service.getLogicalId(service.adminApi.operatorRole.node.defaultChild as never);
    policy = serviceResources[adminApiId]!.Properties.Policy;
  });

  it('admits only the operator role: an explicit deny for every other principal', () => {
    expect(policy.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::GetAtt': [roleId, 'Arn'] } },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
      },
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [roleId, 'Arn'] } } },
      },
    ]);
  });

  it('lets principals of this account assume the operator role, which carries the invoke policy', () => {
    const role = serviceResources[roleId]!.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
    ]);
    expect(JSON.stringify(role.AssumeRolePolicyDocument.Statement[0].Principal)).toContain(':root');
    const [[, invokePolicy] = []] = synth.ofType('AWS::IAM::ManagedPolicy');
    expect(invokePolicy!.Properties.Roles).toEqual([{ Ref: roleId }]);
  });

  it('names the operator role in the stack outputs', () => {
    expect(synth.service.toJSON().Outputs.AdminOperatorRoleArn.Value).toEqual({
      'Fn::GetAtt': [roleId, 'Arn'],
    });
  });
});
