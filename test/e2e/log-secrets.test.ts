import { randomBytes } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqsClient } from '../../lib/adapters/sqs/sqs-client.js';
import { memoryKeys } from '../../lib/adapters/upstash/keys.js';
import { createUpstashRedis } from '../../lib/adapters/upstash/redis-client.js';
import { type PromotionMessage, promotionJob } from '../../lib/contracts/promotion-message.js';
import { apiClient, useLocalStack } from '../support/local-stack-fixture.js';

// Every line the functions can log: loggers read LOG_LEVEL when the handlers are loaded, which
// happens when the stack starts (after this line).
process.env.LOG_LEVEL = 'debug';

/**
 * Everything this process writes to stdout and stderr (the functions' JSON logs and anything
 * else), captured from before the stack starts until the scan. Console calls are captured too, in
 * case a dependency logs through them (vitest routes console around process.stdout).
 */
const captured: string[] = [];
const originalStdout = process.stdout.write.bind(process.stdout);
const originalStderr = process.stderr.write.bind(process.stderr);
const capture = (chunk: unknown) => {
  captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
  return true;
};
process.stdout.write = capture as typeof process.stdout.write;
process.stderr.write = capture as typeof process.stderr.write;
const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
const originalConsole = consoleMethods.map((name) => [name, console[name]] as const);
for (const name of consoleMethods) {
  console[name] = (...args: unknown[]) => {
    capture(`${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`);
  };
}
afterAll(() => {
  process.stdout.write = originalStdout as typeof process.stdout.write;
  process.stderr.write = originalStderr as typeof process.stderr.write;
  for (const [name, method] of originalConsole) console[name] = method;
});

// The AWS path for the Upstash credentials: a secret read through the SDK at cold start.
const stack = useLocalStack({ upstashCredentials: 'secrets-manager', visibilityTimeoutSeconds: 1 });

/** Strings that must never reach a log line, with what they are (for the failure message). */
const secrets = new Map<string, string>();
const remember = (what: string, value: string) => {
  secrets.set(value, what);
  return value;
};
/**
 * A unique text, registered whole and by its first 10 characters: V8 quotes only that much of
 * unparseable JSON in a SyntaxError's message, and a truncated echo is still a leak.
 */
const marker = (what: string) => {
  const value = remember(what, `zq${randomBytes(10).toString('hex')}`);
  remember(`${what} (first 10 characters)`, value.slice(0, 10));
  return value;
};
const rememberToken = (what: string, token: string) => {
  remember(what, token);
  // amk + 32-hex key id + the 40-character secret part
  remember(`${what} (secret part)`, token.slice(35));
  return token;
};

const admin: ReturnType<typeof stack>['admin'] = (method, path, body) => stack().admin(method, path, body);

async function mint(storeId: string, actions: string[]) {
  const minted = await admin('POST', '/v1/api-keys', {
    name: 'agent',
    grants: [{ resourceType: 'mem-store', resourceId: storeId, actions }],
  });
  expect(minted.status).toBe(201);
  rememberToken('minted API key', minted.body.token);
  return minted.body as { keyId: string; token: string };
}

async function sendToQueue(body: string) {
  const sqs = createSqsClient({
    region: stack().sqs.region,
    endpoint: stack().sqs.endpoint,
    credentials: stack().sqs.credentials,
  });
  await sqs.send(new SendMessageCommand({ QueueUrl: stack().promotionQueue.queueUrl, MessageBody: body }));
  sqs.destroy();
}

const jobFor = (storeId: string, sessionId: string): PromotionMessage =>
  promotionJob({ storeId, sessionId, windowStartedAt: Date.now(), dueAt: Date.now() + 3_600_000 });

