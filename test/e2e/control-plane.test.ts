import { describe, expect, it } from 'vitest';
import { runAdminCli } from '../../cli/admin-cli.js';
import { lambdaContext } from '../../dev/local-stack/lambda-context.js';
import { signedFetch } from '../../lib/adapters/admin-client/signed-fetch.js';
import { storePrefix } from '../../lib/adapters/upstash/keys.js';
import { createUpstashRedis } from '../../lib/adapters/upstash/redis-client.js';
import { promotionJob } from '../../lib/contracts/promotion-message.js';
import { usageIdentifierOf } from '../../lib/domain/api-key.js';
import { apiClient, useLocalStack } from '../support/local-stack-fixture.js';

const stack = useLocalStack();

/** The admin API, signed with the local admin credentials (what the CLI does with the default chain). */
const admin: ReturnType<typeof stack>['admin'] = (method, path, body) => stack().admin(method, path, body);

/** The operator CLI, in process, against the local admin API; returns exit code and output. */
async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runAdminCli(argv, {
    env: {
      AGENT_MEMORY_ADMIN_URL: stack().adminUrl,
      AWS_REGION: stack().region,
      AWS_ACCESS_KEY_ID: stack().adminCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: stack().adminCredentials.secretAccessKey,
    },
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    fetch: (input) => signedFetch({ ...input, credentials: stack().adminCredentials }),
  });
  return { code, out, err };
}

const event = (sessionId: string) => ({
  sessionId,
  actorId: 'user-1',
  role: 'USER',
  content: [{ text: 'I am a vegetarian' }],
  createdAt: '2026-01-01T00:00:00Z',
});

async function newStore(name = 'tenant'): Promise<string> {
  const created = await admin('POST', '/v1/stores', { name });
  expect(created.status).toBe(201);
  return created.body.storeId as string;
}

async function mint(grants: Array<[string, string[]]>, extra: Record<string, unknown> = {}) {
  const minted = await admin('POST', '/v1/api-keys', {
    name: 'agent',
    grants: grants.map(([resourceId, actions]) => ({ resourceType: 'mem-store', resourceId, actions })),
    ...extra,
  });
  expect(minted.status).toBe(201);
  return minted.body as { keyId: string; token: string; createdAt: number };
}

