import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { buildControlPlaneDocument } from './control-plane-document.js';
import { buildOpenApiDocument } from './document.js';
import { GENERATED_FILES, renderOpenApiJson, renderSdkTypes } from './render.js';

/**
 * `npm run openapi`: writes the data plane's OpenAPI document, the SDK's types generated from it,
 * and the control plane's document. All are committed; `test/unit/openapi.test.ts` fails when one
 * is stale.
 */
const document = buildOpenApiDocument();
const outputs: [string, string][] = [
  [GENERATED_FILES.openApi, renderOpenApiJson(document)],
  [GENERATED_FILES.sdkTypes, await renderSdkTypes(document)],
  [GENERATED_FILES.controlPlane, renderOpenApiJson(buildControlPlaneDocument())],
];
for (const [path, text] of outputs) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  console.log(`[openapi] wrote ${path} (${Buffer.byteLength(text)} bytes)`);
}
