/**
 * Stands in for `ajv` and `ajv-formats` in the MCP function's bundle (the `alias` of
 * BUNDLE_SETTINGS). The SDK's server imports Ajv for its default JSON Schema validator, which
 * only checks elicitation answers; lib/mcp/memory-tools.ts passes its own validator and never
 * elicits, so Ajv (about 135 KB minified, a quarter of the bundle) is never constructed.
 */
export default class AjvNotBundled {
  constructor() {
    throw new Error('ajv is not bundled: pass a jsonSchemaValidator to the MCP server');
  }
}
