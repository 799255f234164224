import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  allFunctions,
  documentConsumer,
  type FunctionDefinition,
  httpRoutes,
  type Need,
  promotionConsumer,
  methodsOf as routeMethods,
  viewRefreshConsumer,
} from '../../functions/catalog.js';
import { ENV } from '../../lib/config/env-names.js';
import { NEED_VARIABLES, NEEDS } from '../../lib/config/needs.js';
import { devApp, type Json, methodsOf, policyStatements, referencedIds } from './synth-fixture.js';

/** Whether a catalog entry declares `need`: every assertion below is derived from the catalog. */
const declares = (fn: FunctionDefinition, need: Need) => fn.needs.includes(need);

const synth = devApp();
const { serviceResources, statefulResources } = synth;
const dataApiId = synth.stacks.service.getLogicalId(synth.stacks.service.api.node.defaultChild as never);

describe('service stack', () => {
  it('skips bundling when aws:cdk:bundling-stacks is []', () => {
    expect(readdirSync(synth.outdir).filter((entry) => entry.startsWith('asset.'))).toEqual([]);
  });

  it('wires every catalog route of both path families, with its method, to its function', () => {
    const methods = methodsOf(serviceResources, dataApiId);
    const targets = new Set<string>();
    for (const route of httpRoutes) {
      // Further methods of a route (MCP's GET and DELETE, answered 405) go to the same function.
      for (const httpMethod of routeMethods(route)) {
        const matches = methods.filter((m) => m.method === httpMethod && m.path === route.path);
        expect(matches, `${httpMethod} ${route.path}`).toHaveLength(1);
        const integration = matches[0]!.properties.Integration;
        expect(integration.Type).toBe('AWS_PROXY');
        const fnId = synth.functionId(route.name);
        expect(referencedIds(integration.Uri)).toContain(fnId);
        targets.add(fnId);
      }
    }
    // Each function of a route, and only those (several routes may share one).
    expect(targets.size).toBe(new Set(httpRoutes.map((route) => route.name)).size);
    // No CORS by default: no preflight methods, nothing but the catalog's routes.
    expect(methods).toHaveLength(httpRoutes.flatMap(routeMethods).length);
  });

  it('lets API Gateway invoke each function once, from this API and stage, not per method', () => {
    const [[stageId] = []] = synth
      .ofType('AWS::ApiGateway::Stage')
      .filter(([, stage]) => stage.Properties.RestApiId.Ref === dataApiId);
    for (const name of new Set(httpRoutes.map((route) => route.name))) {
      const fnId = synth.functionId(name);
      const permissions = synth
        .ofType('AWS::Lambda::Permission')
        .filter(([, p]) => referencedIds(p.Properties.FunctionName).has(fnId));
      expect(permissions, name).toHaveLength(1);
      const { Principal, SourceArn } = permissions[0]![1].Properties;
      expect(Principal).toBe('apigateway.amazonaws.com');
      // arn:…:execute-api:<region>:<account>:<data API id>/<its stage>/*/*: no other API, no
      // test-invoke stage.
      const parts = SourceArn['Fn::Join'][1] as Json[];
      expect(parts.slice(-4), name).toEqual([{ Ref: dataApiId }, '/', { Ref: stageId }, '/*/*']);
    }
  });

  it('answers 400/401/403/404/413/429 from API Gateway with problem bodies', () => {
    const expected = [
      ['BAD_REQUEST_BODY', 400, '/errors/invalid-request'],
      ['UNAUTHORIZED', 401, '/errors/authentication-failed'],
      ['ACCESS_DENIED', 403, '/errors/insufficient-permissions'],
      ['INVALID_API_KEY', 403, '/errors/insufficient-permissions'],
      ['MISSING_AUTHENTICATION_TOKEN', 404, '/errors/resource-not-found'],
      ['THROTTLED', 429, '/errors/too-many-requests'],
      ['QUOTA_EXCEEDED', 429, '/errors/too-many-requests'],
      ['REQUEST_TOO_LARGE', 413, '/errors/payload-too-large'],
      ['AUTHORIZER_FAILURE', 503, '/errors/resource-unavailable'],
    ] as const;
    const responses = synth
      .ofType('AWS::ApiGateway::GatewayResponse')
      .map(([, r]) => r.Properties)
      .filter((r) => r.RestApiId.Ref === dataApiId);
    for (const [responseType, status, type] of expected) {
      const response = responses.find((r) => r.ResponseType === responseType);
      expect(response?.StatusCode, responseType).toBe(String(status));
      const body = JSON.parse(response.ResponseTemplates['application/json']);
      expect(body).toEqual({ type, title: expect.any(String), status, detail: expect.any(String) });
      // No CORS configured: no CORS header either; a retryable answer says when to retry.
      expect(Object.keys(response.ResponseParameters).sort()).toEqual(
        responseType === 'AUTHORIZER_FAILURE'
          ? ['gatewayresponse.header.Content-Type', 'gatewayresponse.header.Retry-After']
          : ['gatewayresponse.header.Content-Type'],
      );
    }
  });

  it('throttles both stages and logs access without data tracing or bodies', () => {
    const stages = synth.ofType('AWS::ApiGateway::Stage');
    expect(stages).toHaveLength(2);
    for (const [id, stage] of stages) {
      const settings: Json[] = stage.Properties.MethodSettings ?? [];
      expect(settings.length, id).toBeGreaterThan(0);
      for (const setting of settings) {
        expect(setting.DataTraceEnabled, id).toBe(false);
        expect(setting.LoggingLevel, id).toBe('ERROR');
      }
      expect(settings).toContainEqual(
        expect.objectContaining({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: expect.any(Number),
          ThrottlingBurstLimit: expect.any(Number),
        }),
      );
      expect(stage.Properties.TracingEnabled, id).toBe(false);
      const format: string = stage.Properties.AccessLogSetting.Format;
      expect(format).toContain('$context.requestId');
      expect(format).not.toMatch(/\$input|\$context\.identity\.apiKey"|requestOverride|responseOverride/);
      const destinations = [...referencedIds(stage.Properties.AccessLogSetting.DestinationArn)];
      expect(destinations.map((ref) => serviceResources[ref]?.Type).filter(Boolean)).toEqual([
        'AWS::Logs::LogGroup',
      ]);
    }
  });

  it('runs every function on Node.js 22, arm64, with the house environment', () => {
    expect([...synth.stacks.service.functions.keys()].sort()).toEqual(
      allFunctions.map((fn) => fn.name).sort(),
    );
    const functions = synth.ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(allFunctions.length);
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.Environment.Variables, id).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'agent-memory',
        LOG_LEVEL: 'info',
      });
      expect(fn.Properties.LoggingConfig.LogGroup, id).toBeDefined();
    }
  });

  it('gives each function its own role, with log writes to its own log group only', () => {
    // The one AWS managed policy: API Gateway's account-wide logging role (acknowledged for cdk-nag).
    const managed = synth.ofType('AWS::IAM::Role').filter(([, r]) => r.Properties.ManagedPolicyArns);
    expect(managed.map(([, r]) => JSON.stringify(r.Properties.ManagedPolicyArns))).toEqual([
      expect.stringContaining('AmazonAPIGatewayPushToCloudWatchLogs'),
    ]);
    const statements = policyStatements(serviceResources);
    for (const fn of allFunctions) {
      const role = synth.roleId(fn.name);
      const logStatements = statements.filter(
        (s) => s.roles.includes(role) && JSON.stringify(s.statement.Action).includes('logs:'),
      );
      expect(logStatements, fn.name).toHaveLength(1);
      const logGroup = serviceResources[synth.functionId(fn.name)]!.Properties.LoggingConfig.LogGroup.Ref;
      expect(logStatements[0]!.statement.Resource).toEqual({ 'Fn::GetAtt': [logGroup, 'Arn'] });
    }
    const roles = new Set(allFunctions.map((fn) => synth.roleId(fn.name)));
    expect(roles.size).toBe(allFunctions.length);
  });
});

