/**
 * Whether JSON text opens more than `max` objects/arrays at once. Scans the text before parsing, so
 * a hostile body never reaches the recursive serializers downstream (JSON.stringify of the stored
 * event, the memory's content hash). Brackets inside strings do not count.
 */
export function nestingDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      // A backslash escapes the next character, which may be a quote.
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth > max) return true;
    } else if (c === '}' || c === ']') {
      depth--;
    }
  }
  return false;
}
