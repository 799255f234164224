import type { Tense } from './dates.js';
import type { StatementFamily } from './statements.js';
import { COGNITIVE, isParticiple } from './verbs.js';

export type Subject = 'I' | 'we' | 'my';

export interface Match {
  readonly family: StatementFamily;
  /** Third-person subject and verb phrase, e.g. "is planning", "loves", "has". */
  readonly head: string;
  /** What follows the head, still in the speaker's words. */
  readonly rest: string;
  readonly tense: Tense | undefined;
  /** The clause is worth keeping only with a date in it. */
  readonly needsDate?: boolean;
  /** The head says it all ("I am married"): no words need follow. */
  readonly complete?: boolean;
  readonly polarity?: 'like' | 'dislike';
}

export interface Rule {
  /** Anchored at the start of the words after the auxiliary and its adverbs. */
  readonly pattern: RegExp;
  readonly family: StatementFamily;
  /** Leave the matched words at the start of the rest instead of the head ("is" + "a nurse"). */
  readonly keep?: boolean;
  /** Put these words in the head instead of the matched ones ("have got to" -> "has to"). */
  readonly headAs?: string;
  readonly tense?: Tense;
  readonly complete?: boolean;
  readonly needsDate?: boolean;
  /** `negatable`: a like, or a dislike after "not". */
  readonly polarity?: 'like' | 'dislike' | 'negatable';
  /** Only when the matched word passes this check (else the next row is tried). */
  readonly when?: (matched: string) => boolean;
  /** Words after the match that make the clause chat, not a statement: nothing is extracted. */
  readonly notBefore?: RegExp;
  /** A row that only rejects: the clause produces nothing. */
  readonly reject?: true;
}

export function applyRules(rules: readonly Rule[], head: string, text: string): Match | undefined {
  for (const rule of rules) {
    const m = rule.pattern.exec(text);
    if (!m || (rule.when && !rule.when(m[0].trim().toLowerCase()))) continue;
    if (rule.reject) return undefined;
    const rest = (rule.keep ? text : text.slice(m[0].length)).trimStart();
    if (rule.notBefore?.test(rest)) return undefined;
    const words = rule.headAs ?? (rule.keep ? '' : m[0]);
    const negated = /\bnot\b/.test(head);
    return {
      family: rule.family,
      head: `${head} ${words}`.replace(/\s+/g, ' ').trim(),
      rest,
      tense: rule.tense,
      complete: rule.complete,
      needsDate: rule.needsDate,
      polarity: rule.polarity === 'negatable' ? (negated ? 'dislike' : 'like') : rule.polarity,
    };
  }
  return undefined;
}

export const DIET_WORDS =
  'vegetarian|vegan|pescatarian|pescetarian|flexitarian|gluten[- ]free|dairy[- ]free|lactose[- ]intolerant|gluten[- ]intolerant|celiac|coeliac|halal|kosher|keto|paleo|teetotal|teetotaler|nut[- ]free';

export const NOT_QUANTITY = String.raw`(?!(?:bit|little|lot|tad|mess|wreck|mix|big fan|huge fan|fan|same|first|one|only|best|worst)\b)`;

