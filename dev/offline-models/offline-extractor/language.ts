import { createRequire } from 'node:module';
import type { Chrono } from 'chrono-node';
import type nlpType from 'compromise/three';
import { lazy } from '../../../lib/adapters/decorators/lazy.js';

/**
 * The two language libraries the offline extractor stands on: `compromise` (parts of speech, verb
 * forms, pattern matches over tagged words) and `chrono-node` (date expressions). Both are loaded on
 * the first extraction, not when this module is imported: compromise unpacks its lexicon at load
 * (1.5–3 s on a busy 2-core machine), and code that only imports the extractor (composition,
 * benchmarks listing adapters) should not pay for it.
 */
export interface Language {
  readonly nlp: typeof nlpType;
  readonly chrono: Chrono;
}

let loaded: Language | undefined;

/** Loads both libraries once per process; a failed load is forgotten so the next call retries. */
export const loadLanguage: () => Promise<Language> = lazy(async () => {
  // compromise's CommonJS entry is one bundled file; its ESM entry is ~400 source files, which
  // take about twice as long to load. chrono's English-only entry skips the other locales.
  const require = createRequire(import.meta.url);
  const nlp = require('compromise/three') as typeof nlpType;
  const { casual } = await import('chrono-node/en');
  loaded = { nlp, chrono: casual };
  return loaded;
});

/** The loaded libraries; the extractor's entry points await {@link loadLanguage} first. */
export function language(): Language {
  if (!loaded) throw new Error('The offline extractor used its language libraries before loading them');
  return loaded;
}

export interface VerbForms {
  readonly infinitive: string;
  readonly past: string | undefined;
  readonly participle: string | undefined;
  /** Third person singular present: "studies", "goes", "has". */
  readonly present: string;
}

const formsCache = new Map<string, VerbForms | null>();

/**
 * The forms of the verb `word` as compromise conjugates it after "I" (so "read" or "left" are read as
 * verbs, not as an adjective or a noun); undefined when compromise does not take it for a verb.
 */
export function verbForms(word: string): VerbForms | undefined {
  const lower = word.toLowerCase();
  const cached = formsCache.get(lower);
  if (cached !== undefined) return cached ?? undefined;
  // A trailing object keeps phrasal readings ("go it") out: conjugate the verb alone.
  const verbs = language().nlp(`I ${lower}`).verbs();
  const forms = (verbs.found ? verbs.conjugate()[0] : undefined) as
    | Partial<Record<string, string>>
    | undefined;
  const result: VerbForms | null =
    forms?.Infinitive && forms.PresentTense
      ? {
          infinitive: forms.Infinitive,
          past: forms.PastTense,
          participle: forms.Participle ?? forms.PastTense,
          present: forms.PresentTense,
        }
      : null;
  formsCache.set(lower, result);
  return result ?? undefined;
}

/** The text of a named group (`[<name>…]`) of a compromise match; "" when the group is empty. */
export function groupText(match: { groups(name: string): unknown }, name: string, format?: 'normal'): string {
  const group = match.groups(name) as { found?: boolean; text(format?: string): string };
  return group.found ? group.text(format).trim() : '';
}
