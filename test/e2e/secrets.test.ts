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

    // The authorizer, session and long-term handlers share one process here, so each kind of app
    // (core, memory) builds once: a handful of reads for 8+ requests, not one per request.
    const reads = stack().secretsManager.requests.GetSecretValue ?? 0;
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(2);
  });
});
