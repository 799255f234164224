import { describe, expect, it } from 'vitest';
import {
  adminApi,
  allFunctions,
  authorizer,
  httpRoutes,
  maintenance,
  methodsOf as routeMethods,
} from '../../functions/catalog.js';
import { actionsOf, devApp, type Json, methodsOf, policyStatements, referencedIds } from './synth-fixture.js';

const synth = devApp();
const { serviceResources, config } = synth;
const dataApiId = synth.stacks.service.getLogicalId(synth.stacks.service.api.node.defaultChild as never);
const usagePlans = synth.ofType('AWS::ApiGateway::UsagePlan');
const planIdOf = (tier: string): string => {
  const plan = usagePlans.find(([, p]) => p.Properties.UsagePlanName === `agent-memory-dev-${tier}`);
  if (!plan) throw new Error(`no usage plan for ${tier}`);
  return plan[0];
};

describe('data API keys and authorizer', () => {
  it('requires an API key and the authorizer on every data route, and neither on the liveness probes', () => {
    const [[authorizerId] = []] = synth.ofType('AWS::ApiGateway::Authorizer');
    const methods = methodsOf(serviceResources, dataApiId);
    for (const [route, httpMethod] of httpRoutes.flatMap((r) =>
      routeMethods(r).map((m) => [r, m] as const),
    )) {
      const method = methods.find((m) => m.method === httpMethod && m.path === route.path)!.properties;
      if (route.action === 'none') {
        expect(['/health', '/iris/data/v1/agent-memory/health/live']).toContain(route.path);
        expect(method.ApiKeyRequired ?? false).toBe(false);
        expect(method.AuthorizationType).toBe('NONE');
      } else {
        expect(method.ApiKeyRequired, `${httpMethod} ${route.path}`).toBe(true);
        expect(method.AuthorizationType, `${httpMethod} ${route.path}`).toBe('CUSTOM');
        expect(method.AuthorizerId).toEqual({ Ref: authorizerId });
      }
    }
  });

  it('meters the key the authorizer returns, not a header', () => {
    synth.service.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'agent-memory-dev',
      ApiKeySourceType: 'AUTHORIZER',
    });
  });

  it('invokes the authorizer on every request: no identity source, API Gateway caching off', () => {
    const authorizers = synth.ofType('AWS::ApiGateway::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [, auth] = authorizers[0]!;
    expect(auth.Properties.Type).toBe('REQUEST');
    // Either header may carry the key; a declared identity source would be required on every request.
    expect(auth.Properties).not.toHaveProperty('IdentitySource');
    expect(auth.Properties.AuthorizerResultTtlInSeconds).toBe(0);
    expect(referencedIds(auth.Properties.AuthorizerUri)).toContain(synth.functionId(authorizer.name));
    // The authorizer caches resolved keys itself, for the configured time.
    expect(synth.environmentOf(authorizer.name).API_KEY_CACHE_SECONDS).toBe(
      String(config.api.authorizerCacheTtlSeconds),
    );
  });

  it('creates one usage plan per tier with its throttle and quota, on the data API stage', () => {
    const tiers = Object.entries(config.api.plans);
    expect(usagePlans).toHaveLength(tiers.length);
    const [[stageId] = []] = synth
      .ofType('AWS::ApiGateway::Stage')
      .filter(([, s]) => s.Properties.RestApiId.Ref === dataApiId);
    for (const [tier, plan] of tiers) {
      const properties = serviceResources[planIdOf(tier)]!.Properties;
      expect(properties.Throttle, tier).toEqual({
        RateLimit: plan.throttle.rateLimit,
        BurstLimit: plan.throttle.burstLimit,
      });
      expect(properties.Quota, tier).toEqual({ Limit: plan.quota.limit, Period: plan.quota.period });
      expect(properties.ApiStages, tier).toEqual([
        expect.objectContaining({ ApiId: { Ref: dataApiId }, Stage: { Ref: stageId } }),
      ]);
    }
    expect(Object.keys(config.api.plans)).toEqual(['free', 'standard', 'pro']);
  });

  it('tells the functions that need gateway keys every plan id and the default tier', () => {
    const keyHolders = allFunctions.filter((fn) => fn.needs.some((need) => need.startsWith('gateway-keys:')));
    expect(keyHolders.map((fn) => fn.name).sort()).toEqual([adminApi.name, maintenance.name].sort());
    for (const { name } of keyHolders) {
      const env = synth.environmentOf(name);
      expect(env.DEFAULT_USAGE_PLAN, name).toBe(config.api.defaultPlan);
      const json: Json = env.USAGE_PLAN_IDS;
      // {"free":"<Ref>","standard":"<Ref>",...} as a Fn::Join of literal JSON around the plan ids.
      const [separator, parts] = json['Fn::Join'];
      expect(separator).toBe('');
      const rendered = (parts as Json[])
        .map((part) => (typeof part === 'string' ? part : `@${part.Ref}`))
        .join('');
      const parsed = JSON.parse(rendered) as Record<string, string>;
      expect(parsed).toEqual(
        Object.fromEntries(Object.keys(config.api.plans).map((tier) => [tier, `@${planIdOf(tier)}`])),
      );
    }
    for (const fn of allFunctions.filter((f) => !keyHolders.includes(f))) {
      expect(synth.environmentOf(fn.name), fn.name).not.toHaveProperty('USAGE_PLAN_IDS');
    }
  });
});

