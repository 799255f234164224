import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { MCP_TOOL_ACTIONS } from '../../functions/http/mcp/memory-tools.js';
import { apiClient, uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

/**
 * The Streamable HTTP MCP endpoint through the local API Gateway, driven by the official MCP
 * client: the same keys, stores and use cases as the REST routes.
 */
const stack = useLocalStack();

const open: Client[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});

const mcpPath = (storeId: string) => `/v1/stores/${storeId}/mcp`;
/** Where the November docs put every store's MCP endpoint (reference §3.17). */
const irisMcpPath = (storeId: string) => `/iris/data/v1/agent-memory/stores/${storeId}/mcp`;

async function connect(
  storeId: string,
  key?: string,
  header: 'authorization' | 'x-api-key' = 'authorization',
  path: (storeId: string) => string = mcpPath,
) {
  const headers: Record<string, string> = {};
  if (key) headers[header] = header === 'authorization' ? `Bearer ${key}` : key;
  const transport = new StreamableHTTPClientTransport(new URL(`${stack().apiUrl}${path(storeId)}`), {
    requestInit: { headers },
  });
  const client = new Client({ name: 'agent-memory-e2e', version: '1.0.0' });
  await client.connect(transport);
  open.push(client);
  return client;
}

async function newStore(actions: Array<'read' | 'write'> = ['read', 'write']) {
  const storeId = uniqueStoreId('mcp');
  await stack().createStore(storeId);
  return { storeId, key: await stack().mintApiKey({ [storeId]: actions }) };
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

const textOf = (result: CallToolResult) => (result.content[0] as { type: 'text'; text: string }).text;

describe('MCP endpoint (Streamable HTTP, stateless)', () => {
  it('initializes and lists the tools with their input schemas', async () => {
    const { storeId, key } = await newStore();
    const client = await connect(storeId, key);

    expect(client.getServerVersion()).toMatchObject({ name: 'agent-memory' });
    expect(client.getServerCapabilities()).toHaveProperty('tools');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'add_session_event',
      'create_long_term_memories',
      'delete_long_term_memories',
      'get_document',
      'get_long_term_memory',
      'get_memory_sources',
      'get_session_memory',
      'get_summary_view',
      'memory_prompt',
      'move_long_term_memories',
      'search_long_term_memory',
      'submit_document',
    ]);
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    const add = byName.get('add_session_event')!;
    expect(add.inputSchema).toMatchObject({
      type: 'object',
      properties: { actorId: { type: 'string' }, role: { enum: ['USER', 'ASSISTANT', 'SYSTEM'] } },
    });
    expect(add.inputSchema.required).toEqual(expect.arrayContaining(['actorId', 'role', 'content']));
    expect(add.inputSchema.required).not.toContain('createdAt');
    // The store comes from the path, never from the arguments.
    for (const tool of tools) expect(Object.keys(tool.inputSchema.properties ?? {})).not.toContain('storeId');
    expect(byName.get('search_long_term_memory')!.inputSchema.properties).toHaveProperty('filter');
    expect(byName.get('search_long_term_memory')!.annotations).toMatchObject({ readOnlyHint: true });
    expect(byName.get('delete_long_term_memories')!.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
  });

  it('adds session events and reads the session back', async () => {
    const { storeId, key } = await newStore();
    const client = await connect(storeId, key, 'x-api-key');

    const first = await call(client, 'add_session_event', {
      actorId: 'alice',
      role: 'USER',
      content: [{ text: 'I am planning a trip to Lisbon' }],
    });
    expect(first.isError).toBeFalsy();
    const { event } = first.structuredContent as { event: { sessionId: string; eventId: string } };
    expect(JSON.parse(textOf(first))).toEqual(first.structuredContent);
    await call(client, 'add_session_event', {
      sessionId: event.sessionId,
      actorId: 'alice',
      role: 'ASSISTANT',
      content: [{ text: 'Lisbon is lovely in May' }],
      // Events are ordered by createdAt; the first one's defaulted to now.
      createdAt: new Date(Date.now() + 60_000).toISOString(),
    });

    const session = await call(client, 'get_session_memory', { sessionId: event.sessionId });
    expect(session.isError).toBeFalsy();
    expect(session.structuredContent).toMatchObject({
      sessionId: event.sessionId,
      ownerId: 'alice',
      events: [{ eventId: event.eventId, role: 'USER' }, { role: 'ASSISTANT' }],
    });
    // The same data as the REST route.
    const rest = await apiClient(stack().apiUrl, key).get(
      `/v1/stores/${storeId}/session-memory/${event.sessionId}`,
    );
    expect(rest.body.events).toHaveLength(2);

    const missing = await call(client, 'get_session_memory', { sessionId: 'no-such-session' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toBe('resource-not-found: Session not found');
  });

  it('sends a result past 1 MB as JSON text only, without the structured copy', async () => {
    const { storeId, key } = await newStore();
    const api = apiClient(stack().apiUrl, key);
    for (let i = 0; i < 5; i++) {
      const added = await api.post(`/v1/stores/${storeId}/session-memory/events`, {
        sessionId: 'long',
        actorId: 'alice',
        role: 'USER',
        content: [{ text: `${i} ${'x'.repeat(250_000)}` }],
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      });
      expect(added.status).toBe(201);
    }
    const client = await connect(storeId, key);

    const session = await call(client, 'get_session_memory', { sessionId: 'long' });
    expect(session.isError).toBeFalsy();
    expect(session.structuredContent).toBeUndefined();
    expect(JSON.parse(textOf(session)).events).toHaveLength(5);
  });

  it('creates, searches, reads and deletes long-term memories', async () => {
    const { storeId, key } = await newStore();
    const client = await connect(storeId, key);

    const created = await call(client, 'create_long_term_memories', {
      memories: [
        {
          id: 'veg',
          text: 'The user is a vegetarian',
          ownerId: 'alice',
          topics: ['food'],
          sourceRefs: ['crm:7'],
        },
        { id: 'dog', text: 'The user has a golden retriever named Max', ownerId: 'alice' },
      ],
    });
    expect(created.structuredContent).toEqual({ created: ['veg', 'dog'], errors: [] });

    const found = await call(client, 'search_long_term_memory', {
      text: 'what does the user eat?',
      filter: { ownerId: { eq: 'alice' } },
      limit: 1,
    });
    expect(found.isError).toBeFalsy();
    expect((found.structuredContent as { items: Array<{ id: string }> }).items.map((m) => m.id)).toEqual([
      'veg',
    ]);

    const veg = await call(client, 'get_long_term_memory', { memoryId: 'veg' });
    expect(veg.structuredContent).toMatchObject({
      id: 'veg',
      text: 'The user is a vegetarian',
      topics: ['food'],
    });

    const sources = await call(client, 'get_memory_sources', { memoryId: 'veg', limit: 5 });
    expect(sources.isError).toBeFalsy();
    expect(sources.structuredContent).toEqual({
      memoryId: 'veg',
      sessions: [],
      sources: [{ kind: 'external', ref: 'crm:7', state: 'unresolved' }],
      totalSources: 1,
    });

    // Curation: file a memory under a namespace; search by the namespace finds it at once.
    const namespace = await apiClient(stack().apiUrl, key).post(`/v1/stores/${storeId}/namespaces`, {
      name: 'pets',
      scope: 'PERSONAL',
      ownerId: 'alice',
    });
    const namespaceId = namespace.body.namespace.namespaceId as string;
    const moved = await call(client, 'move_long_term_memories', {
      memoryIds: ['dog', 'nope'],
      namespaceRef: { namespaceId },
    });
    expect(moved.structuredContent).toEqual({ moved: ['dog'], errors: [{ id: 'nope', error: 'not found' }] });
    const filed = await call(client, 'search_long_term_memory', {
      filter: { namespaceRef: { eq: namespaceId } },
    });
    expect((filed.structuredContent as { items: Array<{ id: string }> }).items.map((m) => m.id)).toEqual([
      'dog',
    ]);
    const nowhere = await call(client, 'move_long_term_memories', {
      memoryIds: ['dog'],
      namespaceRef: { namespaceId: 'no-such-namespace' },
    });
    expect(nowhere).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'resource-not-found' } },
    });

    const deleted = await call(client, 'delete_long_term_memories', { memoryIds: ['veg', 'nope'] });
    expect(deleted.structuredContent).toEqual({
      deleted: ['veg'],
      errors: [{ id: 'nope', error: 'not found' }],
    });
    const gone = await call(client, 'get_long_term_memory', { memoryId: 'veg' });
    expect(gone).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'resource-not-found' } },
    });
  });

  it('submits a document and follows its ingestion', async () => {
    const { storeId, key } = await newStore();
    const extractor = await stack().admin('POST', `/v1/stores/${storeId}/extractors`, {
      name: 'handbook',
      memoryType: 'handbook_policy',
      description: 'A rule of the team handbook',
      instructions: 'Keep every rule as one standalone sentence.',
    });
    const client = await connect(storeId, key);
    const text = '# Handbook\n\n## Expenses\n\nExpense reports are due on the fifth business day.\n';
    const submitted = await call(client, 'submit_document', {
      ownerId: 'acme-team',
      extractorId: extractor.body.extractorId,
      text,
    });
    expect(submitted.isError).toBeFalsy();
    const { documentId } = JSON.parse(textOf(submitted));
    expect(documentId).toMatch(/^d[0-9a-f]{31}$/);
    await stack().documentConsumer!.drain(60_000);
    const status = JSON.parse(textOf(await call(client, 'get_document', { documentId })));
    expect(status).toMatchObject({ documentId, status: 'done', chunks: { total: 1, done: 1 } });
    const reader = await connect(storeId, await stack().mintApiKey({ [storeId]: ['read'] }));
    const refused = await call(reader, 'submit_document', {
      ownerId: 'acme-team',
      extractorId: extractor.body.extractorId,
      text,
    });
    expect(refused.isError).toBe(true);
  });

  it('builds a memory prompt from the session and long-term memories', async () => {
    const { storeId, key } = await newStore();
    const client = await connect(storeId, key);
    await call(client, 'create_long_term_memories', {
      memories: [{ id: 'veg', text: 'The user is a vegetarian', ownerId: 'carol' }],
    });
    const added = await call(client, 'add_session_event', {
      actorId: 'carol',
      role: 'USER',
      content: [{ text: 'We are going out tonight' }],
    });
    const { sessionId } = (added.structuredContent as { event: { sessionId: string } }).event;

    const prompt = await call(client, 'memory_prompt', { query: 'Where should we eat?', sessionId });
    expect(prompt.isError).toBeFalsy();
    const body = prompt.structuredContent as {
      messages: Array<{ role: string; content: string }>;
      memoryIds: string[];
      ownerId: string;
    };
    expect(body.memoryIds).toEqual(['veg']);
    expect(body.ownerId).toBe('carol');
    expect(body.messages.at(-1)).toEqual({ role: 'user', content: 'Where should we eat?' });
    expect(body.messages.map((m) => m.content).join('\n')).toContain('We are going out tonight');
    expect(body.messages[0]).toMatchObject({
      role: 'system',
      content: expect.stringContaining('vegetarian'),
    });

    const missing = await call(client, 'memory_prompt', { query: 'hi', sessionId: 'no-such-session' });
    expect(missing).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'resource-not-found' } },
    });
  });

  it('lets a read-only key search but refuses its write tools', async () => {
    const { storeId, key } = await newStore();
    const writer = await connect(storeId, key);
    await call(writer, 'create_long_term_memories', {
      memories: [{ id: 'tea', text: 'The user drinks green tea every morning', ownerId: 'bob' }],
    });
    const reader = await connect(storeId, await stack().mintApiKey({ [storeId]: ['read'] }));

    const found = await call(reader, 'search_long_term_memory', { text: 'morning drink' });
    expect(found.isError).toBeFalsy();
    expect((found.structuredContent as { items: Array<{ id: string }> }).items.map((m) => m.id)).toContain(
      'tea',
    );

    const refused = [
      await call(reader, 'add_session_event', { actorId: 'bob', role: 'USER', content: [{ text: 'hi' }] }),
      await call(reader, 'create_long_term_memories', { memories: [{ id: 'x', text: 'x', ownerId: 'bob' }] }),
      await call(reader, 'delete_long_term_memories', { memoryIds: ['tea'] }),
    ];
    for (const result of refused) {
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe('insufficient-permissions: This API key may not write this store');
    }
    expect((await call(reader, 'get_long_term_memory', { memoryId: 'tea' })).isError).toBeFalsy();
    expect((await call(reader, 'memory_prompt', { query: 'What do I drink?' })).isError).toBeFalsy();
  });

  it('answers HTTP 403 to a key of another store and 401 without a key', async () => {
    const { storeId } = await newStore();
    const other = await newStore();

    const foreign = connect(storeId, other.key);
    await expect(foreign).rejects.toBeInstanceOf(StreamableHTTPError);
    await expect(foreign).rejects.toMatchObject({ code: 403 });
    await expect(connect(storeId)).rejects.toMatchObject({ code: 401 });
    await expect(connect(storeId, 'amk-not-a-real-key')).rejects.toMatchObject({ code: 401 });
  });

  it('answers bad arguments with tool errors and malformed JSON-RPC with JSON-RPC errors', async () => {
    const { storeId, key } = await newStore();
    const client = await connect(storeId, key);

    const badArgs = await call(client, 'add_session_event', {
      actorId: 'has spaces',
      role: 'NOBODY',
      content: [],
    });
    expect(badArgs.isError).toBe(true);
    expect(textOf(badArgs)).toMatch(/Invalid arguments for tool add_session_event/);
    const unknown = await call(client, 'no_such_tool', {});
    expect(unknown).toMatchObject({ isError: true });
    expect(textOf(unknown)).toMatch(/Tool no_such_tool not found/);
    // Store from the arguments is ignored: the tool still works on the path's store only.
    const sneaky = await call(client, 'get_long_term_memory', { memoryId: 'x', storeId: 'elsewhere' });
    expect(sneaky).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'resource-not-found' } },
    });

    const api = apiClient(stack().apiUrl, key);
    const accept = { accept: 'application/json, text/event-stream' };
    const notJson = await api.post(mcpPath(storeId), '{"jsonrpc": "2.0", "method":', { headers: accept });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 }, id: null });
    const notRpc = await api.post(mcpPath(storeId), { hello: 'world' }, { headers: accept });
    expect(notRpc.status).toBe(400);
    expect(notRpc.body).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number) } });
    const unknownMethod = await api.post(
      mcpPath(storeId),
      { jsonrpc: '2.0', id: 7, method: 'no/such/method' },
      { headers: accept },
    );
    expect(unknownMethod.status).toBe(200);
    expect(unknownMethod.body).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32601 } });
    const noAccept = await api.post(mcpPath(storeId), { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(noAccept.status).toBe(406);
    const deep = await api.post(mcpPath(storeId), `${'['.repeat(500)}${']'.repeat(500)}`, {
      headers: accept,
    });
    expect(deep.status).toBe(400);
  });

  it('refuses a JSON-RPC batch with 400 before any of its tool calls runs', async () => {
    const { storeId, key } = await newStore();
    const api = apiClient(stack().apiUrl, key);
    const accept = { accept: 'application/json, text/event-stream' };
    // What finding 3 of the security review sent: many tools/call in one POST, each a write.
    const batch = ['a', 'b', 'c'].map((sessionId, i) => ({
      jsonrpc: '2.0',
      id: i + 1,
      method: 'tools/call',
      params: {
        name: 'add_session_event',
        arguments: { sessionId, actorId: 'alice', role: 'USER', content: [{ text: 'batched' }] },
      },
    }));

    const refused = await api.post(mcpPath(storeId), batch, { headers: accept });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: expect.stringMatching(/batches are not accepted/) },
      id: null,
    });
    // Leading whitespace does not make an array something else.
    const spaced = await api.post(mcpPath(storeId), ` \n\t${JSON.stringify(batch.slice(0, 1))}`, {
      headers: accept,
    });
    expect(spaced.status).toBe(400);
    // No tool ran: none of the sessions exists.
    for (const sessionId of ['a', 'b', 'c']) {
      expect((await api.get(`/v1/stores/${storeId}/session-memory/${sessionId}`)).status).toBe(404);
    }
    // One message per POST still works, on the same key and store.
    const single = await api.post(mcpPath(storeId), batch[0], { headers: accept });
    expect(single.status).toBe(200);
    expect(single.body).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      result: { structuredContent: { event: { sessionId: 'a' } } },
    });
    expect((await api.get(`/v1/stores/${storeId}/session-memory/a`)).status).toBe(200);
  });

  it('answers GET and DELETE with 405 (no SSE stream, no session)', async () => {
    const { storeId, key } = await newStore();
    const api = apiClient(stack().apiUrl, key);
    for (const response of [
      await api.get(mcpPath(storeId), { headers: { accept: 'text/event-stream' } }),
      await api.delete(mcpPath(storeId)),
    ]) {
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(response.body).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 }, id: null });
    }
    // Still behind the authorizer: no key, 401.
    expect((await apiClient(stack().apiUrl).get(mcpPath(storeId))).status).toBe(401);
  });

  it('serves the same tools at the November path, on the same store', async () => {
    const { storeId, key } = await newStore();
    const client = await connect(storeId, key, 'authorization', irisMcpPath);
    expect((await client.listTools()).tools).toHaveLength(Object.keys(MCP_TOOL_ACTIONS).length);
    const created = await call(client, 'create_long_term_memories', {
      memories: [{ id: 'iris-mcp', text: 'The user flies from Lisbon', ownerId: 'alice' }],
    });
    expect(created.isError).not.toBe(true);
    // Written through one family, read through the other.
    const viaV1 = await apiClient(stack().apiUrl, key).get(`/v1/stores/${storeId}/long-term-memory/iris-mcp`);
    expect(viaV1.status).toBe(200);
    expect(viaV1.body.text).toBe('The user flies from Lisbon');

    const reader = await connect(
      storeId,
      await stack().mintApiKey({ [storeId]: ['read'] }),
      'x-api-key',
      irisMcpPath,
    );
    const found = await call(reader, 'get_long_term_memory', { memoryId: 'iris-mcp' });
    expect(found.isError).not.toBe(true);
    const refused = await call(reader, 'delete_long_term_memories', { memoryIds: ['iris-mcp'] });
    expect(refused.isError).toBe(true);

    const stranger = apiClient(stack().apiUrl, (await newStore()).key);
    const foreign = await stranger.post(
      irisMcpPath(storeId),
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { headers: { accept: 'application/json, text/event-stream' } },
    );
    expect(foreign.status).toBe(403);
    const get = await apiClient(stack().apiUrl, key).get(irisMcpPath(storeId), {
      headers: { accept: 'text/event-stream' },
    });
    expect(get.status).toBe(405);
  });
});