/** After "I am" / "we are". */
export const BE_RULES: readonly Rule[] = [
  {
    pattern:
      /^(?:(?:a|an)\s+)?(?:(?:big|huge|massive|great|real|die-hard|lifelong|total)\s+)?(?:fan|believer)\s+(?:of|in)\b/i,
    family: 'preference',
    polarity: 'negatable',
  },
  // Allergies and diets are facts about food, not tastes: no like or dislike.
  {
    pattern: /^(?:(?:severely|very|mildly)\s+)?(?:allergic|intolerant|sensitive) to\b/i,
    family: 'preference',
  },
  {
    pattern: new RegExp(
      `^(?:(?:a|an)\\s+)?(?:(?:strict|committed|lifelong|full-time|mostly|practicing)\\s+)?(?:${DIET_WORDS})\\b`,
      'i',
    ),
    family: 'preference',
    complete: true,
  },
  {
    pattern:
      /^(?:(?:really|very|so|super|quite|pretty|totally|absolutely|deeply)\s+)?(?:into|keen on|passionate about|obsessed with|interested in|fond of|crazy about|addicted to|big on|in love with|hooked on|mad about|nuts about)\b/i,
    family: 'preference',
    polarity: 'negatable',
  },
  {
    pattern:
      /^(?:married|single|divorced|engaged|widowed|retired|pregnant|unemployed|self-employed|left-handed|right-handed|colou?rblind|deaf|blind|diabetic|asthmatic|bilingual|trilingual|an only child|an introvert|an extrovert|introverted|extroverted|transgender|gay|lesbian|bisexual|non-binary|autistic|dyslexic)\b/i,
    family: 'identity',
    complete: true,
  },
  { pattern: /^(?:\d{1,3}|[a-z]+(?:-[a-z]+)?) years? old\b/i, family: 'identity', complete: true },
  { pattern: new RegExp(`^(?:a|an|the)\\s+${NOT_QUANTITY}`, 'i'), family: 'identity', keep: true },
  { pattern: /^(?:originally\s+)?from\b/i, family: 'identity' },
  { pattern: /^(?:based|living|located|settled) in\b/i, family: 'identity' },
  {
    pattern:
      /^(?:planning|going|travell?ing|flying|heading|moving|visiting|leaving|relocating|starting|attending|hosting|joining|getting|taking|hoping|aiming|preparing|considering|thinking (?:of|about)|looking forward to|about to|due to|scheduled to|set to|signing up|applying|saving (?:up|for)|booking|buying|launching|opening|running|training for|competing|graduating|retiring|returning|coming back|driving|camping|celebrating|throwing|having|expecting|adopting|organi[sz]ing)\b/i,
    family: 'plan',
    tense: 'future',
  },
  {
    pattern:
      /^(?:working|studying|learning|reading|writing|training|volunteering|teaching|building|practi[cs]ing|playing|renovating|growing|raising|dating|painting|making|creating|developing|designing|researching|pursuing|coaching|mentoring|managing|leading|recording|composing|knitting|baking|cooking|taking care of|caring for|looking after|living)\b(?!\s+(?:on it|hard|well|out)\b)/i,
    family: 'identity',
    tense: 'future',
  },
  // Any other "I am X-ing" is worth keeping only with a date: "I'm celebrating my birthday tomorrow".
  {
    pattern: /^(?!(?:feeling|thinking|doing|going|trying|hoping|wondering|being)\b)[a-z]+ing\b/i,
    family: 'plan',
    tense: 'future',
    needsDate: true,
  },
];

/** After "I was" / "we were". */
export const WAS_RULES: readonly Rule[] = [
  {
    pattern: /^(?:born|raised|brought up)(?: and raised)?\s+(?:in|on)\b/i,
    family: 'identity',
    tense: 'past',
  },
  { pattern: new RegExp(`^(?:a|an)\\s+${NOT_QUANTITY}`, 'i'), family: 'identity', keep: true, tense: 'past' },
  {
    pattern:
      /^(?:promoted|hired|fired|laid off|diagnosed|accepted|admitted|invited|married|engaged|awarded|offered|selected|elected|nominated|injured|hurt|hospitali[sz]ed|adopted|transferred|discharged|released|bapti[sz]ed|robbed|chosen|picked|featured|published|interviewed|recruited|signed|drafted|named|given|told|asked to|able to)\b/i,
    family: 'event',
    tense: 'past',
    complete: true,
  },
  {
    pattern: /^(?:in|at|on (?:vacation|holiday)|away|sick|ill)\b/i,
    family: 'event',
    keep: true,
    tense: 'past',
    needsDate: true,
  },
];

