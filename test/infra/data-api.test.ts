import { describe, expect, it } from 'vitest';
import { allFunctions, authorizer, httpRoutes, methodsOf as routeMethods } from '../../functions/catalog.js';
import { devApp, devConfig, methodsOf, STAGE_API, type SynthesizedApp, synthesize } from './synth-fixture.js';

const restApiId = (synth: SynthesizedApp) =>
  synth.stacks.service.getLogicalId(synth.stacks.service.api.node.defaultChild as never);

describe('request validation', () => {
  const synth = devApp();
  const apiId = restApiId(synth);
  const methods = methodsOf(synth.serviceResources, apiId);

  it('validates path parameters on every route and the body of every POST/PATCH as a JSON object', () => {
    const validators = synth
      .ofType('AWS::ApiGateway::RequestValidator')
      .filter(([, v]) => v.Properties.RestApiId.Ref === apiId);
    expect(validators).toHaveLength(1);
    const [validatorId, validator] = validators[0]!;
    expect(validator.Properties).toMatchObject({
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    const [[modelId, model] = []] = synth
      .ofType('AWS::ApiGateway::Model')
      .filter(([, m]) => m.Properties.RestApiId.Ref === apiId);
    expect(model?.Properties.ContentType).toBe('application/json');
    expect(model?.Properties.Schema).toMatchObject({ type: 'object' });

    for (const route of httpRoutes) {
      for (const httpMethod of routeMethods(route)) {
        const label = `${route.name} ${httpMethod}`;
        const method = methods.find((m) => m.method === httpMethod && m.path === route.path)!.properties;
        expect(method.RequestValidatorId, label).toEqual({ Ref: validatorId });
        const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => `method.request.path.${m[1]}`);
        expect(Object.keys(method.RequestParameters ?? {}).sort(), label).toEqual(params.sort());
        // A `raw` body (MCP's JSON-RPC) is the function's to judge: a parse error is a JSON-RPC error.
        if ((httpMethod === 'POST' || httpMethod === 'PATCH') && route.body !== 'raw') {
          expect(method.RequestModels, label).toEqual({ 'application/json': { Ref: modelId } });
        } else {
          expect(method.RequestModels, label).toBeUndefined();
        }
      }
    }
  });

  it('has no CORS unless origins are configured', () => {
    expect(methods.filter((m) => m.method === 'OPTIONS')).toEqual([]);
    for (const fn of allFunctions) {
      expect(synth.environmentOf(fn.name), fn.name).not.toHaveProperty('CORS_ALLOW_ORIGINS');
    }
  });
});

describe('CORS', () => {
  const origins = ['https://app.example.com', 'https://admin.example.com'];
  const synth = synthesize(devConfig({ api: { ...STAGE_API, corsAllowOrigins: origins } }));
  const apiId = restApiId(synth);
  const methods = methodsOf(synth.serviceResources, apiId);

  it('answers preflights on every route path without a key, allowing both key headers', () => {
    const preflights = methods.filter((m) => m.method === 'OPTIONS');
    for (const path of new Set(httpRoutes.map((route) => route.path))) {
      const preflight = preflights.find((m) => m.path === path);
      expect(preflight, path).toBeDefined();
      expect(preflight!.properties.AuthorizationType ?? 'NONE').toBe('NONE');
      expect(preflight!.properties.ApiKeyRequired ?? false).toBe(false);
      const headers = preflight!.properties.Integration.IntegrationResponses[0].ResponseParameters;
      expect(headers['method.response.header.Access-Control-Allow-Headers']).toBe(
        "'Authorization,X-Api-Key,Content-Type,Idempotency-Key,Mcp-Protocol-Version'",
      );
    }
  });

  it('tells the HTTP functions the origins, and nothing else', () => {
    for (const route of httpRoutes) {
      expect(synth.environmentOf(route.name).CORS_ALLOW_ORIGINS, route.name).toBe(origins.join(','));
    }
    expect(synth.environmentOf(authorizer.name)).not.toHaveProperty('CORS_ALLOW_ORIGINS');
  });

  it('puts the CORS header on the responses API Gateway makes itself', () => {
    const responses = synth
      .ofType('AWS::ApiGateway::GatewayResponse')
      .filter(([, r]) => r.Properties.RestApiId.Ref === apiId)
      .map(([, r]) => r.Properties);
    const types = responses.map((r) => r.ResponseType);
    expect(types).toEqual(
      expect.arrayContaining(['UNAUTHORIZED', 'THROTTLED', 'DEFAULT_4XX', 'DEFAULT_5XX']),
    );
    for (const response of responses) {
      expect(
        response.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin'],
        response.ResponseType,
      ).toBe('method.request.header.Origin');
    }
  });

  it('uses the one configured origin literally', () => {
    const single = synthesize(
      devConfig({ api: { ...STAGE_API, corsAllowOrigins: ['https://app.example.com'] } }),
    );
    single.service.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: {
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
      },
    });
  });
});

describe('WAF web ACL on the data API stage', () => {
  const stageOf = (synth: SynthesizedApp, apiId: string) =>
    synth.ofType('AWS::ApiGateway::Stage').find(([, stage]) => stage.Properties.RestApiId.Ref === apiId)!;

  it('is off by default in a non-production stage (dev)', () => {
    expect(devApp().ofType('AWS::WAFv2::WebACL')).toEqual([]);
    expect(devApp().ofType('AWS::WAFv2::WebACLAssociation')).toEqual([]);
  });

  it('is on by default in a production stage, with a per-IP rate-based rule on the data stage only', () => {
    const synth = synthesize(devConfig({ terminationProtection: true }));
    const acls = synth.ofType('AWS::WAFv2::WebACL');
    expect(acls).toHaveLength(1);
    const [aclId, acl] = acls[0]!;
    expect(acl.Properties).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    expect(acl.Properties.Rules).toEqual([
      expect.objectContaining({
        Action: { Block: {} },
        Statement: { RateBasedStatement: { Limit: 3_000, AggregateKeyType: 'IP' } },
      }),
    ]);
    const [association] = synth.ofType('AWS::WAFv2::WebACLAssociation');
    expect(association![1].Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    const [stageId] = stageOf(synth, restApiId(synth));
    expect(JSON.stringify(association![1].Properties.ResourceArn)).toContain(stageId);
  });

  it('follows the stage config: a limit of its own, or off in production, or on in dev', () => {
    const limited = synthesize(
      devConfig({
        terminationProtection: true,
        api: { ...STAGE_API, waf: { requestsPerIpPer5Minutes: 500 } },
      }),
    );
    expect(limited.ofType('AWS::WAFv2::WebACL')[0]![1].Properties.Rules[0].Statement).toEqual({
      RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP' },
    });
    const off = synthesize(
      devConfig({
        terminationProtection: true,
        api: { ...STAGE_API, waf: { enabled: false, requestsPerIpPer5Minutes: 3_000 } },
      }),
    );
    expect(off.ofType('AWS::WAFv2::WebACL')).toEqual([]);
    const on = synthesize(
      devConfig({ api: { ...STAGE_API, waf: { enabled: true, requestsPerIpPer5Minutes: 100 } } }),
    );
    expect(on.ofType('AWS::WAFv2::WebACL')).toHaveLength(1);
  });
});
