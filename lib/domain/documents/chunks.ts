import type { Heading, RootContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { toString as plainText } from 'mdast-util-to-string';

/**
 * Splitting a submitted document into the chunks ingestion extracts from, by its structure: a
 * Markdown document by its sections (a heading and the blocks under it) and, within a long
 * section, by its top-level blocks (paragraphs, lists, tables, code); a plain-text document by its
 * paragraphs (blank lines). The Markdown is parsed by mdast-util-from-markdown (micromark, the
 * CommonMark parser behind remark), whose nodes carry their character offsets in the submitted text,
 * so every chunk knows its exact span and a memory's `doc:<id>:<start>-<end>` reference points at
 * the text it came from.
 */

/**
 * Characters of one chunk, at most (a single block longer than this is cut at whitespace). About
 * 1,000 tokens: small enough that each memory's span points at a paragraph-sized piece of text,
 * large enough that a section's sentences are read together (a model resolves "it" within one).
 */
export const CHUNK_MAX_CHARS = 4_000;

export type DocumentFormat = 'markdown' | 'text';

export interface DocumentChunk {
  /** Position in the document, from 0. */
  readonly index: number;
  /** Character offsets in the submitted text (UTF-16 code units, as JavaScript strings count): [start, end). */
  readonly start: number;
  readonly end: number;
  /** The headings the chunk sits under, outermost first (Markdown only; plain text of each heading). */
  readonly headings: readonly string[];
  /** `text.slice(start, end)`. */
  readonly text: string;
}

interface Block {
  readonly start: number;
  readonly end: number;
}

/** The document's chunks, in order. Blank documents have none. */
export function chunkDocument(text: string, format: DocumentFormat): DocumentChunk[] {
  const sections = format === 'markdown' ? markdownSections(text) : textSections(text);
  const chunks: DocumentChunk[] = [];
  for (const section of sections) {
    let current: Block | undefined;
    const flush = () => {
      if (!current) return;
      const slice = text.slice(current.start, current.end);
      if (slice.trim() !== '') {
        chunks.push({
          index: chunks.length,
          start: current.start,
          end: current.end,
          headings: section.headings,
          text: slice,
        });
      }
      current = undefined;
    };
    for (const block of section.blocks.flatMap((b) => cutLongBlock(text, b))) {
      if (current && block.end - current.start > CHUNK_MAX_CHARS) flush();
      current = current ? { start: current.start, end: block.end } : block;
    }
    flush();
  }
  return chunks;
}

interface Section {
  readonly headings: readonly string[];
  readonly blocks: readonly Block[];
}

function markdownSections(text: string): Section[] {
  const root = fromMarkdown(text);
  const sections: Section[] = [];
  const path: Array<{ depth: number; title: string }> = [];
  let blocks: Block[] = [];
  let headings: readonly string[] = [];
  let hasBody = false;
  // A heading with nothing under it (a title above its first subsection) is no chunk of its own:
  // its text lives on in the headings of the sections below it.
  const close = () => {
    if (hasBody) sections.push({ headings, blocks });
    blocks = [];
    hasBody = false;
  };
  for (const node of root.children) {
    const span = spanOf(node);
    if (!span) continue;
    if (node.type === 'heading') {
      close();
      const heading = node as Heading;
      while (path.length > 0 && path[path.length - 1]!.depth >= heading.depth) path.pop();
      path.push({ depth: heading.depth, title: plainText(heading).trim() });
      headings = path.map((h) => h.title);
    }
    // Front matter, HTML comments and definitions carry no prose worth extracting.
    if (node.type === 'html' || node.type === 'definition' || node.type === 'yaml') continue;
    blocks.push(span);
    if (node.type !== 'heading') hasBody = true;
  }
  close();
  return sections;
}

function spanOf(node: RootContent): Block | undefined {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  return start === undefined || end === undefined || end <= start ? undefined : { start, end };
}

/** Paragraphs of plain text: runs of text between blank lines. */
function textSections(text: string): Section[] {
  const blocks: Block[] = [];
  for (const match of text.matchAll(/\S(?:[\s\S]*?\S)?(?=\s*\n\s*\n|\s*$)/g)) {
    blocks.push({ start: match.index, end: match.index + match[0].length });
  }
  return blocks.length > 0 ? [{ headings: [], blocks }] : [];
}

/** A block longer than {@link CHUNK_MAX_CHARS}, cut at the last whitespace before each limit. */
function cutLongBlock(text: string, block: Block): Block[] {
  const pieces: Block[] = [];
  let start = block.start;
  while (block.end - start > CHUNK_MAX_CHARS) {
    const window = text.slice(start, start + CHUNK_MAX_CHARS);
    const at = window.search(/\s+\S*$/);
    const cut = at > 0 ? at : CHUNK_MAX_CHARS;
    pieces.push({ start, end: start + cut });
    start += cut;
    while (start < block.end && /\s/.test(text[start]!)) start++;
  }
  if (start < block.end) pieces.push({ start, end: block.end });
  return pieces;
}
