import { describe, expect, it } from 'vitest';
import { ENV } from '../../lib/config/env-names.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

// The AWS path: the functions hold only the secret's ARN and read the Upstash URL and token from
// Secrets Manager (the fake, through the real SDK) once per cold start.
const stack = useLocalStack({ upstashCredentials: 'secrets-manager', runConsumer: false });

describe('Upstash credentials from Secrets Manager', () => {
  it('serves every kind of function with credentials read once per cold start', async () => {
    expect(process.env[ENV.upstashSecretArn]).toMatch(/^arn:aws:secretsmanager:/);
    expect(process.env[ENV.upstashUrl]).toBeUndefined();
    expect(process.env[ENV.upstashToken]).toBeUndefined();

    const storeId = uniqueStoreId();
    await stack().createStore(storeId);
    const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
    for (let i = 0; i < 5; i += 1) {
      const appended = await api.post(`/v1/stores/${storeId}/session-memory/events`, {
        sessionId: 's1',
        actorId: 'user-1',
        role: 'USER',
        content: [{ text: `message ${i}` }],
        createdAt: '2026-01-01T00:00:00Z',
      });
      expect(appended.status).toBe(201);
    }
    const created = await api.post(`/v1/stores/${storeId}/long-term-memory`, {
      memories: [{ id: 'veg', text: 'The user is a vegetarian', ownerId: 'user-1' }],
    });
    expect(created.status).toBe(201);
    const found = await api.post(`/v1/stores/${storeId}/long-term-memory/search`, {
      text: 'dietary restrictions',
    });
    expect(found.status).toBe(200);
    expect(found.body.items[0].text).toBe('The user is a vegetarian');

    // Each function cold-starts its own app from its own environment, as each Lambda does
    // (dev/local-stack/function-environments.ts): one read per function that ran (the authorizer,
    // add-session-event, bulk-create-memories, search-memories) for 8 requests, not one per request.
    const reads = stack().secretsManager.requests.GetSecretValue ?? 0;
    expect(reads).toBe(4);
  });
});