/**
 * The two queues (promotion; summary-view refresh, decision record 0020): each is the stateful
 * stack's, with a DLQ, fed to exactly the functions that declare its consume need and writable by
 * exactly those that declare its send need, which alone get its URL.
 */
const QUEUES = [
  {
    name: 'promotion queue',
    logicalPrefix: 'PromotionQueue',
    consumer: promotionConsumer,
    send: 'queue:send',
    consume: 'queue:consume',
    urlVariable: ENV.promotionQueueUrl,
  },
  {
    name: 'view refresh queue',
    logicalPrefix: 'ViewRefreshQueue',
    consumer: viewRefreshConsumer,
    send: 'view-queue:send',
    consume: 'view-queue:consume',
    urlVariable: ENV.viewRefreshQueueUrl,
  },
  {
    name: 'document queue',
    logicalPrefix: 'DocumentQueue',
    consumer: documentConsumer,
    send: 'documents:send',
    consume: 'documents:consume',
    urlVariable: ENV.documentQueueUrl,
  },
] as const;

describe.each(QUEUES)('$name', (spec) => {
  const queues = Object.entries(statefulResources).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
  const [queueId, queue] =
    queues.find(([id, q]) => id.startsWith(spec.logicalPrefix) && q.Properties.RedrivePolicy) ?? [];
  const mappingsOfQueue = () =>
    synth
      .ofType('AWS::Lambda::EventSourceMapping')
      .filter(
        ([, m]) =>
          JSON.stringify(outputValue(m.Properties.EventSourceArn)) ===
          JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] }),
      );
  /** Policy statements whose resources name this queue (an import of its ARN output). */
  const statementsOnQueue = (action: string) =>
    policyStatements(serviceResources).filter(
      ({ statement }) =>
        JSON.stringify(statement.Action).includes(action) &&
        [statement.Resource]
          .flat()
          .some((resource: Json) => JSON.stringify(outputValue(resource)).includes(`"${queueId}"`)),
    );

  it('exists in the stateful stack, with a DLQ', () => {
    expect(queueId, spec.logicalPrefix).toBeDefined();
  });

  it('feeds the consumer with partial batch failures', () => {
    const [[, mapping] = []] = mappingsOfQueue();
    expect(mapping?.Properties).toMatchObject({
      FunctionName: { Ref: synth.functionId(spec.consumer.name) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: expect.any(Number),
      ScalingConfig: { MaximumConcurrency: expect.any(Number) },
    });
  });

  it('parks a job in the encrypted DLQ after 3-5 receives', () => {
    const policy = queue?.Properties.RedrivePolicy;
    const dlqId = policy.deadLetterTargetArn['Fn::GetAtt'][0];
    expect(statefulResources[dlqId]!.Type).toBe('AWS::SQS::Queue');
    expect(dlqId).not.toBe(queueId);
    expect(policy.maxReceiveCount).toBeGreaterThanOrEqual(3);
    expect(policy.maxReceiveCount).toBeLessThanOrEqual(5);
    for (const [, q] of queues) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('is fed to the functions that need its consume need, and only to them', () => {
    const consumers = allFunctions.filter((fn) => declares(fn, spec.consume));
    expect(consumers.length).toBeGreaterThan(0);
    expect(
      mappingsOfQueue()
        .map(([, m]) => m.Properties.FunctionName.Ref)
        .sort(),
    ).toEqual(consumers.map((fn) => synth.functionId(fn.name)).sort());
    const rolesReceiving = new Set(statementsOnQueue('sqs:ReceiveMessage').flatMap(({ roles }) => roles));
    for (const fn of allFunctions) {
      expect(rolesReceiving.has(synth.roleId(fn.name)), fn.name).toBe(declares(fn, spec.consume));
    }
  });

  it('gives its URL and sqs:SendMessage to the functions that need its send need, and only to them', () => {
    const senders = new Set(allFunctions.filter((fn) => declares(fn, spec.send)).map((fn) => fn.name));
    expect(senders.size).toBeGreaterThan(0);
    const rolesSending = new Set(statementsOnQueue('sqs:SendMessage').flatMap(({ roles }) => roles));
    for (const fn of allFunctions) {
      expect(rolesSending.has(synth.roleId(fn.name)), fn.name).toBe(senders.has(fn.name));
      expect(synth.environmentOf(fn.name)[spec.urlVariable] !== undefined, fn.name).toBe(
        senders.has(fn.name),
      );
    }
  });

  it('keeps messages invisible for at least 6x the consumer timeout', () => {
    const consumer = serviceResources[synth.functionId(spec.consumer.name)]!;
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumer.Properties.Timeout);
  });
});

