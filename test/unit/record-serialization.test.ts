import { describe, expect, it } from 'vitest';
import { serializeRecord } from '../../lib/adapters/upstash/upstash-memory-record-store.js';
import type { StoredMemory } from '../../lib/contracts/long-term-memory.js';

const record = (text: string, extra: Partial<StoredMemory> = {}): StoredMemory => ({
  id: 'm1',
  text,
  memoryType: 'semantic',
  ownerId: 'alice',
  topics: [],
  createdAt: 1,
  updatedAt: 1,
  expiresAt: 2,
  embeddingModel: 'test',
  contentHash: 'h',
  ...extra,
});

/** What Redis's cjson would refuse: a `\udxxx` escape that is not itself escaped. */
const cjsonRefuses = (json: string) => /(?<!\\)(?:\\\\)*\\ud[89a-f]/i.test(json);

describe('record JSON for the Lua scripts', () => {
  it('stores lone surrogates as U+FFFD, in values and keys', () => {
    // Prepare
    const lone = record('a \ud800 b \udfff', {
      topics: ['\udc00'],
      attributes: { 'k\ud800': ['\ud83d'] },
    });

    // Act
    const json = serializeRecord(lone);

    // Assess
    expect(cjsonRefuses(json)).toBe(false);
    const back = JSON.parse(json);
    expect(back.text).toBe('a \ufffd b \ufffd');
    expect(back.topics).toEqual(['\ufffd']);
    expect(back.attributes).toEqual({ 'k\ufffd': ['\ufffd'] });
  });

  it('leaves well-formed text, pairs and escaped backslashes exactly as they were', () => {
    for (const text of ['😀 emoji', 'plain', '\\ud800 typed out', '\\\\ud800', 'é 日本語']) {
      const json = serializeRecord(record(text));
      expect(json).toBe(JSON.stringify(record(text)));
      expect(JSON.parse(json).text).toBe(text);
    }
    expect(JSON.parse(serializeRecord(record('\\\ud800'))).text).toBe('\\\ufffd');
  });
});