describe('stores through the admin API', () => {
  it('creates, reads, lists, updates and validates stores', async () => {
    const created = await admin('POST', '/v1/stores', {
      name: 'travel-agent',
      shortMemory: { ttlSeconds: 600 },
      summarization: { enabled: true, eventCount: { threshold: 6, retainCount: 2 } },
    });
    expect(created.status).toBe(201);
    expect(created.body.storeId).toMatch(/^[0-9a-f]{32}$/);
    const storeId = created.body.storeId;

    const got = await admin('GET', `/v1/stores/${storeId}`);
    expect(got.body).toMatchObject({
      storeId,
      name: 'travel-agent',
      status: 'READY',
      shortMemory: { ttlSeconds: 600 },
      longTermMemory: { ttlSeconds: 31_536_000 },
      extractionCadence: { activeIntervalSeconds: 300 },
      extractionStrategy: 'instruct',
      summarization: { enabled: true, eventCount: { threshold: 6, retainCount: 2 } },
      models: {
        embedding: { provider: 'bedrock-titan', model: 'amazon.titan-embed-text-v2:0', dimensions: 1024 },
        llm: { provider: 'bedrock' },
      },
    });
    const listed = await admin('GET', '/v1/stores');
    expect(listed.body.stores.map((s: { storeId: string }) => s.storeId)).toContain(storeId);

    const updated = await admin('PATCH', `/v1/stores/${storeId}`, {
      shortMemory: { ttlSeconds: 120 },
      addCustomMemoryTypes: [
        {
          name: 'flight',
          description: 'Flights the user booked',
          fields: [{ name: 'airline', description: 'Airline', type: 'str' }],
          extractionStrategy: { prompt: 'Extract booked flights for {{ownerId}}.' },
        },
      ],
      longTermMemoryExclusions: {
        enabled: true,
        builtInDetectors: { enabled: true, detectors: [{ id: 'email', enabled: true, action: 'drop' }] },
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.shortMemory).toEqual({ ttlSeconds: 120 });
    expect(updated.body.customMemoryTypes[0]).toMatchObject({
      name: 'flight',
      extractionStrategy: { enabled: true },
    });

    // Omitted nested parts keep their value: the detector list survives a switch-only update.
    const toggled = await admin('PATCH', `/v1/stores/${storeId}`, {
      longTermMemoryExclusions: { enabled: true, builtInDetectors: { enabled: false } },
      updateCustomMemoryTypeStrategies: [{ typeName: 'flight', enabled: false }],
    });
    expect(toggled.body.longTermMemoryExclusions.builtInDetectors).toEqual({
      enabled: false,
      detectors: [{ id: 'email', enabled: true, action: 'drop' }],
    });
    expect(toggled.body.customMemoryTypes[0].extractionStrategy).toEqual({
      prompt: 'Extract booked flights for {{ownerId}}.',
      enabled: false,
    });

    // The data plane reads the new session TTL at once (the append script reads the config hash).
    const key = await mint([[storeId, ['write']]]);
    const api = apiClient(stack().apiUrl, key.token);
    expect((await api.post(`/v1/stores/${storeId}/session-memory/events`, event('ttl'))).status).toBe(201);
    const redis = createUpstashRedis({ url: stack().upstash.url, token: stack().upstash.token });
    const ttl = Number(await redis.ttl(`${storePrefix(storeId)}session:ttl:meta`));
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);

    const problems = [
      await admin('POST', '/v1/stores', { name: 'bad name!' }),
      await admin('POST', '/v1/stores', { name: 'x', shortMemory: { ttlSeconds: 0 } }),
      await admin('POST', '/v1/stores', { name: 'x', unknownSetting: true }),
      await admin('PATCH', `/v1/stores/${storeId}`, {
        addCustomMemoryTypes: [{ name: 'flight', description: 'again' }],
      }),
      await admin('PATCH', `/v1/stores/${storeId}`, {
        updateCustomMemoryTypeStrategies: [{ typeName: 'hotel', enabled: true }],
      }),
      await admin('PATCH', `/v1/stores/${storeId}`, {
        addCustomMemoryTypes: [
          { name: 'a1', description: 'a' },
          { name: 'a2', description: 'a' },
          { name: 'a3', description: 'a' },
        ],
      }),
    ];
    for (const problem of problems) {
      expect(problem.status).toBe(400);
      expect(problem.body).toMatchObject({ type: '/errors/invalid-data', status: 400 });
      expect(problem.body.fields.length).toBeGreaterThan(0);
    }
    expect((await admin('GET', '/v1/stores/0123456789abcdef0123456789abcdef')).status).toBe(404);
  });

  it('refuses a custom detector pattern the linear-time engine cannot run, naming the field', async () => {
    const detectors = (pattern: string) => ({
      longTermMemoryExclusions: {
        enabled: true,
        customDetectors: {
          enabled: true,
          detectors: [{ name: 'ref', enabled: true, matcher: { kind: 'regex', regex: { pattern } } }],
        },
      },
    });
    const field = 'longTermMemoryExclusions.customDetectors.detectors.0.matcher.regex.pattern';
    for (const response of [
      await admin('POST', '/v1/stores', { name: 'lookahead', ...detectors('(?=REF-)REF-\\d+') }),
      await admin('PATCH', `/v1/stores/${await newStore()}`, detectors('(ref)-\\1')),
    ]) {
      expect(response.status).toBe(400);
      expect(response.body.fields).toEqual([
        expect.objectContaining({ field, message: expect.stringMatching(/backreferences and lookaround/) }),
      ]);
    }
    // A shape that backtracks catastrophically on a backtracking engine is harmless on RE2.
    expect((await admin('POST', '/v1/stores', { name: 'nested', ...detectors('((a+))+$') })).status).toBe(
      201,
    );
  });

  it('deletes a store with all its data, revoking keys left without a grant and narrowing the rest', async () => {
    const doomed = await newStore('doomed');
    const kept = await newStore('kept');
    const only = await mint([[doomed, ['read', 'write']]]);
    const both = await mint([
      [doomed, ['write']],
      [kept, ['read']],
    ]);
    const api = apiClient(stack().apiUrl, only.token);
    expect((await api.post(`/v1/stores/${doomed}/session-memory/events`, event('s1'))).status).toBe(201);
    expect(
      (
        await api.post(`/v1/stores/${doomed}/long-term-memory`, {
          memories: [{ id: 'm1', text: 'The user is a vegetarian', ownerId: 'user-1' }],
        })
      ).status,
    ).toBe(201);
    const redis = createUpstashRedis({ url: stack().upstash.url, token: stack().upstash.token });
    const before = await redis.scan(0, { match: `${storePrefix(doomed)}*`, count: 1000 });
    expect(before[1].length).toBeGreaterThan(3);

    expect((await admin('DELETE', `/v1/stores/${doomed}`)).status).toBe(204);
    expect((await admin('GET', `/v1/stores/${doomed}`)).status).toBe(404);
    // Idempotent (security review 2026-12, finding 5): a repeat resumes the deletion job, not a 404.
    expect((await admin('DELETE', `/v1/stores/${doomed}`)).status).toBe(204);
    expect((await admin('DELETE', `/v1/stores/never-was-a-store`)).status).toBe(404);
    const after = await redis.scan(0, { match: `${storePrefix(doomed)}*`, count: 1000 });
    expect(after[1]).toEqual([]);

    // A promotion job still queued for the deleted store is done, not retried into the DLQ, and
    // writes nothing into the deleted keyspace.
    const { handler: consume } = await import('../../functions/queue/promotion-consumer.js');
    const job = promotionJob({ storeId: doomed, sessionId: 's1', windowStartedAt: 1, dueAt: 1 });
    const batch = await consume(
      {
        Records: [
          {
            messageId: 'late-job',
            body: JSON.stringify(job),
            attributes: { ApproximateReceiveCount: '1' },
          },
        ],
      } as unknown as Parameters<typeof consume>[0],
      lambdaContext('promotion-consumer', 60_000),
    );
    expect(batch.batchItemFailures).toEqual([]);
    expect((await redis.scan(0, { match: `${storePrefix(doomed)}*`, count: 1000 }))[1]).toEqual([]);

    expect((await admin('GET', `/v1/api-keys/${only.keyId}`)).status).toBe(404);
    expect((await api.get(`/v1/stores/${doomed}/session-memory/s1`)).status).toBe(401);
    const narrowed = await admin('GET', `/v1/api-keys/${both.keyId}`);
    expect(narrowed.body.grants).toEqual([
      { resourceType: 'mem-store', resourceId: kept, actions: ['read'] },
    ]);
    // The revoked key's API Gateway key is gone too.
    expect(stack().apiGatewayControl.meteredKey(usageIdentifierOf(only.token))).toBeUndefined();
    expect(stack().apiGatewayControl.meteredKey(usageIdentifierOf(both.token))).toBeDefined();
  });
});

describe('API keys through the admin API', () => {
  it('mints a key into a usage plan, shows it once, and lists, gets and updates it', async () => {
    const storeId = await newStore();
    const other = await newStore();
    const minted = await mint([[storeId, ['read']]]);
    expect(minted.keyId).toMatch(/^[0-9a-f]{32}$/);
    expect(minted.token.startsWith(`amk${minted.keyId}`)).toBe(true);
    expect(stack().apiGatewayControl.meteredKey(usageIdentifierOf(minted.token))).toMatchObject({
      tier: 'standard',
    });
    // API Gateway holds the token's hash (it meters), never the token (it would authenticate).
    const secretPart = minted.token.slice(35);
    expect(
      stack()
        .apiGatewayControl.keys()
        .some((key) => key.value.includes(secretPart)),
    ).toBe(false);

    const got = await admin('GET', `/v1/api-keys/${minted.keyId}`);
    expect(got.body).toEqual({
      keyId: minted.keyId,
      name: 'agent',
      grants: [{ resourceType: 'mem-store', resourceId: storeId, actions: ['read'] }],
      createdAt: minted.createdAt,
      expiresAt: 0,
      plan: 'standard',
    });
    expect(JSON.stringify(got.body)).not.toContain(minted.token.slice(35));

    // Paging walks every key once.
    const seen = new Set<string>();
    let next: string | undefined;
    do {
      const page = await admin('GET', `/v1/api-keys?maxResults=2${next ? `&nextToken=${next}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.apiKeys.length).toBeLessThanOrEqual(2);
      for (const key of page.body.apiKeys) {
        expect(seen.has(key.keyId)).toBe(false);
        seen.add(key.keyId);
      }
      next = page.body.nextToken;
    } while (next);
    expect(seen.has(minted.keyId)).toBe(true);

    const api = apiClient(stack().apiUrl, minted.token);
    expect((await api.post(`/v1/stores/${storeId}/session-memory/events`, event('u'))).status).toBe(403);
    const updated = await admin('PATCH', `/v1/api-keys/${minted.keyId}`, {
      name: 'renamed',
      grants: [
        { resourceType: 'mem-store', resourceId: storeId, actions: ['write'] },
        { resourceType: 'mem-store', resourceId: other, actions: ['read'] },
      ],
    });
    expect(updated.status).toBe(200);
    expect(updated.body.name).toBe('renamed');
    // API_KEY_CACHE_SECONDS is 0 locally: the new grants apply to the next request.
    expect((await api.post(`/v1/stores/${storeId}/session-memory/events`, event('u'))).status).toBe(201);
    expect((await api.get(`/v1/stores/${other}/session-memory?includeAll=true`)).status).toBe(200);
  });

  it('refuses grants on missing stores, unknown plans and malformed requests', async () => {
    const storeId = await newStore();
    const cases = [
      { name: 'k', grants: [{ resourceType: 'mem-store', resourceId: 'no-such-store', actions: ['read'] }] },
      {
        name: 'k',
        grants: [{ resourceType: 'mem-store', resourceId: storeId, actions: ['read'] }],
        plan: 'gold',
      },
      { name: 'k', grants: [] },
      { name: 'k', grants: [{ resourceType: 'mem-store', resourceId: storeId, actions: ['admin'] }] },
      {
        name: 'k',
        grants: [{ resourceType: 'mem-store', resourceId: storeId, actions: ['read'] }],
        expiresAt: 1,
      },
      { grants: [{ resourceType: 'mem-store', resourceId: storeId, actions: ['read'] }] },
    ];
    const before = stack().apiGatewayControl.keys().length;
    for (const body of cases) {
      const response = await admin('POST', '/v1/api-keys', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.fields.length).toBeGreaterThan(0);
    }
    // A refused mint leaves no API Gateway key behind.
    expect(stack().apiGatewayControl.keys().length).toBe(before);
    expect((await admin('GET', '/v1/api-keys/0123456789abcdef0123456789abcdef')).status).toBe(404);
    expect((await admin('GET', '/v1/api-keys/not-a-key-id')).status).toBe(400);
  });

  it('revokes a key: 401 at once here, and its gateway key is disabled and deleted', async () => {
    const storeId = await newStore();
    const key = await mint([[storeId, ['read']]]);
    const api = apiClient(stack().apiUrl, key.token);
    expect((await api.get(`/v1/stores/${storeId}/health`)).status).toBe(200);
    const gatewayCalls = stack().apiGatewayControl.calls.length;

    expect((await admin('DELETE', `/v1/api-keys/${key.keyId}`)).status).toBe(204);
    const revoked = await api.get(`/v1/stores/${storeId}/health`);
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ type: '/errors/authentication-failed' });
    expect(stack().apiGatewayControl.calls.slice(gatewayCalls)).toEqual(['UpdateApiKey', 'DeleteApiKey']);
    expect(stack().apiGatewayControl.meteredKey(usageIdentifierOf(key.token))).toBeUndefined();
    expect((await admin('DELETE', `/v1/api-keys/${key.keyId}`)).status).toBe(404);
  });

  // Waits out a real grace period (whole seconds). 5 s rather than 2: the expiry is rounded down to a
  // whole second, so a 2 s grace could end 1 s after the rotation, before the checks on the old key
  // below finish on a busy runner.
  it('rotates a key: both work during the grace period, then only the new one', {
    tags: ['slow'],
  }, async () => {
    const graceSeconds = 5;
    const storeId = await newStore();
    const old = await mint([[storeId, ['read', 'write']]]);
    const rotated = await admin('POST', `/v1/api-keys/${old.keyId}/rotate`, { graceSeconds });
    expect(rotated.status).toBe(201);
    const fresh = rotated.body as { keyId: string; token: string; createdAt: number; oldExpiresAt: number };
    expect(fresh.keyId).not.toBe(old.keyId);
    expect(fresh.oldExpiresAt - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(graceSeconds);

    const oldApi = apiClient(stack().apiUrl, old.token);
    const newApi = apiClient(stack().apiUrl, fresh.token);
    expect((await oldApi.post(`/v1/stores/${storeId}/session-memory/events`, event('r'))).status).toBe(201);
    expect((await newApi.get(`/v1/stores/${storeId}/session-memory/r`)).status).toBe(200);
    expect((await admin('GET', `/v1/api-keys/${fresh.keyId}`)).body).toMatchObject({
      rotatedFrom: old.keyId,
      grants: [{ resourceId: storeId, actions: ['read', 'write'] }],
    });
    expect((await admin('GET', `/v1/api-keys/${old.keyId}`)).body).toMatchObject({
      expiresAt: fresh.oldExpiresAt,
      rotatedTo: fresh.keyId,
    });
    // Rotating the winding-down key again is a conflict: rotate its replacement.
    expect((await admin('POST', `/v1/api-keys/${old.keyId}/rotate`, {})).status).toBe(409);

    // Past the grace period the old key answers 401 and the new one keeps working.
    await new Promise((resolve) => setTimeout(resolve, (fresh.oldExpiresAt + 1) * 1000 - Date.now()));
    expect((await oldApi.get(`/v1/stores/${storeId}/session-memory/r`)).status).toBe(401);
    expect((await newApi.get(`/v1/stores/${storeId}/session-memory/r`)).status).toBe(200);

    // The sweeper ends the old key for good: registry record and gateway key.
    const { handler } = await import('../../functions/scheduled/maintenance.js');
    const report = await handler();
    expect(report.apiKeys.expired).toBeGreaterThanOrEqual(1);
    expect((await admin('GET', `/v1/api-keys/${old.keyId}`)).status).toBe(404);
    expect(stack().apiGatewayControl.meteredKey(usageIdentifierOf(old.token))).toBeUndefined();
    expect(stack().apiGatewayControl.meteredKey(usageIdentifierOf(fresh.token))).toBeDefined();
  });

  it('keeps the registry authoritative but lets API Gateway refuse a key no usage plan meters', async () => {
    const storeId = await newStore();
    const key = await mint([[storeId, ['read']]]);
    const api = apiClient(stack().apiUrl, key.token);
    const gatewayKey = stack().apiGatewayControl.meteredKey(usageIdentifierOf(key.token))!;
    const { APIGatewayClient, DeleteApiKeyCommand } = await import('@aws-sdk/client-api-gateway');
    const client = new APIGatewayClient({
      region: stack().region,
      endpoint: stack().apiGatewayControl.url,
      credentials: stack().apiGatewayControl.credentials,
    });
    await client.send(new DeleteApiKeyCommand({ apiKey: gatewayKey.keyId }));
    client.destroy();
    const refused = await api.get(`/v1/stores/${storeId}/health`);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ type: '/errors/insufficient-permissions' });
  });
});

