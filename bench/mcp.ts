/**
 * MCP tools/call latency through the local stack with the official MCP client (Streamable HTTP ->
 * local API Gateway -> authorizer -> MCP function -> use case -> Upstash REST emulator -> Redis 8),
 * next to the REST route that runs the same use case, so the difference is the MCP layer (JSON-RPC,
 * a fresh server and transport per request). Calls run one at a time. Measures only.
 *
 *   tsx bench/mcp.ts              # BENCH_CALLS calls per tool [200]
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { apiClient } from '../dev/api-client.js';
import { type LocalStack, startLocalStack } from '../dev/local-stack/local-stack.js';
import { cachedUseLiteEmbedder } from '../dev/offline-models/cached-use-lite.js';
import { formatTable } from '../scripts/format-table.js';
import { isMainModule } from '../scripts/main-module.js';
import { type EndpointFigures, formatEndpointTable, measureEndpoint } from './endpoints.js';

export async function measureMcp(stack: LocalStack, calls: number): Promise<EndpointFigures[]> {
  const storeId = 'bench-mcp';
  await stack.createStore(storeId);
  const key = await stack.mintApiKey({ [storeId]: ['read', 'write'] });
  const api = apiClient(stack.apiUrl, key);
  const base = `/v1/stores/${storeId}`;
  const client = new Client({ name: 'agent-memory-bench', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.apiUrl}${base}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );

  const memories = Array.from({ length: 100 }, (_, i) => ({
    id: `m-${i}`,
    text: `The user mentioned fact number ${i}: ${['likes hiking', 'is vegetarian', 'owns a cat', 'lives in Porto'][i % 4]}`,
    ownerId: 'user-1',
  }));
  const created = await api.post(`${base}/long-term-memory`, { memories });
  if (created.status !== 201) throw new Error(`seeding memories answered ${created.status}`);
  const turn = (i: number) => ({
    sessionId: 'read-me',
    actorId: 'user-1',
    role: i % 2 === 0 ? 'USER' : 'ASSISTANT',
    content: [
      { text: `Turn ${i}: ${'I would like a vegetarian restaurant near Kyoto station. '.repeat(3)}` },
    ],
    createdAt: new Date(Date.UTC(2026, 5, 25, 18, 0, i)).toISOString(),
  });
  for (let i = 0; i < 40; i++) await api.post(`${base}/session-memory/events`, turn(i));

  const tool = (name: string, args: () => Record<string, unknown>) => async () => {
    const result = (await client.callTool({ name, arguments: args() })) as CallToolResult;
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
  };
  const rest = (call: () => Promise<{ status: number }>, expected: number) => async () => {
    const response = await call();
    if (response.status !== expected) throw new Error(`REST answered ${response.status}`);
  };
  let counter = 0;
  const search = { text: 'what does the user eat?', limit: 5 };
  const cases: Array<[string, () => Promise<void>]> = [
    ['MCP tools/list', async () => void (await client.listTools())],
    ['MCP get_long_term_memory', tool('get_long_term_memory', () => ({ memoryId: 'm-1' }))],
    ['REST GET /long-term-memory/{memoryId}', rest(() => api.get(`${base}/long-term-memory/m-1`), 200)],
    ['MCP search_long_term_memory', tool('search_long_term_memory', () => search)],
    [
      'REST POST /long-term-memory/search',
      rest(() => api.post(`${base}/long-term-memory/search`, search), 200),
    ],
    ['MCP get_session_memory (40 events)', tool('get_session_memory', () => ({ sessionId: 'read-me' }))],
    ['REST GET /session-memory/{sessionId}', rest(() => api.get(`${base}/session-memory/read-me`), 200)],
    [
      'MCP add_session_event',
      tool('add_session_event', () => ({ ...turn(counter++), sessionId: `append-${counter % 20}` })),
    ],
    [
      'REST POST /session-memory/events',
      rest(
        () =>
          api.post(`${base}/session-memory/events`, {
            ...turn(counter++),
            sessionId: `append-${counter % 20}`,
          }),
        201,
      ),
    ],
  ];

  const figures: EndpointFigures[] = [];
  for (const [endpoint, call] of cases) {
    figures.push(await measureEndpoint(stack, endpoint, call, { calls, warmups: 5 }));
  }
  await client.close();
  return figures;
}

if (isMainModule(import.meta.url)) {
  const calls = Number(process.env.BENCH_CALLS ?? 200);
  process.env.LOG_LEVEL ??= 'warn';
  // As bench/run.ts: the authorizer reuses a resolved key for 60 s, as deployed.
  const stack = await startLocalStack({
    apiKeyCacheSeconds: 60,
    bedrockBaseEmbedder: cachedUseLiteEmbedder(),
  });
  try {
    console.log(formatEndpointTable(await measureMcp(stack, calls), formatTable));
    console.log(`\n${calls} calls each, one at a time; the MCP client sends one POST per call.`);
  } finally {
    await stack.stop();
  }
}
