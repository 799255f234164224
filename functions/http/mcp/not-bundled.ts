/**
 * Stands in, in the MCP function's bundle (the `alias` of BUNDLE_SETTINGS), for packages the MCP
 * SDK imports but this server never runs. Each throws if it ever does, so a change that starts to
 * need one fails loudly (test/e2e/mcp-bundle.test.ts drives the built bundle).
 *
 * - `ajv`, `ajv-formats` (default export): the SDK's server builds Ajv as its default JSON Schema
 *   validator, which only checks elicitation answers; memory-tools.ts passes its own validator and
 *   never elicits, so Ajv (about 135 KB minified) is never constructed.
 * - `zod/v3` (`object`) and `zod-to-json-schema` (`zodToJsonSchema`): the SDK's zod-compat layer
 *   takes either zod 3 or zod 4 schemas and reaches them only for zod 3 ones. Every schema here is
 *   zod 4 (`import * as z from 'zod'`, as are the SDK's own), so the zod 3 runtime and its JSON
 *   Schema converter (about 77 KB) are dead weight.
 */
export default class AjvNotBundled {
  constructor() {
    throw new Error('ajv is not bundled: pass a jsonSchemaValidator to the MCP server');
  }
}

export function object(): never {
  throw new Error('zod/v3 is not bundled: MCP tool schemas must be zod 4 schemas');
}

export function zodToJsonSchema(): never {
  throw new Error('zod-to-json-schema is not bundled: MCP tool schemas must be zod 4 schemas');
}
