import type { Paragraph, TableCell } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { toString as plainText } from 'mdast-util-to-string';
import type { ExtractedMemory, ExtractionResult, ExtractionTurn } from '../../lib/ports/memory-extractor.js';

/**
 * The offline stand-in for a model reading a document section (document ingestion; reached only
 * through the Bedrock fake's Converse route, like the conversation extractor): rules, not
 * understanding. Each sentence of the section's prose (paragraphs, list items, table cells, read
 * from the Markdown by mdast-util-from-markdown; sentences split by `Intl.Segmenter`) of at least
 * four words that is not a question becomes one memory of the extractor's type. A sentence that
 * opens with a pronoun gets the nearest heading as its subject ("Expenses: They are due …"), so it
 * stands alone. Topics are the headings, lower-cased; entities are not guessed. Token usage is
 * ~4 characters per token, as for the conversation extractor.
 *
 * Limits: no paraphrase, no merging of sentences, instructions are not read (the memory type's
 * instructions shape a real model's output, not this one's), headings and code are never memories.
 */
export function extractDocumentSection(input: {
  readonly section: ExtractionTurn;
  readonly title: string | undefined;
  readonly headings: readonly string[];
  readonly memoryType: string;
}): ExtractionResult {
  const subject = input.headings[input.headings.length - 1] ?? input.title;
  const topics = [...new Set(input.headings.map((h) => h.toLowerCase().slice(0, 100)))].slice(-5);
  const memories: ExtractedMemory[] = [];
  for (const sentence of proseSentences(input.section.text)) {
    const text = subject && PRONOUN_START.test(sentence) ? `${subject}: ${sentence}` : sentence;
    memories.push({
      text,
      memoryType: input.memoryType,
      topics,
      entities: [],
      sourceEventIds: [input.section.eventId],
    });
  }
  const read = input.section.text.length + (input.title?.length ?? 0) + input.headings.join(' ').length;
  const written = memories.reduce((sum, m) => sum + m.text.length, 0);
  return {
    memories,
    usage: { inputTokens: Math.ceil(read / 4), outputTokens: Math.ceil(written / 4) },
  };
}

const PRONOUN_START = /^(it|this|that|they|these|those|he|she)\b/i;
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

function proseSentences(markdown: string): string[] {
  const sentences: string[] = [];
  const visit = (node: { type: string; children?: unknown[] }) => {
    if (node.type === 'paragraph' || node.type === 'tableCell') {
      const text = plainText(node as Paragraph | TableCell)
        .replace(/\s+/g, ' ')
        .trim();
      for (const { segment } of segmenter.segment(text)) {
        const sentence = segment.trim().replace(/[.;:]+$/, '');
        if (sentence.split(' ').length >= 4 && !sentence.endsWith('?')) sentences.push(sentence);
      }
      return;
    }
    if (node.type === 'heading' || node.type === 'code' || node.type === 'html') return;
    for (const child of (node.children ?? []) as Array<{ type: string; children?: unknown[] }>) visit(child);
  };
  visit(fromMarkdown(markdown));
  return sentences;
}