describe('API Gateway key management permissions', () => {
  const statements = policyStatements(serviceResources);
  const apigateway = statements.filter(({ statement }) =>
    actionsOf(statement).some((action) => action.startsWith('apigateway:')),
  );
  const keys = 'arn:aws:apigateway:us-east-1::/apikeys';

  /** Resources (ARNs as strings, plan ids as `@<logical id>`) allowed for `action` to a function. */
  const allowed = (name: string, action: string): string[] =>
    apigateway
      .filter(
        ({ roles, statement }) => roles.includes(synth.roleId(name)) && actionsOf(statement).includes(action),
      )
      .flatMap(({ statement }) => [statement.Resource].flat())
      .map((resource: Json) =>
        typeof resource === 'string'
          ? resource
          : (resource['Fn::Join'][1] as Json[])
              .map((p) => (typeof p === 'string' ? p : `@${p.Ref}`))
              .join(''),
      )
      .sort();

  it('lets only the functions that need gateway keys touch API Gateway', () => {
    const roles = new Set(apigateway.flatMap(({ roles }) => roles));
    const keyHolders = allFunctions.filter((fn) => fn.needs.some((need) => need.startsWith('gateway-keys:')));
    expect(roles).toEqual(new Set(keyHolders.map((fn) => synth.roleId(fn.name))));
  });

  it('never grants apigateway:* or a bare *', () => {
    for (const { statement } of statements) {
      for (const action of actionsOf(statement)) {
        expect(action).not.toBe('*');
        expect(action).not.toBe('apigateway:*');
      }
      for (const resource of [statement.Resource].flat()) expect(resource).not.toBe('*');
    }
  });

  it('lets the admin function create keys, attach them to the plans, and read, disable and delete keys', () => {
    const plans = Object.keys(config.api.plans).map(
      (tier) => `arn:aws:apigateway:us-east-1::/usageplans/@${planIdOf(tier)}/keys`,
    );
    expect(allowed(adminApi.name, 'apigateway:POST')).toEqual([keys, ...plans].sort());
    for (const action of ['apigateway:GET', 'apigateway:PATCH', 'apigateway:DELETE']) {
      expect(allowed(adminApi.name, action), action).toEqual([`${keys}/*`]);
    }
    expect(allowed(adminApi.name, 'apigateway:PUT')).toEqual([]);
  });

  it('lets the maintenance function (gateway-keys:retire) only disable and delete keys', () => {
    expect(allowed(maintenance.name, 'apigateway:PATCH')).toEqual([`${keys}/*`]);
    expect(allowed(maintenance.name, 'apigateway:DELETE')).toEqual([`${keys}/*`]);
    const actions = apigateway
      .filter(({ roles }) => roles.includes(synth.roleId(maintenance.name)))
      .flatMap(({ statement }) => actionsOf(statement));
    expect(new Set(actions)).toEqual(new Set(['apigateway:PATCH', 'apigateway:DELETE']));
  });
});
