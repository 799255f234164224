import { randomBytes } from 'node:crypto';
import {
  type APIGatewayClient,
  BadRequestException,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  NotFoundException,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_GATEWAY_FAULTS,
  type ApiGatewayControlFake,
  startApiGatewayControlFake,
} from '../../dev/local-stack/api-gateway/control-fake.js';
import { startLocalApiGateway } from '../../dev/local-stack/api-gateway/data-api.js';
import { httpRoutes } from '../../functions/catalog.js';
import {
  ApiGatewayUsagePlanKeys,
  createApiGatewayClient,
  usagePlanKeysFromEnv,
} from '../../lib/adapters/apigateway/api-gateway-usage-plan-keys.js';
import { ConfigError } from '../../lib/config/runtime-config.js';
import { ConflictError, DependencyUnavailableError, ValidationError } from '../../lib/domain/errors.js';

const PLANS = [
  {
    tier: 'free',
    throttle: { rateLimit: 5, burstLimit: 10 },
    quota: { limit: 10_000, period: 'MONTH' as const },
  },
  {
    tier: 'pro',
    throttle: { rateLimit: 50, burstLimit: 100 },
    quota: { limit: 1_000_000, period: 'MONTH' as const },
  },
];

/** A service-key-like token: long enough for API Gateway, unique per test. */
const token = () => `am_${randomBytes(24).toString('base64url')}`;

let fake: ApiGatewayControlFake;
let client: APIGatewayClient;
let keys: ApiGatewayUsagePlanKeys;
const savedEnv = { ...process.env };