describe('bedrock access', () => {
  const bedrockStatements = policyStatements(serviceResources).filter(({ statement }) =>
    JSON.stringify(statement.Action).includes('bedrock:'),
  );

  it('grants InvokeModel on exact model and profile ARNs, never a wildcard', () => {
    expect(bedrockStatements.length).toBeGreaterThan(0);
    for (const { statement } of bedrockStatements) {
      expect(statement.Action).toBe('bedrock:InvokeModel');
      expect(JSON.stringify(statement.Resource)).not.toMatch(/\*/);
    }
    const resources = bedrockStatements.flatMap(({ statement }) => [statement.Resource].flat());
    const embedding = resources.filter((r) => JSON.stringify(r).includes('titan'));
    expect(new Set(embedding)).toEqual(
      new Set(['arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0']),
    );
  });

  it('gives the embedding model and its settings to the functions that need embedding, and only to them', () => {
    const rolesEmbedding = new Set(
      bedrockStatements
        .filter(({ statement }) => JSON.stringify(statement.Resource).includes('titan'))
        .flatMap(({ roles }) => roles),
    );
    expect(rolesEmbedding.size).toBeGreaterThan(0);
    for (const fn of allFunctions) {
      expect(rolesEmbedding.has(synth.roleId(fn.name)), fn.name).toBe(declares(fn, 'embedding'));
      // `model-ids` (the admin function shows the stage's models with each store): settings, no access.
      expect(synth.environmentOf(fn.name).EMBEDDING_MODEL_ID !== undefined, fn.name).toBe(
        declares(fn, 'embedding') || declares(fn, 'model-ids'),
      );
    }
  });

  it('lets only functions that need extraction call the extraction model, on the inference profile and its regional models', () => {
    const extractorRoles = allFunctions
      .filter((fn) => declares(fn, 'extraction'))
      .map((fn) => synth.roleId(fn.name));
    // Promotion (extraction, session summaries), summary-view refreshes and document ingestion.
    expect(extractorRoles.sort()).toEqual(
      [
        synth.roleId(promotionConsumer.name),
        synth.roleId(viewRefreshConsumer.name),
        synth.roleId(documentConsumer.name),
      ].sort(),
    );
    const statements = bedrockStatements.filter(({ statement }) =>
      JSON.stringify(statement.Resource).includes('claude'),
    );
    expect(statements.length).toBeGreaterThan(0);
    // One statement per function's own policy: together, exactly the extractors' roles.
    expect(statements.flatMap(({ roles }) => roles).sort()).toEqual(extractorRoles);
    for (const { roles, statement } of statements) {
      expect(roles.every((role) => extractorRoles.includes(role))).toBe(true);
      const resources: Json[] = [statement.Resource].flat();
      const profile = resources.find((r) => JSON.stringify(r).includes('inference-profile'));
      expect(JSON.stringify(profile)).toContain(
        ':inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0',
      );
      for (const region of ['us-east-1', 'us-east-2', 'us-west-2']) {
        expect(resources).toContain(
          `arn:aws:bedrock:${region}::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0`,
        );
      }
    }
    const env = synth.environmentOf(promotionConsumer.name);
    expect(env.EXTRACTION_PROVIDER).toBe('bedrock');
    expect(env.EXTRACTION_MODEL_ID).toBe('us.anthropic.claude-3-5-haiku-20241022-v1:0');
  });
});

