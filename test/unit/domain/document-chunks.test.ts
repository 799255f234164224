import { describe, expect, it } from 'vitest';
import { CHUNK_MAX_CHARS, chunkDocument } from '../../../lib/domain/documents/chunks.js';
import {
  documentIdFor,
  documentMemoryId,
  documentSourceRef,
  isDocumentRecord,
  parseDocumentSourceRef,
} from '../../../lib/domain/documents/document-refs.js';

const HANDBOOK = `# Team Handbook

Intro paragraph about the team.

## Expenses

Expense reports are due on the fifth.

- Attach receipts above 25 euros.
- Use the finance portal.

## On-call

### Pages

Answer pages within fifteen minutes.
`;

describe('chunkDocument', () => {
  it('splits Markdown by sections, with exact character spans and the heading path', () => {
    const chunks = chunkDocument(HANDBOOK, 'markdown');
    expect(chunks.map((c) => c.headings)).toEqual([
      ['Team Handbook'],
      ['Team Handbook', 'Expenses'],
      ['Team Handbook', 'On-call', 'Pages'],
    ]);
    for (const chunk of chunks) expect(HANDBOOK.slice(chunk.start, chunk.end)).toBe(chunk.text);
    expect(chunks[1]!.text).toMatch(/^## Expenses[\s\S]*Use the finance portal\.$/);
    // A heading with no body of its own ("## On-call") makes no chunk.
    expect(chunks.some((c) => c.text.startsWith('## On-call'))).toBe(false);
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2]);
  });

  it('splits plain text by blank-line paragraphs', () => {
    const text = 'First paragraph.\nStill first.\n\n\nSecond one.\n';
    const chunks = chunkDocument(text, 'text');
    expect(chunks.map((c) => c.text)).toEqual(['First paragraph.\nStill first.\n\n\nSecond one.']);
    const long = `${'a '.repeat(CHUNK_MAX_CHARS / 2)}\n\n${'b '.repeat(CHUNK_MAX_CHARS / 2)}`;
    const parts = chunkDocument(long, 'text');
    expect(parts.length).toBe(2);
    for (const part of parts) {
      expect(part.end - part.start).toBeLessThanOrEqual(CHUNK_MAX_CHARS);
      expect(long.slice(part.start, part.end)).toBe(part.text);
    }
  });

  it('cuts a block longer than a chunk at whitespace, and leaves blank documents without chunks', () => {
    const paragraph = 'word '.repeat(2_000).trim();
    const chunks = chunkDocument(`# Big\n\n${paragraph}\n`, 'markdown');
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(CHUNK_MAX_CHARS);
      expect(chunk.text.startsWith(' ')).toBe(false);
    }
    expect(chunkDocument('   \n\n  ', 'markdown')).toEqual([]);
    expect(chunkDocument('   \n\n  ', 'text')).toEqual([]);
  });
});

describe('document references', () => {
  it('derives stable ids and parses only well-formed doc: spans', () => {
    const id = documentIdFor('store-1', 'alice', 'a'.repeat(64));
    expect(id).toMatch(/^d[0-9a-f]{31}$/);
    expect(documentIdFor('store-1', 'bob', 'a'.repeat(64))).not.toBe(id);
    expect(documentMemoryId(id, 2, 0)).toBe(documentMemoryId(id, 2, 0));
    expect(documentMemoryId(id, 2, 0)).not.toBe(documentMemoryId(id, 2, 1));
    const ref = documentSourceRef(id, 10, 250);
    expect(ref).toMatch(/^[A-Za-z0-9:._-]+$/);
    expect(ref.length).toBeLessThanOrEqual(128);
    expect(parseDocumentSourceRef(ref)).toEqual({ documentId: id, start: 10, end: 250 });
    expect(parseDocumentSourceRef(`doc:${id}:250-10`)).toBeUndefined();
    expect(parseDocumentSourceRef('01J0000000000000000000000000000A')).toBeUndefined();
    expect(isDocumentRecord({ sourceRefs: ['evt', ref] })).toBe(true);
    expect(isDocumentRecord({ sourceRefs: ['evt'] })).toBe(false);
  });
});
