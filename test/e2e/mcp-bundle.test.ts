import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lib/config/env-names.js';
import { buildFunctions } from '../../scripts/build-functions.js';
import { useLocalStack } from '../support/local-stack-fixture.js';
import { lambdaContext, restApiEvent } from '../unit/middleware/api-gateway-event.js';

/**
 * The MCP function as deployed: its esbuild bundle, where BUNDLE_SETTINGS replaces ajv, zod 3 and
 * zod-to-json-schema with stand-ins that throw (functions/http/mcp/not-bundled.ts). The protocol
 * paths that reach the SDK's zod-compat layer (initialize, tools/list's JSON Schemas, argument
 * validation of tools/call) must answer without touching them. Against the local stack's Redis:
 * every data route first checks that its store exists and is not being deleted.
 */
type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const stack = useLocalStack();
let dir: string;
let handler: Handler;
let bytes: number;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-bundle-'));
  const [bundle] = await buildFunctions({ names: ['mcp'], outDir: dir });
  bytes = bundle!.bytes;
  await stack().createStore('store-a');
  process.env[ENV.upstashUrl] = stack().upstash.url;
  process.env[ENV.upstashToken] = stack().upstash.token;
  process.env.LOG_LEVEL = 'silent';
  ({ handler } = (await import(pathToFileURL(bundle!.outfile).href)) as { handler: Handler });
}, 120_000);

afterAll(async () => {
  process.env = { ...savedEnv };
  await rm(dir, { recursive: true, force: true });
});

let nextId = 1;
async function rpc(method: string, params: Record<string, unknown> = {}) {
  const event = restApiEvent({
    resource: '/v1/stores/{storeId}/mcp',
    path: '/v1/stores/store-a/mcp',
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  const response = await handler(
    {
      ...event,
      headers: {
        ...event.headers,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
    },
    lambdaContext(),
  );
  expect(response.statusCode, response.body).toBe(200);
  return JSON.parse(response.body) as { result?: Record<string, unknown>; error?: unknown };
}

describe('the MCP bundle', () => {
  it('is smaller without ajv, zod 3 and zod-to-json-schema', () => {
    // 638 KB with zod 3 and zod-to-json-schema at 7 tools; 12 tools since, and submit_document
    // chunks Markdown at submission (mdast and micromark, about 85 KB): see the closing notes of
    // issue 14 for what remains.
    expect(bytes).toBeLessThan(650_000);
  });

  it('initializes and lists its tools with JSON Schemas', async () => {
    const init = await rpc('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'bundle-test', version: '1.0.0' },
    });
    expect(init.result).toMatchObject({ serverInfo: { name: 'agent-memory' } });

    const list = await rpc('tools/list');
    const tools = (list.result?.tools ?? []) as Array<{ name: string; inputSchema: { type: string } }>;
    expect(tools.length).toBeGreaterThan(3);
    for (const tool of tools) expect(tool.inputSchema.type, tool.name).toBe('object');
  });

  it('validates tool arguments (a tool error, not a crash in a stand-in)', async () => {
    const list = await rpc('tools/list');
    const [first] = (list.result?.tools ?? []) as Array<{ name: string }>;
    const call = await rpc('tools/call', { name: first!.name, arguments: { unexpected: [1, 2, 3] } });
    const text = JSON.stringify(call);
    expect(text).not.toContain('not bundled');
    expect(call.result?.isError ?? call.error).toBeTruthy();
  });
});