beforeAll(async () => {
  fake = await startApiGatewayControlFake({ plans: PLANS });
  // The production path: config from the environment, endpoint and credentials found by the SDK itself.
  process.env.AWS_ENDPOINT_URL_API_GATEWAY = fake.url;
  process.env.AWS_ACCESS_KEY_ID = fake.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = fake.credentials.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  keys = usagePlanKeysFromEnv({
    USAGE_PLAN_IDS: JSON.stringify(fake.usagePlanIds),
    DEFAULT_USAGE_PLAN: 'free',
    AWS_REGION: fake.region,
  });
  // A plain client for looking at the fake the way an operator's AWS CLI would.
  client = await createApiGatewayClient({ region: fake.region, maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  await fake?.stop();
  process.env = savedEnv;
});

describe('ApiGatewayUsagePlanKeys against the API Gateway fake', () => {
  it('reads tiers and the default tier from the environment', () => {
    expect(keys.tiers).toEqual(['free', 'pro']);
    expect(keys.defaultTier).toBe('free');
  });

  it('creates an enabled key in the tier plan, which the gateway then meters', async () => {
    // Prepare
    const value = token();

    // Act
    const keyId = await keys.createKey({ name: 'agent-memory-k1', value, tier: 'pro' });

    // Assess
    expect(fake.meteredKey(value)).toEqual({
      keyId,
      planId: fake.usagePlanIds.pro,
      tier: 'pro',
      throttle: { rateLimit: 50, burstLimit: 100 },
    });
    const stored = await client.send(new GetApiKeyCommand({ apiKey: keyId, includeValue: true }));
    expect(stored).toMatchObject({ id: keyId, name: 'agent-memory-k1', enabled: true, value });
    expect(stored.description).not.toContain(value);
    expect(stored.createdDate).toBeInstanceOf(Date);
    const planKeys = await client.send(new GetUsagePlanKeysCommand({ usagePlanId: fake.usagePlanIds.pro! }));
    expect(planKeys.items).toContainEqual({ id: keyId, type: 'API_KEY', value, name: 'agent-memory-k1' });
    const plansOfKey = await client.send(new GetUsagePlansCommand({ keyId }));
    expect(plansOfKey.items?.map((plan) => plan.name)).toEqual(['pro']);
  });

  it('removes a key: disabled first, then deleted, and no longer metered', async () => {
    // Prepare
    const value = token();
    const keyId = await keys.createKey({ name: 'agent-memory-k2', value, tier: 'free' });
    expect(fake.meteredKey(value)).toBeDefined();
    const before = fake.calls.length;

    // Act
    await keys.removeKey(keyId);

    // Assess
    expect(fake.calls.slice(before)).toEqual(['UpdateApiKey', 'DeleteApiKey']);
    expect(fake.meteredKey(value)).toBeUndefined();
    expect(fake.keys().some((key) => key.id === keyId)).toBe(false);
    await expect(client.send(new GetApiKeyCommand({ apiKey: keyId }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it('treats removing a key that is already gone as done', async () => {
    await expect(keys.removeKey('nosuchkey0')).resolves.toBeUndefined();
  });

  it('deletes the key again when attaching it to the plan fails', async () => {
    // Prepare: a tier mapped to a plan id API Gateway does not have
    const broken = new ApiGatewayUsagePlanKeys({
      planIds: { free: fake.usagePlanIds.free!, gone: 'zzz999' },
      defaultTier: 'free',
      client,
    });
    const value = token();

    // Act
    const attempt = broken.createKey({ name: 'agent-memory-k3', value, tier: 'gone' });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(/USAGE_PLAN_IDS maps tier gone to usage plan zzz999/);
    expect(fake.keys().some((key) => key.value === value)).toBe(false);
    expect(fake.meteredKey(value)).toBeUndefined();
  });

  it('refuses an unknown tier, naming the allowed ones, before calling API Gateway', async () => {
    const before = fake.calls.length;

    const attempt = keys.createKey({ name: 'agent-memory-k4', value: token(), tier: 'platinum' });

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    const error = (await attempt.catch((e: unknown) => e)) as ValidationError;
    expect(error.fields).toEqual([{ field: 'tier', rule: 'enum', message: 'must be one of: free, pro' }]);
    expect(fake.calls.length).toBe(before);
  });

  it('passes on API Gateway refusing a short value, without creating a key', async () => {
    const value = 'too-short-value';

    const attempt = keys.createKey({ name: 'agent-memory-k5', value, tier: 'free' });

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toThrow('API Key value should be at least 20 characters');
    expect(fake.keys().some((key) => key.value === value)).toBe(false);
  });

  it('reports a value API Gateway already holds as a conflict', async () => {
    const value = token();
    await keys.createKey({ name: 'agent-memory-k6', value, tier: 'free' });

    const attempt = keys.createKey({ name: 'agent-memory-k6-again', value, tier: 'pro' });

    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    expect((await attempt.catch((e: unknown) => e)) as Error).not.toHaveProperty(
      'message',
      expect.stringContaining(value),
    );
  });

  it('adopts the key of an earlier attempt whose answer was lost, and attaches it', async () => {
    const value = token();
    // What a lost CreateApiKey answer leaves behind: the key exists, enabled, in no plan.
    const orphan = await client.send(
      new CreateApiKeyCommand({ name: 'agent-memory-k7', value, enabled: true }),
    );
    expect(fake.meteredKey(value)).toBeUndefined();

    const keyId = await keys.createKey({ name: 'agent-memory-k7', value, tier: 'pro' });

    expect(keyId).toBe(orphan.id);
    expect(fake.meteredKey(value)).toMatchObject({ keyId: orphan.id, tier: 'pro' });
  });

  it('surfaces throttling and outages as a retryable DependencyUnavailableError', async () => {
    // Prepare: one attempt per call, so the injected fault is what the adapter sees
    const adapter = new ApiGatewayUsagePlanKeys({ planIds: fake.usagePlanIds, defaultTier: 'free', client });
    fake.failNext(API_GATEWAY_FAULTS.tooManyRequests, { operation: 'CreateApiKey' });
    fake.failNext(API_GATEWAY_FAULTS.serviceUnavailable, { operation: 'UpdateApiKey' });

    // Act
    const throttled = await adapter
      .createKey({ name: 'k7', value: token(), tier: 'free' })
      .catch((e: unknown) => e);
    const unavailable = await adapter.removeKey('anykey0000').catch((e: unknown) => e);

    // Assess
    expect(throttled).toBeInstanceOf(DependencyUnavailableError);
    expect(throttled).toMatchObject({ retryable: true, retryAfterSeconds: 2 });
    expect(unavailable).toBeInstanceOf(DependencyUnavailableError);
    expect((unavailable as Error).message).toContain('ServiceUnavailableException');
  });

  it('surfaces an unreachable endpoint as DependencyUnavailableError', async () => {
    const unreachable = new ApiGatewayUsagePlanKeys({
      planIds: fake.usagePlanIds,
      defaultTier: 'free',
      client: () =>
        createApiGatewayClient({
          region: fake.region,
          endpoint: 'http://127.0.0.1:9',
          credentials: fake.credentials,
          maxAttempts: 1,
        }),
    });

    await expect(unreachable.createKey({ name: 'k8', value: token(), tier: 'free' })).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
  });
});

describe('usagePlanKeysFromEnv', () => {
  it.each([
    [{}, /USAGE_PLAN_IDS: is required.*DEFAULT_USAGE_PLAN: is required.*AWS_REGION: is required/],
    [
      { USAGE_PLAN_IDS: 'free', DEFAULT_USAGE_PLAN: 'free', AWS_REGION: 'eu-west-1' },
      /USAGE_PLAN_IDS: must be a JSON object/,
    ],
    [
      { USAGE_PLAN_IDS: '{}', DEFAULT_USAGE_PLAN: 'free', AWS_REGION: 'eu-west-1' },
      /must name at least one tier/,
    ],
    [
      { USAGE_PLAN_IDS: '{"free":"abc123"}', DEFAULT_USAGE_PLAN: 'pro', AWS_REGION: 'eu-west-1' },
      /DEFAULT_USAGE_PLAN: must be one of the tiers in USAGE_PLAN_IDS: free/,
    ],
    [{ USAGE_PLAN_IDS: '{"free":42}', DEFAULT_USAGE_PLAN: 'free', AWS_REGION: 'eu-west-1' }, /free:/],
  ])('refuses a bad environment with a ConfigError naming the variable (%#)', (env, message) => {
    expect(() => usagePlanKeysFromEnv(env)).toThrow(ConfigError);
    expect(() => usagePlanKeysFromEnv(env)).toThrow(message);
  });
});

describe('the API Gateway fake speaks the management API as the SDK expects', () => {
  it('answers CreateApiKey with the value, GetApiKey with it only on request, and defaults enabled to false', async () => {
    const value = token();

    const created = await client.send(new CreateApiKeyCommand({ name: 'raw', value }));
    const plain = await client.send(new GetApiKeyCommand({ apiKey: created.id! }));
    const withValue = await client.send(new GetApiKeyCommand({ apiKey: created.id!, includeValue: true }));

    expect(created).toMatchObject({ name: 'raw', value, enabled: false });
    expect(created.id).toMatch(/^[a-z0-9]{10}$/);
    expect(plain.value).toBeUndefined();
    expect(withValue.value).toBe(value);
    expect(fake.meteredKey(value)).toBeUndefined();
  });

  it('refuses values outside 20 to 128 characters and duplicate values with the modelled exceptions', async () => {
    const value = token();
    await client.send(new CreateApiKeyCommand({ name: 'dup', value, enabled: true }));

    const short = await client
      .send(new CreateApiKeyCommand({ value: 'x'.repeat(19) }))
      .catch((e: unknown) => e);
    const long = await client
      .send(new CreateApiKeyCommand({ value: 'x'.repeat(129) }))
      .catch((e: unknown) => e);
    const dup = await client.send(new CreateApiKeyCommand({ value })).catch((e: unknown) => e);
    const edge = await client.send(new CreateApiKeyCommand({ value: 'y'.repeat(20) }));

    expect(short).toBeInstanceOf(BadRequestException);
    expect((short as Error).message).toBe('API Key value should be at least 20 characters');
    expect(long).toBeInstanceOf(BadRequestException);
    expect((long as Error).message).toBe('API Key value exceeds maximum size of 128 characters');
    expect(dup).toBeInstanceOf(ConflictException);
    expect(dup).toMatchObject({ $metadata: { httpStatusCode: 409 } });
    expect(edge.value).toHaveLength(20);
  });

  it('applies replace patch operations and refuses unknown paths', async () => {
    const created = await client.send(
      new CreateApiKeyCommand({ name: 'patch-me', value: token(), enabled: true }),
    );

    const updated = await client.send(
      new UpdateApiKeyCommand({
        apiKey: created.id!,
        patchOperations: [
          { op: 'replace', path: '/enabled', value: 'false' },
          { op: 'replace', path: '/description', value: 'revoked' },
        ],
      }),
    );
    const bad = await client
      .send(
        new UpdateApiKeyCommand({
          apiKey: created.id!,
          patchOperations: [{ op: 'replace', path: '/value', value: 'x' }],
        }),
      )
      .catch((e: unknown) => e);

    expect(updated).toMatchObject({ enabled: false, description: 'revoked', name: 'patch-me' });
    expect(bad).toBeInstanceOf(BadRequestException);
  });

  it('pages GetApiKeys with limit and position', async () => {
    const prefix = `page-${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < 3; i += 1)
      await client.send(new CreateApiKeyCommand({ name: `${prefix}-${i}`, value: token() }));

    const first = await client.send(new GetApiKeysCommand({ nameQuery: prefix, limit: 2 }));
    const second = await client.send(
      new GetApiKeysCommand({ nameQuery: prefix, limit: 2, position: first.position }),
    );

    expect(first.items?.map((key) => key.name)).toEqual([`${prefix}-0`, `${prefix}-1`]);
    expect(first.items?.[0]?.value).toBeUndefined();
    expect(second.items?.map((key) => key.name)).toEqual([`${prefix}-2`]);
    expect(second.position).toBeUndefined();
  });

  it('creates usage plans and keeps a key out of two plans on the same API stage', async () => {
    const plan = await client.send(
      new CreateUsagePlanCommand({
        name: 'burst-test',
        throttle: { rateLimit: 1, burstLimit: 2 },
        quota: { limit: 100, period: 'DAY' },
        apiStages: [{ apiId: 'local', stage: 'local' }],
      }),
    );
    const value = token();
    const keyId = await keys.createKey({ name: 'two-plans', value, tier: 'free' });
    const other = new ApiGatewayUsagePlanKeys({ planIds: { burst: plan.id! }, defaultTier: 'burst', client });

    const second = await other.createKey({ name: 'two-plans', value: token(), tier: 'burst' });
    const conflict = await client
      .send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId, keyType: 'API_KEY' }))
      .catch((e: unknown) => e);

    expect(plan).toMatchObject({ name: 'burst-test', throttle: { rateLimit: 1, burstLimit: 2 } });
    expect(fake.meteredKey(value)?.tier).toBe('free');
    expect(second).toMatch(/^[a-z0-9]{10}$/);
    expect(conflict).toBeInstanceOf(ConflictException);
  });

  it('refuses unsigned requests', async () => {
    const response = await fetch(`${fake.url}/apikeys`);

    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationTokenException:/);
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
  });
});

describe('the local API gateway meters usage keys against the fake usage plans', () => {
  const route = httpRoutes.find((candidate) => candidate.name === 'store-health')!;

  /** A gateway whose authorizer allows any presented key and returns it as the usage key. */
  const startGateway = () =>
    startLocalApiGateway({
      routes: [route],
      usagePlans: fake,
      throttle: { rateLimit: 1_000, burstLimit: 1_000 },
      loadHandler: async () => async (event) => ({
        statusCode: 200,
        body: JSON.stringify({ apiKeyId: event.requestContext.identity.apiKeyId }),
      }),
      authorizer: async (event) => {
        const key = event.headers?.['x-api-key'] ?? '';
        return {
          principalId: 'caller',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
          },
          usageIdentifierKey: key,
        };
      },
    });

  it('lets a metered key through, and answers INVALID_API_KEY once the key is removed', async () => {
    // Prepare
    const gateway = await startGateway();
    const value = token();
    const keyId = await keys.createKey({ name: 'metered', value, tier: 'pro' });
    const call = () => fetch(`${gateway.url}/v1/stores/s1/health`, { headers: { 'x-api-key': value } });

    try {
      // Act
      const metered = await call();
      await keys.removeKey(keyId);
      const removed = await call();

      // Assess
      expect(metered.status).toBe(200);
      expect(await metered.json()).toEqual({ apiKeyId: keyId });
      expect(removed.status).toBe(403);
      expect(await removed.json()).toEqual({
        type: '/errors/insufficient-permissions',
        title: 'Insufficient permissions',
        status: 403,
        detail: 'This API key has no access to this API',
      });
    } finally {
      await gateway.stop();
    }
  });

  it('refuses a key that exists but is disabled or in no plan', async () => {
    const gateway = await startGateway();
    const disabled = token();
    const loose = token();
    const disabledKey = await keys.createKey({ name: 'disabled', value: disabled, tier: 'free' });
    await client.send(
      new UpdateApiKeyCommand({
        apiKey: disabledKey,
        patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }],
      }),
    );
    await client.send(new CreateApiKeyCommand({ name: 'loose', value: loose, enabled: true }));

    try {
      const statuses = await Promise.all(
        [disabled, loose].map(async (key) => {
          const response = await fetch(`${gateway.url}/v1/stores/s1/health`, {
            headers: { 'x-api-key': key },
          });
          return response.status;
        }),
      );

      expect(statuses).toEqual([403, 403]);
    } finally {
      await gateway.stop();
    }
  });

  it("throttles a key with its own plan's rate and burst", async () => {
    // Prepare: a plan of burst 2 on another stage, so the key can join it alone
    const plan = await client.send(
      new CreateUsagePlanCommand({ name: 'tight', throttle: { rateLimit: 0.01, burstLimit: 2 } }),
    );
    const tight = new ApiGatewayUsagePlanKeys({ planIds: { tight: plan.id! }, defaultTier: 'tight', client });
    const value = token();
    await tight.createKey({ name: 'tight', value, tier: 'tight' });
    const gateway = await startGateway();

    try {
      // Act
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const response = await fetch(`${gateway.url}/v1/stores/s1/health`, {
          headers: { 'x-api-key': value },
        });
        statuses.push(response.status);
      }

      // Assess: the gateway-wide fallback (burst 1,000) does not apply to a plan that has a throttle
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await gateway.stop();
    }
  });
});
