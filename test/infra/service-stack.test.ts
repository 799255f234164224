import { readdirSync, readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { allFunctions, authorizer, httpRoutes, promotionConsumer } from '../../functions/manifest.js';
import { defineAgentMemoryApp } from '../../infra/bin/app.js';
import {
  loadStageConfig,
  STAGE_DEFAULTS,
  StageConfigError,
  stageConfigSchema,
} from '../../infra/config/stage-config.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is untyped
type Json = any;
type Resources = Record<string, { Type: string; Properties?: Json }>;

/** The app as `cdk synth` builds it (cdk.json's feature flags), with bundling skipped. */
const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
const app = new App({
  context: {
    ...cdkJson.context,
    [BUNDLING_STACKS]: [],
    upstashRestUrl: 'https://test.upstash.io',
    upstashRestToken: 'test-token',
  },
});
const stacks = defineAgentMemoryApp(app);
const service = Template.fromStack(stacks.service);
const stateful = Template.fromStack(stacks.stateful);
const serviceResources = service.toJSON().Resources as Resources;

const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

const functionId = (name: string): string => {
  const fn = stacks.service.functions.get(name);
  if (!fn) throw new Error(`no function ${name}`);
  return stacks.service.getLogicalId(fn.lambda.node.defaultChild as CfnFunction);
};

/** Logical ids a CloudFormation value points at through `Ref` / `Fn::GetAtt`. */
function referencedIds(value: Json, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencedIds(item, found);
  else if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') found.add(value.Ref);
    if (Array.isArray(value['Fn::GetAtt'])) found.add(value['Fn::GetAtt'][0]);
    for (const item of Object.values(value)) referencedIds(item, found);
  }
  return found;
}

/** Full path (`/v1/stores/{storeId}/…`) of every API Gateway resource, by logical id. */
function resourcePaths(): Map<string, string> {
  const parts = new Map(
    ofType(serviceResources, 'AWS::ApiGateway::Resource').map(([id, r]) => [id, r.Properties] as const),
  );
  const pathOf = (id: string): string => {
    const props = parts.get(id)!;
    const parent = props.ParentId.Ref as string | undefined;
    return `${parent ? pathOf(parent) : ''}/${props.PathPart}`;
  };
  return new Map([...parts.keys()].map((id) => [id, pathOf(id)]));
}

function methodFor(method: string, path: string): Json {
  const paths = resourcePaths();
  const matches = ofType(serviceResources, 'AWS::ApiGateway::Method').filter(([, m]) => {
    const resourceId = m.Properties.ResourceId.Ref as string | undefined;
    const methodPath = resourceId ? paths.get(resourceId) : '/';
    return m.Properties.HttpMethod === method && methodPath === path;
  });
  expect(matches, `${method} ${path}`).toHaveLength(1);
  return matches[0]![1].Properties;
}