describe('logs', () => {
  it('never contain event text, memory text, API keys or service secrets', { timeout: 120_000 }, async () => {
    // Prepare: the service's own secrets.
    remember('Upstash token', stack().upstash.token);
    remember('admin secret access key', stack().adminCredentials.secretAccessKey);

    // Stores and keys through the admin API (a marker in the name of a refused store too).
    const created = await admin('POST', '/v1/stores', {
      name: 'log-scan',
      extractionCadence: { activeIntervalSeconds: 60 },
      longTermMemoryExclusions: {
        enabled: true,
        builtInDetectors: {
          enabled: true,
          detectors: [
            { id: 'credit-card', enabled: true, action: 'redact' },
            { id: 'email', enabled: true, action: 'redact' },
            { id: 'phone', enabled: true, action: 'drop' },
          ],
        },
      },
    });
    expect(created.status).toBe(201);
    const storeId: string = created.body.storeId;
    const other = await admin('POST', '/v1/stores', { name: 'log-scan-other' });
    const otherStoreId: string = other.body.storeId;
    expect((await admin('POST', '/v1/stores', { name: `bad ${marker('refused store name')}!` })).status).toBe(
      400,
    );
    const writer = await mint(storeId, ['read', 'write']);
    const reader = await mint(storeId, ['read']);
    const otherKey = await mint(otherStoreId, ['read', 'write']);
    expect((await admin('PATCH', `/v1/api-keys/${reader.keyId}`, { name: 'reader' })).status).toBe(200);
    const api = apiClient(stack().apiUrl, writer.token);
    const base = `/v1/stores/${storeId}`;

    // Act: session events with markers and personal data, through both key headers.
    const card = remember('credit card number', '4111 1111 1111 1111');
    remember('credit card number (digits)', '4111111111111111');
    const email = remember('email address', `${marker('email local part')}@example.com`);
    const phone = remember('phone number', '+1 415 555 0134');
    const chat = [
      `I'm planning a trip to Japan next month, ${marker('event text')} is my codename.`,
      `I'm a vegetarian and my card is ${card}, mail me at ${email}.`,
      `Call me on ${phone}; I love ${marker('event text')} ramen.`,
    ];
    const xApi = apiClient(stack().apiUrl, writer.token, 'x-api-key');
    for (const [i, text] of chat.entries()) {
      remember('event text', text);
      const appended = await (i % 2 === 0 ? api : xApi).post(`${base}/session-memory/events`, {
        sessionId: 'log-chat',
        actorId: 'traveller-1',
        role: 'USER',
        content: [{ text }],
        metadata: { note: marker('event metadata') },
        createdAt: new Date(Date.UTC(2026, 5, 25, 18, i)).toISOString(),
      });
      expect(appended.status).toBe(201);
    }
    expect((await api.get(`${base}/session-memory/log-chat`)).status).toBe(200);

    // Long-term memories written directly, read, updated and searched.
    const memories = Array.from({ length: 5 }, (_, i) => ({
      id: `direct-${i}`,
      ownerId: 'traveller-1',
      text: remember('memory text', `The user keeps ${marker('memory text')} in drawer ${i}.`),
      topics: [marker('memory topic')],
    }));
    const bulk = await api.post(`${base}/long-term-memory`, { memories });
    expect(bulk.status).toBe(201);
    expect(bulk.body.errors).toEqual([]);
    expect((await api.get(`${base}/long-term-memory/direct-0`)).status).toBe(200);
    const patched = await api.patch(`${base}/long-term-memory/direct-1`, {
      text: remember('updated memory text', `The user moved ${marker('memory text')} elsewhere.`),
    });
    expect(patched.status).toBe(200);
    const searched = await api.post(`${base}/long-term-memory/search`, {
      text: remember('search text', `where is ${marker('search text')}`),
      filter: { ownerId: { eq: 'traveller-1' } },
    });
    expect(searched.status).toBe(200);

    // Promotion: the consumer extracts from the chat (and refuses a poison message).
    await sendToQueue(JSON.stringify(jobFor(storeId, 'log-chat')));
    await sendToQueue(JSON.stringify({ kind: marker('poison message'), text: chat[0] }));
    await stack().consumer!.drain(30_000);
    const promoted = await api.post(`${base}/long-term-memory/search`, { limit: 100 });
    const extracted = (promoted.body.items as Array<{ id: string; text: string }>).filter(
      (m) => !m.id.startsWith('direct-'),
    );
    expect(extracted.length).toBeGreaterThan(0);
    for (const memory of extracted) remember('extracted memory text', memory.text);
    expect((await api.get(`${base}/session-memory/log-chat/promotion`)).status).toBe(200);

    // Errors: bad bodies, oversized text, unknown and malformed keys, another store, bad admin calls.
    const badJson = await api.request(
      'POST',
      `${base}/session-memory/events`,
      `{"text":"${marker('bad JSON')}"`,
    );
    expect(badJson.status).toBe(400);
    const badEvent = await api.post(`${base}/session-memory/events`, {
      sessionId: `not valid ${marker('invalid session id')}`,
      actorId: 'traveller-1',
      role: 'USER',
      content: [{ text: remember('event text', `refused ${marker('event text')}`) }],
      createdAt: '2026-06-25T18:00:00Z',
    });
    expect(badEvent.status).toBe(400);
    const tooLong = await api.post(`${base}/long-term-memory`, {
      memories: [
        {
          id: 'too-long',
          ownerId: 'traveller-1',
          text: `${marker('oversized memory')} ${'x'.repeat(50_001)}`,
        },
      ],
    });
    expect(tooLong.body.errors).toHaveLength(1);
    const badFilter = await api.post(`${base}/long-term-memory/search`, {
      text: 'anything',
      filter: { ownerId: { eq: `"${marker('filter value')}" || *` } },
    });
    expect(badFilter.status).toBe(400);
    const unknownKey = rememberToken(
      'unknown API key',
      `amk${randomBytes(16).toString('hex')}${randomBytes(30)
        .toString('base64')
        .replace(/[^A-Za-z0-9]/g, 'a')
        .slice(0, 40)}`,
    );
    expect((await apiClient(stack().apiUrl, unknownKey).get(`${base}/session-memory/log-chat`)).status).toBe(
      401,
    );
    const garbageKey = remember('malformed API key', `not-a-key-${marker('malformed key')}`);
    expect((await apiClient(stack().apiUrl, garbageKey).get(`${base}/health`)).status).toBe(401);
    expect(
      (await apiClient(stack().apiUrl, otherKey.token).get(`${base}/session-memory/log-chat`)).status,
    ).toBe(403);
    const readOnly = apiClient(stack().apiUrl, reader.token);
    expect(
      (await readOnly.post(`${base}/long-term-memory`, { memories: [{ ...memories[0], id: 'ro' }] })).status,
    ).toBe(403);
    expect((await api.get(`${base}/long-term-memory/${marker('unknown memory id')}`)).status).toBe(404);
    expect(
      (
        await admin('POST', '/v1/api-keys', {
          name: 'x',
          grants: [{ resourceType: 'mem-store', resourceId: marker('unknown store'), actions: ['read'] }],
        })
      ).status,
    ).toBe(400);
    const unsigned = await fetch(`${stack().adminUrl}/v1/stores`, {
      method: 'POST',
      body: JSON.stringify({ name: marker('unsigned admin body') }),
    });
    expect(unsigned.status).toBe(403);

    // A model failure whose message echoes the input (as provider errors can): the request fails,
    // the log keeps the error's name only.
    const echoed = marker('provider error message');
    stack().bedrock.failNextRequests(10, {
      status: 500,
      errorType: 'InternalServerException',
      message: `could not embed "${echoed}"`,
    });
    const failed = await api.post(`${base}/long-term-memory/search`, {
      text: remember('search text', `find ${echoed}`),
    });
    expect(failed.status).toBe(424);

    // A stored record that no longer parses (JSON.parse's message quotes the text): a 500 whose log
    // line keeps the error's name and frames only.
    const redis = createUpstashRedis({ url: stack().upstash.url, token: stack().upstash.token });
    await redis.set(memoryKeys.record(storeId, 'corrupt'), `${marker('corrupt stored record')} is not JSON`);
    expect((await api.get(`${base}/long-term-memory/corrupt`)).status).toBe(500);

    // Rotate (1 s grace) and revoke; a store deleted with a key on it; the old key expires.
    const rotated = await admin('POST', `/v1/api-keys/${writer.keyId}/rotate`, { graceSeconds: 1 });
    expect(rotated.status).toBe(201);
    const fresh = apiClient(stack().apiUrl, rememberToken('rotated API key', rotated.body.token));
    expect((await fresh.get(`${base}/session-memory/log-chat`)).status).toBe(200);
    expect((await admin('DELETE', `/v1/api-keys/${reader.keyId}`)).status).toBe(204);
    expect((await admin('DELETE', `/v1/stores/${otherStoreId}`)).status).toBe(204);
    await sendToQueue(JSON.stringify(jobFor(otherStoreId, 'gone')));
    await stack().consumer!.drain(30_000);
    await new Promise((done) => setTimeout(done, 1_500));
    expect((await api.get(`${base}/session-memory/log-chat`)).status).toBe(401);

    // Scheduled maintenance: sweeps the expired key and re-flushes the deleted store.
    const { handler: maintenance } = await import('../../functions/scheduled/maintenance.js');
    const report = await maintenance();
    expect(report.apiKeys.expired).toBeGreaterThanOrEqual(1);

    // Assess: the scan found log lines at all (a capture that saw nothing would prove nothing) ...
    const output = captured.join('');
    for (const line of ['api key minted', 'api key rotated', 'api key revoked', 'store deleted']) {
      expect(output).toContain(line);
    }
    expect(output).toContain('promotion job done');
    expect(output).toContain('promotion message is not a promotion job');
    expect(output).toContain('request failed');
    expect(output).toContain('maintenance finished');

    // ... and none of them carries a secret, a text or a key.
    const leaks = [...secrets]
      .filter(([value]) => output.includes(value))
      .map(([value, what]) => {
        const line = output.split('\n').find((l) => l.includes(value)) ?? '';
        return `${what}: ${line.slice(0, 300)}`;
      });
    expect(leaks).toEqual([]);
    expect(secrets.size).toBeGreaterThan(20);
  });
});
