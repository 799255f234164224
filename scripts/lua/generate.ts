import { writeFile } from 'node:fs/promises';
import { LUA_BUNDLES, renderBundle, repoPath } from './render.js';

/**
 * `npm run lua`: embeds the `.lua` scripts into their generated modules (see render.ts for why).
 * The modules are committed; `test/unit/lua-scripts.test.ts` fails when one is stale.
 */
for (const bundle of LUA_BUNDLES) {
  const text = renderBundle(bundle);
  await writeFile(repoPath(bundle.output), text);
  console.log(`[lua] wrote ${bundle.output} (${Buffer.byteLength(text)} bytes)`);
}