describe('service stack', () => {
  it('skips bundling when aws:cdk:bundling-stacks is []', () => {
    const outdir = app.synth().directory;
    expect(readdirSync(outdir).filter((entry) => entry.startsWith('asset.'))).toEqual([]);
  });

  it('wires every manifest route, with its method, to its own function', () => {
    const targets = new Set<string>();
    for (const route of httpRoutes) {
      const method = methodFor(route.method, route.path);
      expect(method.Integration.Type).toBe('AWS_PROXY');
      const fnId = functionId(route.name);
      expect(referencedIds(method.Integration.Uri)).toContain(fnId);
      targets.add(fnId);
    }
    expect(targets.size).toBe(httpRoutes.length);
  });

  it('requires an API key and the authorizer on every data route, and neither on /health', () => {
    const authorizerIds = ofType(serviceResources, 'AWS::ApiGateway::Authorizer').map(([id]) => id);
    for (const route of httpRoutes) {
      const method = methodFor(route.method, route.path);
      if (route.path === '/health') {
        expect(method.ApiKeyRequired ?? false).toBe(false);
        expect(method.AuthorizationType).toBe('NONE');
      } else {
        expect(method.ApiKeyRequired, `${route.method} ${route.path}`).toBe(true);
        expect(method.AuthorizationType).toBe('CUSTOM');
        expect(authorizerIds).toContain(method.AuthorizerId.Ref);
      }
    }
  });

  it('meters keys returned by a REQUEST authorizer on the Authorization header', () => {
    service.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    const [[, auth] = []] = ofType(serviceResources, 'AWS::ApiGateway::Authorizer');
    expect(auth?.Properties).toMatchObject({
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
    });
    expect(referencedIds(auth?.Properties.AuthorizerUri)).toContain(functionId(authorizer.name));
    service.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: Match.anyValue(), BurstLimit: Match.anyValue() },
      Quota: { Limit: Match.anyValue(), Period: Match.anyValue() },
      ApiStages: Match.arrayWith([Match.objectLike({ Stage: Match.anyValue() })]),
    });
  });

  it('answers 401/403/429 from API Gateway with problem bodies', () => {
    const expected = [
      ['UNAUTHORIZED', 401, '/errors/authentication-failed'],
      ['ACCESS_DENIED', 403, '/errors/insufficient-permissions'],
      ['THROTTLED', 429, '/errors/too-many-requests'],
      ['QUOTA_EXCEEDED', 429, '/errors/too-many-requests'],
    ] as const;
    const responses = ofType(serviceResources, 'AWS::ApiGateway::GatewayResponse').map(
      ([, r]) => r.Properties,
    );
    for (const [responseType, status, type] of expected) {
      const response = responses.find((r) => r.ResponseType === responseType);
      expect(response?.StatusCode, responseType).toBe(String(status));
      const body = JSON.parse(response.ResponseTemplates['application/json']);
      expect(body).toEqual({ type, title: expect.any(String), status, detail: expect.any(String) });
    }
  });

  it('throttles the stage and logs access without data tracing or bodies', () => {
    const [[, stage] = []] = ofType(serviceResources, 'AWS::ApiGateway::Stage');
    const settings: Json[] = stage?.Properties.MethodSettings ?? [];
    expect(settings.length).toBeGreaterThan(0);
    for (const setting of settings) expect(setting.DataTraceEnabled).not.toBe(true);
    expect(settings).toContainEqual(
      expect.objectContaining({
        ThrottlingRateLimit: expect.any(Number),
        ThrottlingBurstLimit: expect.any(Number),
      }),
    );
    const format: string = stage?.Properties.AccessLogSetting.Format;
    expect(format).toContain('$context.requestId');
    expect(format).not.toMatch(/\$input|\$context\.identity\.apiKey"/);
  });

  it('runs every function on Node.js 22, arm64', () => {
    expect([...stacks.service.functions.keys()].sort()).toEqual(allFunctions.map((fn) => fn.name).sort());
    const functions = ofType(serviceResources, 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
    }
  });
});

describe('promotion queue', () => {
  const statefulJson = stateful.toJSON();
  const queues = ofType(statefulJson.Resources, 'AWS::SQS::Queue');
  const [queueId, queue] = queues.find(([, q]) => q.Properties.RedrivePolicy) ?? [];

  it('feeds the consumer with partial batch failures', () => {
    const [[, mapping] = []] = ofType(serviceResources, 'AWS::Lambda::EventSourceMapping');
    expect(mapping?.Properties).toMatchObject({
      FunctionName: { Ref: functionId(promotionConsumer.name) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: expect.any(Number),
      ScalingConfig: { MaximumConcurrency: expect.any(Number) },
    });
    // The event source is the stateful stack's promotion queue (weak or strong cross-stack reference).
    const source = mapping?.Properties.EventSourceArn;
    const outputName = source['Fn::GetStackOutput']?.OutputName;
    const exportName = source['Fn::ImportValue'];
    const outputs = statefulJson.Outputs as Record<string, Json>;
    const output = outputName
      ? outputs[outputName]
      : Object.values(outputs).find((o) => o.Export?.Name === exportName);
    expect(output?.Value).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
  });

  it('parks a job in the encrypted DLQ after 3-5 receives', () => {
    const policy = queue?.Properties.RedrivePolicy;
    const dlqId = policy.deadLetterTargetArn['Fn::GetAtt'][0];
    expect(statefulJson.Resources[dlqId].Type).toBe('AWS::SQS::Queue');
    expect(policy.maxReceiveCount).toBeGreaterThanOrEqual(3);
    expect(policy.maxReceiveCount).toBeLessThanOrEqual(5);
    for (const [, q] of queues) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('keeps messages invisible for at least 6x the consumer timeout', () => {
    const consumer = serviceResources[functionId(promotionConsumer.name)]!;
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumer.Properties.Timeout);
  });
});

describe('stage config', () => {
  const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });

  it('defaults to dev and takes overrides from the context', () => {
    const config = loadStageConfig(context({ region: 'eu-west-1', upstashRestUrl: 'https://x.upstash.io' }));
    expect(config).toMatchObject({
      stage: 'dev',
      region: 'eu-west-1',
      upstash: { restUrl: 'https://x.upstash.io' },
    });
    expect(() => loadStageConfig(context({ stage: 'nope' }))).toThrow(StageConfigError);
  });

  it('rejects an out-of-range maxReceiveCount and a visibility timeout under 6x the consumer timeout', () => {
    const dev = STAGE_DEFAULTS.dev!;
    expect(stageConfigSchema.safeParse({ ...dev, queue: { ...dev.queue, maxReceiveCount: 6 } }).success).toBe(
      false,
    );
    const tooShort = {
      ...dev.queue,
      visibilityTimeoutSeconds: 6 * dev.functions.consumer.timeoutSeconds - 1,
    };
    expect(stageConfigSchema.safeParse({ ...dev, queue: tooShort }).success).toBe(false);
  });
});

