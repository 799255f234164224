import { memoryApp } from '../../lib/composition/memory-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { httpRoute } from './http-route.js';
import { handleMcpRequest } from './mcp/memory-tools.js';
import { fromWebResponse, toWebRequest } from './web-request.js';

/**
 * Streamable HTTP MCP endpoint of a store, stateless: every POST carries JSON-RPC and gets a JSON
 * answer from a fresh server; nothing lives between requests, so any instance can answer. GET (an
 * SSE stream) and DELETE (ending a session) have nothing to serve: 405, which MCP clients expect.
 * The route needs `read`; write tools check `write` themselves (mcp/memory-tools.ts).
 */
export const handler = httpRoute({ action: 'read', app: memoryApp, body: 'raw' }, async (request, app) => {
  if (request.method !== 'POST') return METHOD_NOT_ALLOWED;
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const response = await handleMcpRequest(
    { app, storeId, grants: request.grants, principal: request.principal },
    toWebRequest(request),
  );
  return fromWebResponse(response);
});

/** The SDK's own answer for a method a stateless server does not serve (JSON-RPC error, no id). */
const METHOD_NOT_ALLOWED = {
  status: 405,
  headers: { allow: 'POST' },
  body: {
    jsonrpc: '2.0',
    error: { code: -32000, message: 'Method not allowed: this stateless server answers POST only' },
    id: null,
  },
};
