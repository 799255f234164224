/*
 * Token counts of the embedding models, an estimate: the real tokenizers are not reproduced. About one
 * token per six characters of a word, one per punctuation mark.
 */

/** Words (≈ one token per six characters) and punctuation marks (one token each). */
const TOKEN_PATTERN = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

function tokenSpans(text: string): { index: number; end: number; tokens: number }[] {
  return [...text.matchAll(TOKEN_PATTERN)].map((match) => ({
    index: match.index,
    end: match.index + match[0].length,
    tokens: Math.ceil(match[0].length / 6),
  }));
}

/** An estimate of a text's token count (see above). */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const span of tokenSpans(text)) tokens += span.tokens;
  return tokens;
}

/** The first (`END`: the end is dropped) or last (`START`) `maxTokens` tokens of `text`. */
export function cutToTokens(text: string, maxTokens: number, drop: 'START' | 'END'): string {
  const spans = tokenSpans(text);
  if (drop === 'START') spans.reverse();
  let total = 0;
  for (const span of spans) {
    total += span.tokens;
    if (total > maxTokens) return drop === 'END' ? text.slice(0, span.index) : text.slice(span.end);
  }
  return text;
}
