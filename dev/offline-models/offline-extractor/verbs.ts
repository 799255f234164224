import { language, verbForms } from './language.js';

/** The subject's verb forms: "The user is / has / does not", "The user and their companions are …". */
export interface SubjectForms {
  readonly be: string;
  readonly bePast: string;
  readonly have: string;
  readonly doNot: string;
  present(verb: string): string;
}

export const SINGULAR: SubjectForms = {
  be: 'is',
  bePast: 'was',
  have: 'has',
  doNot: 'does not',
  present: thirdPersonVerb,
};
export const PLURAL: SubjectForms = {
  be: 'are',
  bePast: 'were',
  have: 'have',
  doNot: 'do not',
  present: (v) => v,
};

/** "love" -> "loves", "watch" -> "watches", "study" -> "studies", "have" -> "has" (compromise's conjugation). */
export function thirdPersonVerb(verb: string): string {
  const lower = verb.toLowerCase();
  // compromise conjugates "have" and "be" as auxiliaries; their forms are fixed.
  const fixed: Record<string, string> = { have: 'has', be: 'is', am: 'is' };
  const present = fixed[lower] ?? verbForms(lower)?.present ?? lower;
  return verb.charAt(0) === verb.charAt(0).toUpperCase()
    ? present.charAt(0).toUpperCase() + present.slice(1)
    : present;
}

export const ADVERB =
  /^(?:really|truly|absolutely|totally|just|also|usually|always|often|sometimes|never|still|actually|recently|finally|definitely|mostly|even|only|already|generally|normally|rarely|seriously|currently|now|especially|particularly|pretty much|deeply|genuinely|honestly|literally|basically|occasionally|regularly|frequently|typically|originally|officially|eventually|once|first|proudly|happily|luckily|ever|too|both|all|kind of|sort of|mainly|personally|secretly|obviously|certainly|probably|hopefully|soon|officially)\b\s*/i;

/** Adverbs the statement keeps; the others are fillers. */
const KEPT_ADVERBS = new Set([
  'really',
  'also',
  'usually',
  'always',
  'often',
  'sometimes',
  'never',
  'still',
  'recently',
  'just',
  'finally',
  'mostly',
  'only',
  'already',
  'generally',
  'normally',
  'rarely',
  'currently',
  'occasionally',
  'regularly',
  'frequently',
  'typically',
  'originally',
  'officially',
  'eventually',
  'once',
  'first',
  'ever',
  'mainly',
  'secretly',
  'probably',
  'soon',
]);

export function takeAdverbs(text: string): { adverbs: string; rest: string } {
  const kept: string[] = [];
  let rest = text;
  for (let match = ADVERB.exec(rest); match; match = ADVERB.exec(rest)) {
    const word = match[0].trim().toLowerCase();
    if (KEPT_ADVERBS.has(word)) kept.push(word);
    rest = rest.slice(match[0].length);
  }
  return { adverbs: kept.length ? `${kept.join(' ')} ` : '', rest };
}

export const PREFERENCE_VERBS = new Set([
  'love',
  'like',
  'enjoy',
  'adore',
  'prefer',
  'hate',
  'dislike',
  'detest',
  'loathe',
  'despise',
]);
export const DISLIKE_VERBS = new Set(['hate', 'dislike', 'detest', 'loathe', 'despise']);
export const PAST_PREFERENCE = new Set(['loved', 'liked', 'enjoyed', 'hated', 'disliked', 'adored']);
export const PLAN_VERBS = new Set([
  'plan',
  'hope',
  'intend',
  'want',
  'aim',
  'expect',
  'need',
  'wish',
  'mean',
]);
export const FACT_VERBS = new Set(
  (
    'live work study teach own speak play practice practise volunteer drive cook bake paint draw write read ' +
    'collect belong go attend use wear eat drink run swim hike cycle bike surf ski dance sing knit garden ' +
    'train coach manage lead grow keep visit meditate exercise walk commute rent watch listen follow support ' +
    'identify celebrate pray care struggle suffer take run volunteer serve specialize specialise'
  ).split(' '),
);

/** Past verbs that report a thought, a feeling or speech rather than something that happened. */
export const COGNITIVE = new Set(
  (
    'realized realised noticed wondered figured guessed imagined supposed assumed believed considered ' +
    'expected hoped wished meant mentioned asked answered replied agreed wanted needed seemed appeared ' +
    'talked thanked smiled laughed cried missed worried forgot remembered understood felt thought knew said ' +
    'told heard think know feel mean guess wonder hope want need see say tell talk ask love like ' +
    'loved liked enjoyed hated'
  ).split(' '),
);

/** A past form ("went", "adopted", "set"): spelt as compromise's past tense of the verb. */
function pastOf(word: string): boolean {
  return verbForms(word)?.past === word;
}

/** "read", "put", "cut": the past is spelt like the present, so only an adverb tells them apart. */
export function isAmbiguousPast(word: string): boolean {
  const forms = verbForms(word);
  return forms !== undefined && forms.past === word && forms.infinitive === word;
}

/** A past tense that reports an event, not a thought, a feeling or speech. */
export function isPastTense(word: string): boolean {
  if (word.length < 3 || !pastOf(word)) return false;
  return !COGNITIVE.has(word) || PAST_PREFERENCE.has(word);
}

/** Any past form, events or not ("wanted", "said"): left as it is in the third person. */
export function looksPast(word: string): boolean {
  return (pastOf(word) && verbForms(word)?.infinitive !== word) || isParticiple(word);
}

/**
 * Participles compromise does not tag as such after "have": those spelt like the infinitive (a
 * closed class of English verbs), and "done", which it reads as an adjective ("I'm done").
 */
const UNTAGGED_PARTICIPLES = new Set(
  'done come become overcome run set quit hit cut put let shut spread hurt cost split'.split(' '),
);
const participles = new Map<string, boolean>();

/** A past participle ("been", "done", "come", "adopted"), as compromise tags it after "I have". */
export function isParticiple(word: string): boolean {
  const lower = word.toLowerCase();
  let known = participles.get(lower);
  if (known === undefined) {
    known =
      UNTAGGED_PARTICIPLES.has(lower) ||
      language().nlp(`I have ${lower}`).has('^i have (#Participle|#PastTense)$');
    participles.set(lower, known);
  }
  return known;
}
