import { describe, expect, it } from 'vitest';
import { httpRoutes, IRIS_ROOT, type PathFamily } from '../../functions/catalog.js';
import { problemSchema } from '../../lib/contracts/common.js';
import { type DataPlaneRouteName, operationContracts } from '../../lib/contracts/operations.js';
import type { StoreConfig } from '../../lib/contracts/store-config.js';
import { expectConforms } from '../support/expect-conforms.js';
import { type ApiResponse, apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

/**
 * The OpenAPI document and the SDK's types are generated from `lib/contracts/operations.ts`; this
 * checks that what the service really sends matches it: every route, called for real, answers its
 * documented status with a body its response schema accepts without dropping a single field.
 */
const stack = useLocalStack();

const TRIP_TYPE = {
  name: 'trip_preference',
  description: 'Travel preferences',
  fields: [{ name: 'destinations', description: 'Places', type: 'list[str]' }],
} as const;

describe('the contracts the OpenAPI document is generated from', () => {
  it.each(['v1', 'iris'] as const)(
    'match every route’s real success answer (%s paths)',
    async (family: PathFamily) => {
      const storeId = uniqueStoreId('contracts');
      await stack().createStore(storeId, { customMemoryTypes: [TRIP_TYPE as never] } as Partial<StoreConfig>);
      const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read', 'write'] }));
      const base = family === 'v1' ? `/v1/stores/${storeId}` : `${IRIS_ROOT}/stores/${storeId}`;
      const answers = new Map<DataPlaneRouteName, ApiResponse>();
      const call = async (route: DataPlaneRouteName, response: Promise<ApiResponse>) => {
        const answer = await response;
        answers.set(route, answer);
        return answer;
      };

      await call('health', api.get(family === 'v1' ? '/health' : `${IRIS_ROOT}/health/live`));
      await call('store-health', api.get(`${base}/health`));
      const appended = await call(
        'add-session-event',
        api.post(
          `${base}/session-memory/events`,
          {
            sessionId: 'trip',
            actorId: 'alice',
            namespace: 'travel',
            role: 'USER',
            content: [{ text: 'I am going to Tokyo and Kyoto. Also, I am a vegetarian.' }],
            createdAt: '2026-06-25T18:00:00Z',
            metadata: { channel: 'chat' },
          },
          { headers: { 'idempotency-key': 'contracts-1' } },
        ),
      );
      const eventId = appended.body.event.eventId as string;
      await api.post(`${base}/session-memory/events`, {
        sessionId: 'other',
        actorId: 'bob',
        role: 'ASSISTANT',
        content: [{ text: 'Hello' }],
        createdAt: '2026-06-25T18:01:00+02:00',
      });
      if (family === 'iris') {
        // The November family's own session writes.
        await call(
          'append-session-event',
          api.post(
            `${base}/sessions/trip/events`,
            {
              actorId: 'alice',
              role: 'ASSISTANT',
              content: [{ text: 'Noted: Tokyo and Kyoto.' }],
              createdAt: '2026-06-25T18:00:30Z',
            },
            { headers: { 'idempotency-key': 'contracts-append' } },
          ),
        );
        await call(
          'create-session',
          api.post(`${base}/sessions`, {
            actorId: 'carol',
            role: 'USER',
            content: [{ text: 'A new conversation' }],
            createdAt: '2026-06-25T18:02:00Z',
          }),
        );
      }
      await call('list-sessions', api.get(`${base}/session-memory?includeAll=true&limit=1`));
      await call('list-session-summaries', api.get(`${base}/sessions?includeAll=true&sortBy=createdAt`));
      await call('get-session-memory', api.get(`${base}/session-memory/trip`));
      await call('get-session-event', api.get(`${base}/session-memory/trip/events/${eventId}`));
      await call('get-promotion-status', api.get(`${base}/session-memory/trip/promotion`));
      await call('promote-session-now', api.post(`${base}/session-memory/trip/promotion`));
      await call('retry-parked-ranges', api.post(`${base}/session-memory/trip/promotion/retry-parked`));
      const erasure = await call('erase-owner', api.post(`${base}/owners/nobody/erase`));
      await call('get-erasure', api.get(`${base}/erasures/${erasure.body.erasure.jobId}`));

      const ltm = `${base}/long-term-memory`;
      await call(
        'bulk-create-memories',
        api.post(ltm, {
          memories: [
            {
              id: 'veg',
              text: 'The user is a vegetarian',
              ownerId: 'alice',
              sessionId: 'trip',
              namespace: 'travel',
              topics: ['food'],
              sourceRefs: [`trip:${eventId}`],
              occurredAt: '2026-06-25T18:00:00Z',
              entities: ['vegetarian'],
            },
            {
              id: 'japan',
              text: 'The user is planning a trip to Japan',
              ownerId: 'alice',
              memoryType: 'trip_preference',
              attributes: { destinations: ['Tokyo', 'Kyoto'] },
            },
            { id: 'bad', text: '', ownerId: 'alice' },
          ],
        }),
      );
      await call(
        'search-memories',
        api.post(`${ltm}/search`, {
          text: 'dietary restrictions',
          filter: { ownerId: { eq: 'alice' } },
          includeScores: true,
          limit: 1,
        }),
      );
      const created = await call(
        'create-namespace',
        api.post(`${base}/namespaces`, { path: 'life/food', scope: 'PERSONAL', ownerId: 'alice' }),
      );
      const namespaceId = created.body.namespace.namespaceId as string;
      await api.post(`${base}/namespaces`, { name: 'work', scope: 'PERSONAL', ownerId: 'alice' });
      await call('list-namespaces', api.get(`${base}/namespaces?scope=PERSONAL&ownerId=alice&limit=1`));
      await call('get-namespace', api.get(`${base}/namespaces/${namespaceId}`));
      await call('update-namespace', api.patch(`${base}/namespaces/${namespaceId}`, { name: 'diet' }));
      await call(
        'move-memories',
        api.post(`${ltm}/move`, { memoryIds: ['japan', 'never-was'], namespaceRef: { namespaceId } }),
      );
      await call('get-memory', api.get(`${ltm}/veg`));
      await call('get-memory-sources', api.get(`${ltm}/veg/sources`));
      // One record per page: the client parses a one-line NDJSON answer as that line's JSON, which is
      // what the contract's line schema describes.
      await call('export-memories', api.get(`${ltm}/export?ownerId=alice&limit=1`));
      await call(
        'import-memories',
        api.post(
          `${ltm}/import`,
          JSON.stringify({ id: 'imported', text: 'The user imports', ownerId: 'alice' }),
          {
            headers: { 'content-type': 'application/x-ndjson' },
          },
        ),
      );
      await call(
        'memory-prompt',
        api.post(`${base}/memory-prompt`, { query: 'Where should we eat in Kyoto?', sessionId: 'trip' }),
      );
      await call(
        'mcp',
        api.post(
          `${base}/mcp`,
          {
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name: 'get_long_term_memory', arguments: { memoryId: 'veg' } },
          },
          { headers: { accept: 'application/json, text/event-stream' } },
        ),
      );
      // Summary views: a manual view, refreshed once and read back with its result.
      const views = `${base}/summary-views`;
      const view = await call(
        'create-summary-view',
        api.post(views, {
          name: 'diet',
          groupBy: ['ownerId'],
          instructions: 'Lead with dietary needs.',
          refresh: { mode: 'continuous', debounceSeconds: 0 },
        }),
      );
      const viewId = view.body.id as string;
      await call('list-summary-views', api.get(`${views}?limit=1`));
      await call('get-summary-view', api.get(`${views}/${viewId}`));
      await call(
        'refresh-summary-view',
        api.post(`${views}/${viewId}/refresh`, { group: { ownerId: 'alice' } }),
      );
      for (let i = 0; i < 200; i++) {
        const read = await api.get(`${views}/${viewId}/partition?ownerId=alice`);
        if (read.body?.state === 'ready') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await call('get-view-partition', api.get(`${views}/${viewId}/partition?ownerId=alice`));
      await call('list-view-partitions', api.get(`${views}/${viewId}/partitions`));
      await call('update-summary-view', api.patch(`${views}/${viewId}`, { name: 'diet (renamed)' }));
      await call('update-memory', api.patch(`${ltm}/veg`, { topics: ['food', 'diet'] }));
      await call(
        'update-memory-fields',
        api.patch(`${ltm}/japan/fields`, {
          memoryType: 'trip_preference',
          attributes: { destinations: ['Tokyo', 'Kyoto', 'Osaka'] },
        }),
      );
      const extractor = await stack().admin('POST', `/v1/stores/${storeId}/extractors`, {
        name: 'handbook',
        memoryType: 'handbook_policy',
        description: 'A rule of the handbook',
        instructions: 'Keep each rule.',
      });
      const submitted = await call(
        'submit-document',
        api.post(`${base}/documents`, {
          ownerId: 'alice',
          extractorId: extractor.body.extractorId,
          title: 'Handbook',
          text: '# Handbook\n\n## Expenses\n\nExpense reports are due on the fifth business day.\n',
          metadata: { version: 1 },
        }),
      );
      await stack().documentConsumer!.drain(60_000);
      await call('get-document', api.get(`${base}/documents/${submitted.body.documentId}`));
      await call('delete-document', api.delete(`${base}/documents/${submitted.body.documentId}`));
      await call('bulk-delete-memories', api.delete(ltm, { memoryIds: ['japan', 'never-was'] }));
      await call('delete-session-event', api.delete(`${base}/session-memory/trip/events/${eventId}`));
      await call('delete-session-memory', api.delete(`${base}/session-memory/other`));
      await call('delete-summary-view', api.delete(`${views}/${viewId}`));
      const empty = await api.post(`${base}/namespaces`, { name: 'empty', scope: 'SHARED' });
      await call('delete-namespace', api.delete(`${base}/namespaces/${empty.body.namespace.namespaceId}`));

      expect([...answers.keys()].sort()).toEqual(
        httpRoutes
          .filter((r) => r.family === family)
          .map((r) => r.operation)
          .sort(),
      );
      for (const [route, answer] of answers) {
        const contract = operationContracts[route];
        expect(answer.status, `${route}: ${JSON.stringify(answer.body)}`).toBe(contract.status);
        if (contract.response) expectConforms(contract.response, answer.body, route);
        else expect(answer.body, route).toBeUndefined();
      }
      // The optional parts were there to be checked, not absent by accident.
      expect(answers.get('get-view-partition')?.body.state).toBe('ready');
      expect(answers.get('get-view-partition')?.body.memoryCount).toBeGreaterThanOrEqual(2);
      expect(answers.get('get-view-partition')?.body.text).toContain('vegetarian');
      expect(answers.get('update-memory-fields')?.body.namespaceRef).toEqual({
        namespaceId,
        name: 'diet',
        path: 'life/diet',
      });
      expect(answers.get('list-namespaces')?.body).toHaveProperty('nextPageToken');
      expect(answers.get('move-memories')?.body.errors).toHaveLength(1);
      expect(answers.get('search-memories')?.body.items[0]).toHaveProperty('score');
      expect(answers.get('bulk-create-memories')?.body.errors).toHaveLength(1);
      expect(answers.get('list-sessions')?.body).toHaveProperty('nextPageToken');
      expect(answers.get('memory-prompt')?.body.memoryIds).toContain('veg');
      expect(answers.get('mcp')?.body.result.isError).not.toBe(true);
    },
  );

  it('match the problem bodies of errors', async () => {
    const storeId = uniqueStoreId('contracts');
    await stack().createStore(storeId);
    const api = apiClient(stack().apiUrl, await stack().mintApiKey({ [storeId]: ['read'] }));
    const base = `/v1/stores/${storeId}`;
    const errors = [
      await api.get(`${base}/session-memory?limit=0&includeAll=true`),
      await api.get(`${base}/session-memory/nobody`),
      await api.post(`${base}/session-memory/events`, {}),
      await api.get('/v1/stores/someone-else/health'),
      await apiClient(stack().apiUrl, 'not-a-key').get(`${base}/health`),
    ];
    expect(errors.map((e) => e.status)).toEqual([400, 404, 403, 403, 401]);
    for (const error of errors) {
      expect(error.headers.get('content-type')).toMatch(/^application\/(problem\+)?json/);
      expectConforms(problemSchema, error.body, `${error.status}`);
    }
    expect(errors[0]?.body.fields).toEqual([expect.objectContaining({ field: 'limit' })]);
  });

  it('are served as the OpenAPI document at /openapi.json, without a key', async () => {
    const answer = await apiClient(stack().apiUrl).get('/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toBe('3.1.0');
    expect(Object.keys(answer.body.paths)).toContain('/v1/stores/{storeId}/long-term-memory/search');
  });
});
