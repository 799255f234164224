import type { CustomFieldType } from '../../lib/contracts/store-config.js';
import type { ViewMemory } from '../../lib/ports/summary-views.js';

/**
 * The local stand-in for the model of summary-view refreshes (decision records 0010, 0020): no
 * language model runs here, so it composes a summary from the memories themselves. Text views: the
 * current summary's sentences followed by the memories' texts, repeats removed, newest kept when
 * the result is too long. Structured views: per declared field, a value built from the memories
 * whose text or topics name the field (all memories when none does), by the field's type.
 * Deterministic, so tests can assert on it.
 */
export function offlineViewText(prior: string | undefined, memories: readonly ViewMemory[]): string {
  const sentences = [
    ...(prior ? prior.split(/(?<=\.)\s+/) : []),
    ...memories.map((m) => (/[.!?]$/.test(m.text.trim()) ? m.text.trim() : `${m.text.trim()}.`)),
  ].filter((s) => s.length > 0);
  const seen = new Set<string>();
  const unique = sentences.filter((s) => {
    const key = s.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  let text = unique.join(' ');
  while (text.length > 2_000 && unique.length > 1) {
    unique.shift();
    text = unique.join(' ');
  }
  return text;
}

export function offlineViewFields(
  fields: ReadonlyArray<{ name: string; type: CustomFieldType }>,
  prior: Record<string, unknown> | undefined,
  memories: readonly ViewMemory[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(prior ?? {}) };
  for (const field of fields) {
    const word = field.name.toLowerCase().replace(/_/g, ' ');
    const named = memories.filter(
      (m) => m.text.toLowerCase().includes(word) || m.topics.some((t) => t.toLowerCase() === word),
    );
    const pick = named.length > 0 ? named : memories;
    if (pick.length === 0) continue;
    const previous = Array.isArray(out[field.name]) ? (out[field.name] as unknown[]) : [];
    switch (field.type) {
      case 'str':
        out[field.name] = pick[pick.length - 1]!.text;
        break;
      case 'list[str]':
        out[field.name] = [...new Set([...previous.map(String), ...pick.map((m) => m.text)])];
        break;
      case 'int':
      case 'float':
        out[field.name] =
          (typeof out[field.name] === 'number' ? (out[field.name] as number) : 0) + pick.length;
        break;
      case 'bool':
        out[field.name] = true;
        break;
      case 'list[float]':
        out[field.name] = pick.map((m) => m.createdAt);
        break;
      case 'object':
        out[field.name] = { latest: pick[pick.length - 1]!.text };
        break;
    }
  }
  return out;
}
