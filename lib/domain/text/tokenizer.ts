/**
 * Text -> index terms, the same for documents and queries (the keyword index depends on both sides
 * agreeing exactly). Pure and synchronous.
 *
 * Pipeline:
 * 1. NFKC normalization (full-width letters and digits, ligatures, compatibility forms), lower case.
 * 2. Accent folding for Latin and Greek: combining marks after a Latin or Greek letter are dropped
 *    (`café` -> `cafe`, `ά` -> `α`), plus letters that do not decompose (`ß` -> `ss`, `ø` -> `o`, ...).
 *    Marks of other scripts stay: they are part of the letter (Devanagari vowel signs, Cyrillic `й`).
 * 3. Words are runs of letters, digits and the non-enclosing combining marks that follow them
 *    (`\p{L}\p{N}\p{Mn}\p{Mc}`); everything else (punctuation, symbols, emoji and their variation
 *    selectors, white space) separates words. An apostrophe between letters keeps
 *    the word together: a trailing possessive `'s` is dropped (`user's` -> `user`), other apostrophes
 *    are removed (`don't` -> `dont`). A word is cut to {@link MAX_TERM_LENGTH} code points.
 * 4. Han, Hiragana, Katakana and Hangul runs become one term per character plus one per pair of
 *    adjacent characters (`東京都` -> `東`, `東京`, `京`, `京都`, `都`): unigrams let a one-character
 *    word match inside unsegmented text, bigrams rank the right compounds first. Thai, Lao, Khmer and
 *    Myanmar runs, which are written without spaces, go through ICU's dictionary word segmenter.
 * 5. English stop words ({@link STOP_WORDS}) are dropped — unless every word of the text is one, in
 *    which case they are all kept, so a query like "the who" still searches for something (the same
 *    rule applies to documents, so a document that is only "The Who" is indexed under those words).
 * 6. Words of ASCII letters go through the Porter stemmer ({@link stem}), so `restaurants` and
 *    `restaurant` both become `restaur`, `running` and `runs` become `run`.
 *
 * Every term is made of letters, digits and marks only, so terms can be used as parts of Redis keys.
 */

/** Longest term, in code points; longer words are cut (both at indexing and at query time). */
export const MAX_TERM_LENGTH = 64;

