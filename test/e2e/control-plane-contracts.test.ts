import { describe, expect, it } from 'vitest';
import { adminApi } from '../../functions/catalog.js';
import { problemSchema } from '../../lib/contracts/common.js';
import { iamDenialSchema } from '../../lib/contracts/control-plane.js';
import {
  type AdminOperationId,
  adminOperationContracts,
} from '../../lib/contracts/control-plane-operations.js';
import { expectConforms } from '../support/expect-conforms.js';
import { useLocalStack } from '../support/local-stack-fixture.js';

/**
 * openapi/control-plane.json is generated from `lib/contracts/control-plane-operations.ts`; this
 * checks that what the admin API really sends matches it: every operation, called for real and
 * signed as the CLI signs, answers its documented status with a body its response schema accepts
 * without dropping a single field.
 */
const stack = useLocalStack();

type AdminAnswer = Awaited<ReturnType<ReturnType<typeof stack>['admin']>>;

describe('the contracts the control plane’s OpenAPI document is generated from', () => {
  it('match every admin operation’s real success answer', async () => {
    const answers = new Map<AdminOperationId, AdminAnswer>();
    const call = async (operation: AdminOperationId, method: string, path: string, body?: unknown) => {
      const answer = await stack().admin(method, path, body);
      answers.set(operation, answer);
      return answer;
    };

    await call('ListDetectors', 'GET', '/v1/detectors');
    // Every optional part of a store set, so each is checked against the schema.
    const created = await call('CreateStore', 'POST', '/v1/stores', {
      name: 'contracts',
      shortMemory: { ttlSeconds: 600 },
      extractionCadence: { activeIntervalSeconds: 60 },
      extractionStrategies: ['discrete', 'preferences'],
      summarization: { enabled: true, eventCount: { threshold: 6, retainCount: 2 } },
      customMemoryTypes: [
        {
          name: 'trip_preference',
          description: 'Travel preferences',
          fields: [{ name: 'destinations', description: 'Places', type: 'list[str]' }],
          extractionStrategy: { prompt: 'Extract the places {{ownerId}} wants to visit.' },
        },
      ],
      longTermMemoryExclusions: {
        enabled: true,
        builtInDetectors: { enabled: true, detectors: [{ id: 'email', enabled: true }] },
        customDetectors: {
          enabled: true,
          detectors: [
            {
              name: 'booking-ref',
              enabled: true,
              action: 'drop',
              matcher: { kind: 'regex', regex: { pattern: 'BK-[0-9]{6}' } },
            },
          ],
        },
      },
    });
    const storeId = created.body.storeId as string;
    const store = `/v1/stores/${storeId}`;
    await call('GetStore', 'GET', store);
    await call('UpdateStore', 'PATCH', store, {
      addCustomMemoryTypes: [{ name: 'flight', description: 'Flights the user booked' }],
    });
    await call('ListStores', 'GET', '/v1/stores');

    const grants = [{ resourceType: 'mem-store', resourceId: storeId, actions: ['read', 'write'] }];
    const minted = await call('MintAPIKey', 'POST', '/v1/api-keys', {
      name: 'agent',
      grants,
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    });
    const rotated = await call('RotateAPIKey', 'POST', `/v1/api-keys/${minted.body.keyId}/rotate`, {
      graceSeconds: 600,
    });
    // The old key names its replacement, the new one its predecessor.
    await call('GetAPIKey', 'GET', `/v1/api-keys/${minted.body.keyId}`);
    await call('UpdateAPIKey', 'PATCH', `/v1/api-keys/${rotated.body.keyId}`, { name: 'agent-2' });
    await call('ListAPIKeys', 'GET', '/v1/api-keys?maxResults=1');
    const doomed = await stack().admin('POST', '/v1/api-keys', { name: 'doomed', grants });
    await call('RevokeAPIKey', 'DELETE', `/v1/api-keys/${doomed.body.keyId}`);
    const extractor = await call('CreateExtractor', 'POST', `${store}/extractors`, {
      name: 'handbook',
      memoryType: 'handbook_policy',
      description: 'A rule of the handbook',
      instructions: 'Keep each rule for {{ownerId}}.',
    });
    const extractorPath = `${store}/extractors/${extractor.body.extractorId}`;
    await call('GetExtractor', 'GET', extractorPath);
    await call('UpdateExtractor', 'PATCH', extractorPath, { description: 'A rule' });
    await call('ListExtractors', 'GET', `${store}/extractors`);
    await call('DeleteExtractor', 'DELETE', extractorPath);
    await call('DeleteStore', 'DELETE', store);

    expect([...answers.keys()].sort()).toEqual(adminApi.routes.map((r) => r.operation).sort());
    for (const [operation, answer] of answers) {
      const contract = adminOperationContracts[operation];
      expect(answer.status, `${operation}: ${JSON.stringify(answer.body)}`).toBe(contract.status);
      if (contract.response) expectConforms(contract.response, answer.body, operation);
      else expect(answer.body, operation).toBeUndefined();
    }
    // The optional parts were there to be checked, not absent by accident.
    expect(answers.get('GetStore')?.body).toHaveProperty('models');
    expect(answers.get('GetStore')?.body).toHaveProperty('summarization');
    expect(answers.get('GetStore')?.body.longTermMemoryExclusions).toHaveProperty('customDetectors');
    expect(answers.get('UpdateStore')?.body.customMemoryTypes).toHaveLength(2);
    expect(answers.get('GetAPIKey')?.body).toHaveProperty('rotatedTo', rotated.body.keyId);
    expect(answers.get('UpdateAPIKey')?.body).toHaveProperty('rotatedFrom', minted.body.keyId);
    expect(answers.get('ListAPIKeys')?.body).toHaveProperty('nextToken');
    expect(answers.get('ListDetectors')?.body.detectors.length).toBeGreaterThan(0);
  });

  it('match the problem bodies of errors, and API Gateway’s own body for an IAM refusal', async () => {
    const storeId = (await stack().admin('POST', '/v1/stores', { name: 'errors' })).body.storeId as string;
    const key = await stack().admin('POST', '/v1/api-keys', {
      name: 'agent',
      grants: [{ resourceType: 'mem-store', resourceId: storeId, actions: ['read'] }],
    });
    await stack().admin('POST', `/v1/api-keys/${key.body.keyId}/rotate`, {});
    const problems = [
      await stack().admin('POST', '/v1/stores', { name: 'bad name!' }),
      await stack().admin('GET', '/v1/api-keys/not-a-key-id'),
      await stack().admin('GET', '/v1/stores/0123456789abcdef0123456789abcdef'),
      await stack().admin('POST', `/v1/api-keys/${key.body.keyId}/rotate`, {}),
    ];
    expect(problems.map((p) => p.status)).toEqual([400, 400, 404, 409]);
    for (const problem of problems) expectConforms(problemSchema, problem.body, `${problem.status}`);
    expect(problems[0]?.body.fields).toEqual([expect.objectContaining({ field: 'name' })]);

    const unsigned = await fetch(`${stack().adminUrl}/v1/stores`);
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expectConforms(iamDenialSchema, await unsigned.json(), '403');
  });
});