describe('the admin API and the CLI', () => {
  it('refuses unsigned and wrongly signed requests as API Gateway IAM authorization does', async () => {
    const unsigned = await fetch(`${stack().adminUrl}/v1/stores`);
    expect(unsigned.status).toBe(403);
    const forged = await signedFetch({
      url: `${stack().adminUrl}/v1/stores`,
      method: 'GET',
      region: stack().region,
      credentials: { accessKeyId: stack().adminCredentials.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    expect(forged.status).toBe(403);
    // A data-plane key is no admin credential.
    const storeId = await newStore();
    const key = await mint([[storeId, ['read', 'write']]]);
    const withKey = await fetch(`${stack().adminUrl}/v1/stores`, {
      headers: { authorization: `Bearer ${key.token}` },
    });
    expect(withKey.status).toBe(403);
  });

  it('runs the operator workflow: create a store, mint, rotate, revoke, delete', async () => {
    const created = await cli('stores', 'create', '--name', 'cli-store', '--short-ttl', '900');
    expect(created.code, created.err).toBe(0);
    const storeId = /Created store ([0-9a-f]{32})/.exec(created.out)![1]!;

    const listed = await cli('stores', 'list');
    expect(listed.out).toContain(storeId);
    expect(listed.out).toContain('900s');

    const minted = await cli('keys', 'mint', '--name', 'cli-agent', '--grant', `${storeId}:read,write`);
    expect(minted.code, minted.err).toBe(0);
    const keyId = /Minted key ([0-9a-f]{32})/.exec(minted.out)![1]!;
    const token = /Token \(shown once, store it now\): (amk\w+)/.exec(minted.out)![1]!;
    expect((await apiClient(stack().apiUrl, token).get(`/v1/stores/${storeId}/health`)).status).toBe(200);

    const shown = await cli('keys', 'get', keyId);
    expect(shown.out).toContain(`${storeId}:read,write`);
    expect(shown.out).not.toContain(token);

    const rotated = await cli('keys', 'rotate', keyId, '--grace', '60');
    expect(rotated.code, rotated.err).toBe(0);
    const newKeyId = /-> ([0-9a-f]{32})/.exec(rotated.out)![1]!;
    expect((await cli('keys', 'revoke', newKeyId)).code).toBe(0);
    expect((await cli('keys', 'revoke', keyId)).code).toBe(0);
    expect((await apiClient(stack().apiUrl, token).get(`/v1/stores/${storeId}/health`)).status).toBe(401);

    const refused = await cli('stores', 'delete', storeId);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--yes');
    expect((await cli('stores', 'delete', storeId, '--yes')).code).toBe(0);

    const missing = await cli('stores', 'get', storeId);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('Error 404 Resource not found');
    const invalid = await cli('keys', 'mint', '--name', 'x', '--grant', 'no-such-store:read');
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/Error 400 Invalid request: .*no-such-store/);
    expect(invalid.err).toContain('grants.resourceId');
    const badGrant = await cli('keys', 'mint', '--name', 'x', '--grant', 'store:admin');
    expect(badGrant.code).toBe(2);
    const detectors = await cli('detectors');
    expect(detectors.out).toContain('credit-card');
  });
});