/** A small English stop-word list (Lucene's English set plus common pronouns and auxiliaries). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be been but by for from had has have if in into is it its no not of on or ' +
    'so such than that the their them then there these they this those to was were will with ' +
    'i me my we our us you your he him his she her do does did am what which who whom'
  ).split(' '),
);

const NON_ASCII = /[^\p{ASCII}]/u;
const ASCII_WORD = /[a-z0-9]+(?:'[a-z0-9]+)*/g;
const UNICODE_WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{Mn}\p{Mc}]*(?:'[\p{L}\p{N}][\p{L}\p{N}\p{Mn}\p{Mc}]*)*/gu;
/** Variation selectors (emoji presentation) are marks that belong to no word. */
const VARIATION_SELECTORS = /[\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/gu;
const APOSTROPHES = /[\u2018\u2019\u02bc\u02bb\uff07`´]/g;
const LATIN_GREEK_MARKS = /([\p{Script=Latin}\p{Script=Greek}])\p{M}+/gu;
const SPECIAL_LETTERS = /[ßæœøłđðþıŧħĸŀ]/g;
const SPECIAL_FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ŧ: 't',
  ħ: 'h',
  ĸ: 'k',
  ŀ: 'l',
};
/** Scripts written without spaces that we split into characters and bigrams. */
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3005\u30fc\uff70]/u;
/** Scripts written without spaces that ICU segments with a dictionary. */
const DICTIONARY_SCRIPT = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const ASCII_LETTERS = /^[a-z]+$/;

let segmenter: Intl.Segmenter | undefined;

/** The index terms of a text, in order, repeats included (a term's count is its frequency). */
export function tokenize(text: string): string[] {
  // Words in order; `final` marks CJK terms, which are neither stop words nor stemmed.
  const words: string[] = [];
  const final: boolean[] = [];
  let content = 0;
  const push = (word: string, isFinal = false) => {
    const trimmed = isFinal ? word : trimWord(word);
    if (trimmed === '') return;
    words.push(trimmed);
    final.push(isFinal);
    if (isFinal || !STOP_WORDS.has(trimmed)) content++;
  };

  if (!NON_ASCII.test(text)) {
    for (const match of text.toLowerCase().matchAll(ASCII_WORD)) push(match[0]);
  } else {
    for (const match of fold(text).matchAll(UNICODE_WORD)) {
      const word = match[0];
      if (CJK_CHAR.test(word)) splitCjk(word, push);
      else if (DICTIONARY_SCRIPT.test(word)) segment(word, push);
      else push(word);
    }
  }

  const keepStopWords = content === 0;
  const terms: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (final[i]) terms.push(word);
    else if (keepStopWords || !STOP_WORDS.has(word)) terms.push(ASCII_LETTERS.test(word) ? stem(word) : word);
  }
  return terms;
}

/** NFKC, lower case, apostrophes unified, Latin and Greek accents folded. */
function fold(text: string): string {
  let out = text.normalize('NFKC').toLowerCase().replace(APOSTROPHES, "'").replace(VARIATION_SELECTORS, '');
  const decomposed = out.normalize('NFD');
  if (decomposed.length !== out.length) out = decomposed.replace(LATIN_GREEK_MARKS, '$1').normalize('NFC');
  return out.replace(SPECIAL_LETTERS, (c) => SPECIAL_FOLDS[c] ?? c);
}

/** Drops a possessive `'s`, removes other apostrophes, and caps the length. */
function trimWord(word: string): string {
  let out = word;
  if (out.includes("'")) {
    if (out.endsWith("'s")) out = out.slice(0, -2);
    out = out.replaceAll("'", '');
  }
  if (out.length > MAX_TERM_LENGTH) out = Array.from(out).slice(0, MAX_TERM_LENGTH).join('');
  return out;
}

/**
 * Splits a word that contains CJK characters: CJK runs become unigrams and bigrams (final terms:
 * never stop words, never stemmed), the parts in between are words of their own.
 */
function splitCjk(word: string, push: (word: string, isFinal?: boolean) => void): void {
  let other = '';
  let previous = '';
  for (const char of word) {
    if (CJK_CHAR.test(char)) {
      if (other) push(other);
      other = '';
      if (previous) push(previous + char, true);
      push(char, true);
      previous = char;
    } else {
      other += char;
      previous = '';
    }
  }
  if (other) push(other);
}

function segment(word: string, push: (word: string) => void): void {
  segmenter ??= new Intl.Segmenter('th', { granularity: 'word' });
  for (const piece of segmenter.segment(word)) if (piece.isWordLike) push(piece.segment);
}

// ---------------------------------------------------------------------------------------------
// Porter stemmer (M. F. Porter, "An algorithm for suffix stripping", 1980), in the form of the
// reference implementations on tartarus.org (including the `bli` -> `ble` and `logi` -> `log`
// departures of Porter's own C and JavaScript versions), plus one rule borrowed from Porter2
// (Snowball English): adverbs in -ly after c d e g h k m n r t lose it (`quickly` -> `quick`,
// `weekly` -> `week`), with Porter2's exceptions.

const C = '[^aeiou][^aeiouy]*';
const V = '[aeiouy][aeiou]*';
const M_GT_0 = new RegExp(`^(${C})?${V}${C}`);
const M_EQ_1 = new RegExp(`^(${C})?${V}${C}(${V})?$`);
const M_GT_1 = new RegExp(`^(${C})?${V}${C}${V}${C}`);
const HAS_VOWEL = new RegExp(`^(${C})?[aeiouy]`);
const CVC = new RegExp(`^${C}[aeiouy][^aeiouwxy]$`);

const STEP1A_SSES_IES = /^(.+?)(ss|i)es$/;
const STEP1A_S = /^(.+?)([^s])s$/;
const STEP1B_EED = /^(.+?)eed$/;
const STEP1B_ED_ING = /^(.+?)(ed|ing)$/;
const STEP1B_AT_BL_IZ = /(at|bl|iz)$/;
const STEP1B_DOUBLE = /([^aeiouylsz])\1$/;
const STEP1C = /^(.+?)y$/;
const STEP2 =
  /^(.+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism|iveness|fulness|ousness|aliti|iviti|biliti|logi)$/;
const STEP2_MAP: Record<string, string> = {
  ational: 'ate',
  tional: 'tion',
  enci: 'ence',
  anci: 'ance',
  izer: 'ize',
  bli: 'ble',
  alli: 'al',
  entli: 'ent',
  eli: 'e',
  ousli: 'ous',
  ization: 'ize',
  ation: 'ate',
  ator: 'ate',
  alism: 'al',
  iveness: 'ive',
  fulness: 'ful',
  ousness: 'ous',
  aliti: 'al',
  iviti: 'ive',
  biliti: 'ble',
  logi: 'log',
};
const STEP3 = /^(.+?)(icate|ative|alize|iciti|ical|ful|ness)$/;
const STEP3_MAP: Record<string, string> = {
  icate: 'ic',
  ative: '',
  alize: 'al',
  iciti: 'ic',
  ical: 'ic',
  ful: '',
  ness: '',
};
const STEP4 = /^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$/;
const STEP4_ION = /^(.+?)(s|t)(ion)$/;
const STEP5_E = /^(.+?)e$/;

/** -ly after a valid ending, not in a compound of "only" (`readonly`). */
const LY = /^(.+[cdeghkmnrt])ly$/;
const LY_EXCEPTIONS = new Map([
  ['early', 'earli'],
  ['only', 'onli'],
  ['ugly', 'ugli'],
  ['idly', 'idl'],
  ['gently', 'gentl'],
  ['singly', 'singl'],
]);

const STEM_CACHE_SIZE = 20_000;
const stemCache = new Map<string, string>();

/**
 * Porter stem of a lower-case ASCII word (`restaurants` -> `restaur`, `ponies` -> `poni`,
 * `running` -> `run`, `quickly` -> `quick`). Words shorter than three letters are returned as they are.
 */
export function stem(word: string): string {
  if (word.length < 3) return word;
  const cached = stemCache.get(word);
  if (cached !== undefined) return cached;
  const result = porter(word);
  if (stemCache.size >= STEM_CACHE_SIZE) stemCache.clear();
  stemCache.set(word, result);
  return result;
}

function porter(input: string): string {
  const exception = LY_EXCEPTIONS.get(input);
  if (exception !== undefined) return exception;
  const ly = input.endsWith('only') ? null : LY.exec(input);
  const word = ly && M_GT_0.test(ly[1]!) ? ly[1]! : input;

  // A leading y is a consonant: upper-case it so that the vowel classes above skip it.
  const leadingY = word.startsWith('y');
  let w = leadingY ? `Y${word.slice(1)}` : word;

  // Step 1a: plurals.
  const plural = STEP1A_SSES_IES.exec(w) ?? STEP1A_S.exec(w);
  if (plural) w = plural[1]! + plural[2]!;

  // Step 1b: -eed, -ed, -ing.
  const eed = STEP1B_EED.exec(w);
  const edIng = eed ? null : STEP1B_ED_ING.exec(w);
  if (eed) {
    if (M_GT_0.test(eed[1]!)) w = w.slice(0, -1);
  } else if (edIng && HAS_VOWEL.test(edIng[1]!)) {
    w = edIng[1]!;
    if (STEP1B_AT_BL_IZ.test(w)) w += 'e';
    else if (STEP1B_DOUBLE.test(w)) w = w.slice(0, -1);
    else if (CVC.test(w)) w += 'e';
  }

  // Step 1c: y -> i after a vowel in the stem.
  const y = STEP1C.exec(w);
  if (y && HAS_VOWEL.test(y[1]!)) w = `${y[1]!}i`;

  // Steps 2 and 3: double and single suffixes, when the stem has m > 0.
  const step2 = STEP2.exec(w);
  if (step2 && M_GT_0.test(step2[1]!)) w = step2[1]! + STEP2_MAP[step2[2]!]!;
  const step3 = STEP3.exec(w);
  if (step3 && M_GT_0.test(step3[1]!)) w = step3[1]! + STEP3_MAP[step3[2]!]!;

  // Step 4: drop suffixes when m > 1 (-ion only after s or t).
  const step4 = STEP4.exec(w);
  const ion = step4 ? null : STEP4_ION.exec(w);
  if (step4) {
    if (M_GT_1.test(step4[1]!)) w = step4[1]!;
  } else if (ion && M_GT_1.test(ion[1]! + ion[2]!)) {
    w = ion[1]! + ion[2]!;
  }

  // Step 5: final -e, and -ll -> -l.
  const e = STEP5_E.exec(w);
  if (e && (M_GT_1.test(e[1]!) || (M_EQ_1.test(e[1]!) && !CVC.test(e[1]!)))) w = e[1]!;
  if (w.endsWith('ll') && M_GT_1.test(w)) w = w.slice(0, -1);

  return leadingY ? `y${w.slice(1)}` : w;
}