describe('function environments', () => {
  /** Variables a function gets whatever its needs: the house's, and its trigger's settings. */
  const HOUSE = ['POWERTOOLS_SERVICE_NAME', 'LOG_LEVEL', ENV.functionNeeds];
  const TRIGGER_SETTINGS: Readonly<Record<string, readonly string[]>> = {
    http: [ENV.corsAllowOrigins],
    authorizer: [ENV.apiKeyCacheSeconds],
  };

  it('binds exactly the variables of the catalog needs (lib/config/needs.ts), and the needs themselves', () => {
    for (const fn of allFunctions) {
      const env = synth.environmentOf(fn.name);
      expect(env[ENV.functionNeeds], fn.name).toBe(fn.needs.join(','));
      const expected = new Set(fn.needs.flatMap((need) => NEED_VARIABLES[need]));
      const needVariables = new Set(NEEDS.flatMap((need) => NEED_VARIABLES[need]));
      const bound = Object.keys(env).filter((name) => needVariables.has(name));
      expect(new Set(bound), fn.name).toEqual(expected);
      const allowed = new Set([...HOUSE, ...expected, ...(TRIGGER_SETTINGS[fn.trigger.kind] ?? [])]);
      expect(
        Object.keys(env).filter((name) => !allowed.has(name)),
        fn.name,
      ).toEqual([]);
    }
  });

  it('sizes each function by its resource profile', () => {
    for (const fn of allFunctions) {
      const { Properties } = serviceResources[synth.functionId(fn.name)]!;
      const profile = synth.config.functions[fn.profile];
      expect({ memory: Properties.MemorySize, timeout: Properties.Timeout }, fn.name).toEqual({
        memory: profile.memoryMb,
        timeout: profile.timeoutSeconds,
      });
    }
  });
});

/** What a cross-stack reference in the service stack resolves to in the stateful stack's outputs. */
function outputValue(reference: Json): Json {
  const outputs = synth.stateful.toJSON().Outputs as Record<string, Json>;
  const outputName = reference['Fn::GetStackOutput']?.OutputName;
  const exportName = reference['Fn::ImportValue'];
  const output = outputName
    ? outputs[outputName]
    : Object.values(outputs).find((o) => o.Export?.Name === exportName);
  return output?.Value;
}