describe('bedrock access', () => {
  const policies = ofType(serviceResources, 'AWS::IAM::Policy');
  const bedrockStatements = policies.flatMap(([, policy]) =>
    (
      (policy.Properties as { PolicyDocument: { Statement: Json[] } }).PolicyDocument.Statement as Array<
        Record<string, Json>
      >
    )
      .filter((s) => JSON.stringify(s.Action).includes('bedrock:'))
      .map((s) => ({ policy, statement: s })),
  );

  it('grants InvokeModel on the exact embedding model ARN, never a wildcard', () => {
    expect(bedrockStatements.length).toBeGreaterThan(0);
    for (const { statement } of bedrockStatements) {
      expect(statement.Action).toBe('bedrock:InvokeModel');
      const resource = JSON.stringify(statement.Resource);
      expect(resource).toContain('::foundation-model/amazon.titan-embed-text-v2:0');
      expect(resource).not.toMatch(/\*/);
    }
  });

  it('gives Bedrock access and embedding settings to the functions that embed, and only to them', () => {
    const embedding = new Set([
      'promotion-consumer',
      'bulk-create-memories',
      'search-memories',
      'update-memory',
      'update-memory-fields',
    ]);
    const roleOf = (name: string) =>
      [...referencedIds((serviceResources[functionId(name)]!.Properties as { Role: Json }).Role)][0];
    const rolesWithBedrock = new Set(
      bedrockStatements.flatMap(({ policy }) => [
        ...referencedIds((policy.Properties as { Roles: Json }).Roles),
      ]),
    );
    for (const fn of allFunctions) {
      expect(rolesWithBedrock.has(roleOf(fn.name) ?? ''), fn.name).toBe(embedding.has(fn.name));
      const env = (
        serviceResources[functionId(fn.name)]!.Properties as {
          Environment?: { Variables?: Record<string, string> };
        }
      ).Environment?.Variables;
      expect(env?.EMBEDDING_MODEL_ID !== undefined, fn.name).toBe(embedding.has(fn.name));
    }
  });

  it('lets only the consumer call the extraction model, on the inference profile and its regional models', () => {
    const consumerRole = [
      ...referencedIds(
        (serviceResources[functionId('promotion-consumer')]!.Properties as { Role: Json }).Role,
      ),
    ][0];
    const statements = bedrockStatements.filter(({ statement }) =>
      JSON.stringify(statement.Resource).includes('claude'),
    );
    expect(statements.length).toBeGreaterThan(0);
    for (const { policy, statement } of statements) {
      expect([...referencedIds((policy.Properties as { Roles: Json }).Roles)]).toEqual([consumerRole]);
      const resource = JSON.stringify(statement.Resource);
      expect(resource).toContain(':inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0');
      for (const region of ['us-east-1', 'us-east-2', 'us-west-2']) {
        expect(resource).toContain(
          `bedrock:${region}::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0`,
        );
      }
    }
    const env = (
      serviceResources[functionId('promotion-consumer')]!.Properties as {
        Environment: { Variables: Record<string, string> };
      }
    ).Environment.Variables;
    expect(env.EXTRACTION_PROVIDER).toBe('bedrock');
    expect(env.EXTRACTION_MODEL_ID).toBe('us.anthropic.claude-3-5-haiku-20241022-v1:0');
  });
});
