import * as z from 'zod';

/**
 * The MCP endpoint's wire shapes as documented in the OpenAPI document: JSON-RPC 2.0 messages of
 * the Model Context Protocol (Streamable HTTP, stateless, JSON answers). The MCP SDK's transport
 * parses them in the handler; these describe, they do not validate.
 */
const jsonRpcId = z.union([z.string(), z.number().int()]);

export const jsonRpcRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  /** Absent on notifications (answered 202 without a body). */
  id: jsonRpcId.optional(),
  /** e.g. `initialize`, `tools/list`, `tools/call`, `notifications/initialized`, `ping`. */
  method: z.string(),
  params: z.record(z.string(), z.unknown()).optional(),
});

export const jsonRpcResponseSchema = z.union([
  z.object({
    jsonrpc: z.literal('2.0'),
    id: jsonRpcId,
    /** A tool's failures are results too (`isError: true`), as MCP specifies. */
    result: z.record(z.string(), z.unknown()),
  }),
  z.object({
    jsonrpc: z.literal('2.0'),
    id: jsonRpcId.nullable(),
    error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }),
  }),
]);
