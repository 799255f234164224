import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import * as benchScripts from '../../bench/index-variants/scripts/generated.js';
import * as scripts from '../../lib/adapters/upstash/scripts/generated.js';
import { LUA_BUNDLES, readBundle, renderBundle, repoPath } from '../../scripts/lua/render.js';

const STALE = 'is stale: run `npm run lua` and commit the result';

describe('the Lua scripts', () => {
  for (const bundle of LUA_BUNDLES) {
    it(`are committed in ${bundle.output} as generated from ${bundle.sourceDir}/*.lua (else it ${STALE})`, async () => {
      const committed = await readFile(repoPath(bundle.output), 'utf8');
      expect(committed === renderBundle(bundle), `${bundle.output} ${STALE}`).toBe(true);
    });
  }

  it('pin the SHA-1 of the text they send (EVALSHA finds the script EVAL loaded)', () => {
    const all = [...Object.values(scripts), ...Object.values(benchScripts)];
    expect(all.length).toBeGreaterThan(20);
    for (const script of all) {
      expect(script.sha1, script.name).toBe(createHash('sha1').update(script.source).digest('hex'));
    }
  });

  it('each document their keys, arguments and reply in a header, and expand every include', () => {
    for (const bundle of LUA_BUNDLES) {
      for (const script of readBundle(bundle)) {
        const header = script.header.join('\n');
        expect(header, script.name).toMatch(/^KEYS \([^)]+\):/m);
        expect(header, script.name).toMatch(/^ARGV:/m);
        expect(header, script.name).toMatch(/^Returns /m);
        expect(script.source, script.name).not.toMatch(/@include/);
      }
    }
  });
});
