import { describe, expect, it } from 'vitest';
import { MAX_TERM_LENGTH, STOP_WORDS, stem, tokenize } from '../../lib/domain/text/tokenizer.js';

describe('tokenize', () => {
  it('lower-cases, splits on punctuation and drops stop words', () => {
    expect(tokenize('Hello, WORLD! Hello-again...')).toEqual(['hello', 'world', 'hello', 'again']);
    expect(tokenize('The user lives in Kyoto; the office is in Osaka.')).toEqual([
      'user',
      'live',
      'kyoto',
      'offic',
      'osaka',
    ]);
    expect(tokenize('e-mail: jane.doe@example.com / +1 (555) 010-9999')).toEqual([
      'e',
      'mail',
      'jane',
      'doe',
      'exampl',
      'com',
      '1',
      '555',
      '010',
      '9999',
    ]);
  });

  it('strips possessives and joins other apostrophes', () => {
    expect(tokenize("The user's dog")).toEqual(['user', 'dog']);
    expect(tokenize("users' dogs")).toEqual(['user', 'dog']);
    expect(tokenize('Jane’s car')).toEqual(['jane', 'car']);
    expect(tokenize("don't stop")).toEqual(['dont', 'stop']);
    expect(tokenize("O'Brien")).toEqual(tokenize('OBrien'));
  });

  it('stems documents and queries the same way', () => {
    const pairs: Array<[string, string]> = [
      ['restaurants', 'restaurant'],
      ['running', 'runs'],
      ['ponies', 'pony'],
      ['connected', 'connection'],
      ['quickly', 'quick'],
      ['preferences', 'preference'],
      ['studies', 'study'],
      ['hopping', 'hop'],
      ['generalizations', 'generalization'],
    ];
    for (const [a, b] of pairs) expect(tokenize(a), `${a} ~ ${b}`).toEqual(tokenize(b));
    expect(tokenize('restaurants')).toEqual(['restaur']);
  });

  it('folds accents, compatibility forms and special letters', () => {
    expect(tokenize('Café Crème brûlée')).toEqual(tokenize('cafe creme brulee'));
    expect(tokenize('Straße Ørsted Æsir')).toEqual(['strass', 'orst', 'aesir']);
    expect(tokenize('ＡＢＣ１２３ ﬁnance')).toEqual(['abc123', 'financ']);
    expect(tokenize('Ἀθῆναι')).toEqual(['αθηναι']);
    // Marks of other scripts are part of the letters and stay.
    expect(tokenize('Йод и ёж')).toEqual(['йод', 'и', 'ёж']);
    expect(tokenize('नमस्ते दुनिया')).toEqual(['नमस्ते', 'दुनिया']);
  });

  it('splits CJK text into characters and bigrams, and segments Thai', () => {
    expect(tokenize('東京都')).toEqual(['東', '東京', '京', '京都', '都']);
    expect(tokenize('猫')).toEqual(['猫']);
    expect(tokenize('iPhone手机')).toEqual(['iphon', '手', '手机', '机']);
    expect(tokenize('서울 gangnam')).toEqual(['서', '서울', '울', 'gangnam']);
    expect(tokenize('カタカナー')).toContain('ナー');
    expect(tokenize('สวัสดีครับ')).toEqual(['สวัสดี', 'ครับ']);
  });

  it('drops emoji and symbols, keeps the words around them', () => {
    expect(tokenize('🍕 pizza 🍕🎉 night ❤️ 👩‍👩‍👧')).toEqual(['pizza', 'night']);
    expect(tokenize('🍕🎉')).toEqual([]);
    expect(tokenize('1️⃣ ©️ ™')).toEqual(['1', 'tm']);
  });

  it('returns nothing for empty or blank input', () => {
    expect(tokenize('')).toEqual([]);
    expect(tokenize('   \n\t ')).toEqual([]);
    expect(tokenize('... !!! ??? --- ***')).toEqual([]);
  });

  it('keeps stop words when the text has nothing else', () => {
    expect(tokenize('The Who')).toEqual(['the', 'who']);
    expect(tokenize('to be or not to be')).toEqual(['to', 'be', 'or', 'not', 'to', 'be']);
    expect(tokenize('it was')).toEqual(['it', 'wa']);
    expect(tokenize('the who 🎸')).toEqual(['the', 'who']);
    // One content word is enough to drop them.
    expect(tokenize('The Who concert')).toEqual(['concert']);
    expect(tokenize('the 東京')).toEqual(['東', '東京', '京']);
    expect(STOP_WORDS.has('the')).toBe(true);
  });

  it('makes terms fit for key parts: letters, digits and marks, bounded length', () => {
    const samples = [
      'a{b}c:d*e?f[g] \\ h\u0000i\r\nj%k"l\'m',
      'x'.repeat(500),
      '😀'.repeat(50),
      '𠀋𠀋𠀋 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
      'ab\u0301\u0302c',
    ];
    for (const text of samples) {
      for (const term of tokenize(text)) {
        expect(term).toMatch(/^[\p{L}\p{N}\p{M}]+$/u);
        expect(Array.from(term).length).toBeLessThanOrEqual(MAX_TERM_LENGTH);
      }
    }
    expect(tokenize('x'.repeat(500))).toEqual(['x'.repeat(MAX_TERM_LENGTH)]);
    expect(tokenize('𠀋𠀋')).toEqual(['𠀋', '𠀋𠀋', '𠀋']);
  });
});

describe('stem (Porter)', () => {
  it('matches the reference algorithm on classic examples', () => {
    const examples: Record<string, string> = {
      caresses: 'caress',
      ponies: 'poni',
      ties: 'ti',
      cats: 'cat',
      feed: 'feed',
      agreed: 'agre',
      plastered: 'plaster',
      motoring: 'motor',
      sing: 'sing',
      conflated: 'conflat',
      troubled: 'troubl',
      sized: 'size',
      hopping: 'hop',
      falling: 'fall',
      hissing: 'hiss',
      filing: 'file',
      happy: 'happi',
      sky: 'sky',
      relational: 'relat',
      conditional: 'condit',
      digitizer: 'digit',
      vietnamization: 'vietnam',
      operator: 'oper',
      hopefulness: 'hope',
      sensitiviti: 'sensit',
      electrical: 'electr',
      adjustment: 'adjust',
      adoption: 'adopt',
      controll: 'control',
      generalizations: 'gener',
      oscillators: 'oscil',
      restaurants: 'restaur',
      quickly: 'quick',
      weekly: 'week',
      only: 'onli',
      readonly: 'readonli',
      constructor: 'constructor',
      yelling: 'yell',
      syllogism: 'syllog',
      is: 'is',
    };
    for (const [word, expected] of Object.entries(examples)) expect(stem(word), word).toBe(expected);
  });
});