/** After "I have" / "we have": possessions, experiences, obligations, the present perfect. */
export const HAVE_RULES: readonly Rule[] = [
  { pattern: /^been\s+(?:to|in)\b/i, family: 'event', tense: 'past' },
  { pattern: /^been(?=\s+(?:a|an)\s)/i, family: 'identity', tense: 'past' },
  {
    pattern:
      /^been\s+(?:(?:so|really|very|pretty|super|quite|a bit|kind of)\s+)?(?:thinking|wondering|feeling|meaning|dying|going|doing|trying|looking forward|hoping|waiting|busy|good|great|well|okay|ok|fine|better|hectic|crazy|tough|hard|swamped|stressed|tired|amazing|awesome)\b/i,
    family: 'identity',
    reject: true,
  },
  { pattern: /^been\s+[a-z]+ing\b/i, family: 'identity', tense: 'past' },
  {
    pattern: /^(?:always\s+)?(?:wanted|dreamed|dreamt|hoped|longed)\s+(?:to|of)\b/i,
    family: 'preference',
    polarity: 'like',
  },
  { pattern: /^(?:always\s+)?(?:loved|liked|enjoyed|adored)\b/i, family: 'preference', polarity: 'like' },
  { pattern: /^(?:always\s+)?(?:hated|disliked)\b/i, family: 'preference', polarity: 'dislike' },
  { pattern: /^(?:got\s+)?to\b/i, family: 'plan', headAs: 'to', tense: 'future' },
  {
    pattern:
      /^(?:got\s+)?(?=(?:a|an|two|three|four|five|six|one|some|no|many|several|lots of|a lot of|\d+)\s+)/i,
    family: 'identity',
    headAs: '',
    notBefore:
      /^(?:a |an |a lot of |lots of |some )?(?:(?:quick|great|good|nice|fun|lovely|blast|busy|hard|tough)\s+)?(?:question|idea|feeling|problem|request|suggestion|favou?r|look|chance|time|day|blast|lot on|clue|doubt|point|way)\b/i,
  },
  {
    pattern: /^[a-z]+\b/i,
    family: 'event',
    tense: 'past',
    when: (word) => isParticiple(word) && !COGNITIVE.has(word),
  },
];

/** After "I had": past events and the past perfect. */
export const HAD_RULES: readonly Rule[] = [
  { pattern: /^to\b/i, family: 'event', tense: 'past' },
  // "I'd never felt so …": a feeling, not an event (as after "have").
  {
    pattern: /^[a-z]+\b/i,
    family: 'event',
    tense: 'past',
    when: (word) => isParticiple(word) && !COGNITIVE.has(word),
  },
  {
    pattern: /^(?=(?:a|an|my|the|some|\d+|two|three|lunch|dinner|breakfast|coffee|drinks|surgery|twins)\b)/i,
    family: 'event',
    keep: true,
    tense: 'past',
  },
];

/** After "I will": plans, but not conversational promises. */
export const WILL_RULES: readonly Rule[] = [
  {
    pattern:
      /^(?:see|let|keep|talk|get back|think|check|update|tell|send|message|text|call|try|do (?:that|it|so|my best)|be (?:there|back|fine|okay|ok|right))\b/i,
    family: 'plan',
    reject: true,
  },
  { pattern: /^(?=[a-z]+\b)/i, family: 'plan', keep: true, tense: 'future' },
];

/** After "I would": wishes and preferences. */
export const WOULD_RULES: readonly Rule[] = [
  {
    pattern: /^(?:love|like|enjoy) to\b/i,
    family: 'plan',
    tense: 'future',
    notBefore: /^(?:know|ask|hear|see|thank|share|say|chat|talk|help|learn more)\b/i,
  },
  { pattern: /^(?:rather|prefer)\b/i, family: 'preference', polarity: 'like' },
];

/** After "I cannot". */
export const CANNOT_RULES: readonly Rule[] = [
  { pattern: /^(?:stand|bear|tolerate|handle)\b/i, family: 'preference', polarity: 'dislike' },
  { pattern: /^(?:eat|drink|have|digest)\b/i, family: 'preference' },
];

/** Other modals, right after the subject's adverbs. */
export const MODAL_RULES: readonly Rule[] = [
  {
    pattern:
      /^can\s+(?:speak|play|cook|swim|drive|dance|sing|paint|draw|code|program|ski|surf|ride|knit|sew|read|write|fly)\b/i,
    family: 'identity',
  },
  {
    pattern:
      /^(?:might|may)\s+(?:go|visit|move|travel|start|take|try|get|buy|join|be going|adopt|switch|quit|apply|study|fly)\b/i,
    family: 'plan',
    tense: 'future',
  },
  { pattern: /^used to\b/i, family: 'identity', tense: 'past' },
];

export const AUXILIARY = /^(am|are|was|were|have|has|had|will|shall|would|cannot)\b\s*(not\b\s*)?/i;
