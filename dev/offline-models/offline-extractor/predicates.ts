import { groupText, language } from './language.js';
import {
  AUXILIARY,
  applyRules,
  BE_RULES,
  CANNOT_RULES,
  HAD_RULES,
  HAVE_RULES,
  type Match,
  MODAL_RULES,
  type Rule,
  WAS_RULES,
  WILL_RULES,
  WOULD_RULES,
} from './rules.js';
import {
  COGNITIVE,
  DISLIKE_VERBS,
  FACT_VERBS,
  isAmbiguousPast,
  isPastTense,
  PAST_PREFERENCE,
  PLAN_VERBS,
  PLURAL,
  PREFERENCE_VERBS,
  SINGULAR,
  type SubjectForms,
  takeAdverbs,
} from './verbs.js';

/** The predicate after "I" or "we": auxiliaries through their tables, then modals, negations, main verbs. */
export function matchPredicate(predicate: string, subject: 'I' | 'we'): Match | undefined {
  const forms = subject === 'we' ? PLURAL : SINGULAR;
  const comparison = matchComparison(predicate, forms);
  if (comparison) return comparison;
  const { adverbs, rest: p } = takeAdverbs(predicate);
  const noLonger = matchNoLonger(p, adverbs, forms);
  if (noLonger) return noLonger;
  const aux = AUXILIARY.exec(p);
  if (aux) {
    let after = takeAdverbs(p.slice(aux[0].length));
    // "I am no longer a vegetarian": the opposite of "I am a vegetarian", worded so that
    // consolidation reads it as a negation (promote-session's NEGATION has "no longer").
    const stopped = /^no longer\s+/i.exec(after.rest);
    if (stopped) after = { adverbs: `no longer ${after.adverbs}`, rest: after.rest.slice(stopped[0].length) };
    const head = (verb: string) => `${verb} ${aux[2] ? 'not ' : ''}${adverbs}${after.adverbs}`;
    const tables: Record<string, [readonly Rule[], string]> = {
      am: [BE_RULES, forms.be],
      are: [BE_RULES, forms.be],
      was: [WAS_RULES, forms.bePast],
      were: [WAS_RULES, forms.bePast],
      have: [HAVE_RULES, forms.have],
      has: [HAVE_RULES, forms.have],
      had: [HAD_RULES, 'had'],
      will: [WILL_RULES, 'will'],
      shall: [WILL_RULES, 'will'],
      would: [WOULD_RULES, 'would'],
      cannot: [CANNOT_RULES, 'cannot'],
    };
    const [rules, verb] = tables[aux[1]!.toLowerCase()]!;
    return applyRules(rules, head(verb), after.rest);
  }
  const modal = applyRules(MODAL_RULES, adverbs, p);
  if (modal) return modal;
  const negation = /^(do not|did not|never)\s+/i.exec(p);
  if (negation) return matchNegated(negation[1]!.toLowerCase(), p.slice(negation[0].length), adverbs, forms);
  return matchMainVerb(p, adverbs, forms);
}

/** "I do not like …", "I never drink …", "I did not go … yesterday". */
function matchNegated(
  negation: string,
  text: string,
  adverbs: string,
  forms: SubjectForms,
): Match | undefined {
  const after = takeAdverbs(text);
  const verb = /^([a-z]+)\b\s*/i.exec(after.rest);
  if (!verb) return undefined;
  const word = verb[1]!;
  const base = word.toLowerCase();
  let rest = after.rest.slice(verb[0].length);
  if (negation === 'did not') {
    if (COGNITIVE.has(base)) return undefined;
    const head = `did not ${adverbs}${after.adverbs}${word}`;
    return { family: 'event', head, rest, tense: 'past', needsDate: true };
  }
  let head =
    negation === 'never'
      ? `never ${adverbs}${after.adverbs}${forms.present(word)}`
      : `${forms.doNot} ${adverbs}${after.adverbs}${word}`;
  if (/^(?:like|love|enjoy|eat|drink|mind|care|fancy)$/.test(base)) {
    if (base === 'care') {
      if (!/^for\s+/i.test(rest)) return undefined;
      head += ' for';
      rest = rest.replace(/^for\s+/i, '');
    }
    // "does not eat meat" is a diet, not a taste; "does not mind" is a like.
    const polarity = base === 'mind' ? 'like' : base === 'eat' || base === 'drink' ? undefined : 'dislike';
    return { family: 'preference', head, rest, tense: undefined, polarity };
  }
  if (/^(?:smoke|drive|watch|listen|play|have|own|speak|fly|cook|work|use)$/.test(base)) {
    return { family: 'identity', head, rest, tense: undefined };
  }
  return undefined;
}

/** "I love …", "I live …", "I want to …", "I went …". */
function matchMainVerb(p: string, adverbs: string, forms: SubjectForms): Match | undefined {
  const verb = /^([a-z]+)\b\s*/i.exec(p);
  if (!verb) return undefined;
  const word = verb[1]!;
  const lower = word.toLowerCase();
  const after = p.slice(verb[0].length);
  const present = `${adverbs}${forms.present(word)}`;
  if (PREFERENCE_VERBS.has(lower)) {
    const polarity = DISLIKE_VERBS.has(lower) ? 'dislike' : 'like';
    return { family: 'preference', head: present, rest: after, tense: undefined, polarity };
  }
  if (PLAN_VERBS.has(lower)) {
    const to = /^to\s+/i.exec(after);
    if (to) {
      const object = after.slice(to[0].length);
      if (
        /^(?:know|ask|say|thank|see|hear|check|make sure|let|tell|share|talk|chat|go now|leave now|sleep|rest)\b/i.test(
          object,
        )
      ) {
        return undefined;
      }
      return { family: 'plan', head: `${present} to`, rest: object, tense: 'future' };
    }
    if (lower === 'want' && /^(?:a|an|some|my|more)\b/i.test(after)) {
      return { family: 'plan', head: present, rest: after, tense: 'future' };
    }
    if (lower === 'plan' && /^on\s+/i.test(after)) {
      return { family: 'plan', head: `${present} on`, rest: after.replace(/^on\s+/i, ''), tense: 'future' };
    }
    return undefined;
  }
  if (isAmbiguousPast(lower) && /\b(?:just|recently|finally|already|once)\b/.test(adverbs)) {
    // "I recently read a book": past, whatever the spelling says.
    return { family: 'event', head: `${adverbs}${word}`, rest: after, tense: 'past' };
  }
  if (FACT_VERBS.has(lower)) {
    return { family: 'identity', head: present, rest: after, tense: 'future' };
  }
  if (isPastTense(lower)) {
    // "I loved the food": an opinion about an event, kept only when the event is dated.
    const needsDate = PAST_PREFERENCE.has(lower);
    return { family: 'event', head: `${adverbs}${word}`, rest: after, tense: 'past', needsDate };
  }
  return undefined;
}

/** Clause-initial "My …": only about the user's people, pets, name, tastes and life. */
export function matchPossessive(predicate: string): Match | undefined {
  const m = MY_NOUN.exec(predicate) ?? MY_OTHER_NOUN.exec(predicate);
  if (!m || MY_NOT_FACTS.test(m[0])) return undefined;
  const noun = m[0];
  const after = predicate.slice(noun.length);
  // A finite verb within the first few words, or it is not a statement ("My goodness").
  const verb =
    /^((?:[\w'-]+\s+){0,4}?)(is|are|was|were|has|have|had|\w+s|\w+ed|just \w+|loves|lives|works|got|went|took|made|passed|turned|will|can|does|did)\b/i.exec(
      after,
    );
  if (
    !verb ||
    /^(?:thinks|says|said|thought|believes|feels|felt|knows|knew|told|asked|guesses|wonders)$/i.test(verb[2]!)
  ) {
    return undefined;
  }
  const favourite = /^favou?rite\b/i.test(noun);
  const pastVerb = /^(?:was|were|had|got|went|took|made|passed|turned|\w+ed)$/i.test(verb[2]!);
  return {
    family: favourite ? 'preference' : 'identity',
    head: noun.trim(),
    rest: after.trim(),
    tense: pastVerb ? 'past' : 'future',
    polarity: favourite ? 'like' : undefined,
  };
}

const MY_NOUN =
  /^(?:(?:new|old|best|older|younger|little|big|eldest|oldest|youngest|late|two|three)\s+)*(?:name|favou?rite\s+[\w-]+(?:\s+(?!(?:is|are|was|were)\b)[\w-]+)?|wife|husband|partner|spouse|boyfriend|girlfriend|fianc[eé]e?|son|daughter|sons|daughters|kids?|children|child|baby|mom|mum|mother|dad|father|parents|brother|sister|brothers|sisters|siblings?|grandma|grandmother|grandpa|grandfather|grandparents|aunt|uncle|cousin|family|friend|friends|best friend|roommate|dog|cat|puppy|kitten|pets?|horse|bird|hamster|rabbit|bunny|job|work|boss|company|team|career|birthday|hometown|home|house|apartment|flat|car|hobby|hobbies|passion|goal|dream|degree|major|diet|doctor|therapist|favorite)\b\s*/i;

/** Any other "my <noun> is / has …" ("My art is about …"), but not chat ("My bad", "My day was …"). */
const MY_OTHER_NOUN = /^[a-z]+(?:\s+[a-z]+)?\s+(?=(?:is|are|was|were|has|have|had)\s)/i;
const MY_NOT_FACTS =
  /^(?:bad|pleasure|heart|thoughts?|goodness|gosh|god|apologies|condolences|dear|guess|point|bet|fault|hat|hands?|mind|head|eyes|gut|turn|treat|day|days|week|weekend|morning|night|life|schedule|time|mood|feelings?|weekend|advice|question|answer|phone|camera|screen|internet|wifi)\b/i;

/**
 * "I no longer eat meat" -> "The user no longer eats meat": it supersedes "The user eats meat" once
 * consolidated. compromise tags the word after "no longer", so only a verb is taken ("I no longer
 * need help" reads as a statement, "no longer a fan" goes through the auxiliary tables).
 */
function matchNoLonger(p: string, adverbs: string, forms: SubjectForms): Match | undefined {
  // Tagging costs ~1 ms a clause: only clauses that can match are tagged.
  if (!/^no longer\s/i.test(p)) return undefined;
  const doc = language().nlp(p);
  const found = doc.match('^no longer [<verb>#Verb] [<rest>.*]');
  if (!found.found) return undefined;
  const verb = groupText(found, 'verb', 'normal');
  if (!verb || !/^[a-z]+$/.test(verb) || /^(?:be|am|is|are|have|has|do|does)$/.test(verb)) return undefined;
  const rest = p.replace(/^no longer\s+\S+\s*/i, '');
  const head = `${adverbs}no longer ${forms.present(verb)}`;
  if (PREFERENCE_VERBS.has(verb))
    return { family: 'preference', head, rest, tense: undefined, polarity: 'dislike' };
  return { family: 'identity', head, rest, tense: undefined };
}

/**
 * A preference stated against something else: "I'd rather have tea than coffee", "I prefer tea to
 * coffee", "I like tea more than coffee" -> "The user prefers tea over coffee". Matched by compromise
 * over the tagged predicate, so the two sides are noun phrases or verb phrases, whatever the words.
 */
function matchComparison(predicate: string, forms: SubjectForms): Match | undefined {
  if (!/\b(?:rather|sooner|prefer|preferred|more than|better than)\b/i.test(predicate)) return undefined;
  const doc = language().nlp(predicate.replace(/^(?:'d|would)\s+/i, 'would '));
  const patterns = [
    '^would (rather|sooner) (have|eat|drink|take|get|do|go with|choose)? [<liked>.+] than (have|eat|drink|take|get|do)? [<other>.+]',
    '^(#Adverb)? (prefer|preferred) [<liked>.+] (to|over|rather than) [<other>.+]',
    '^(#Adverb)? (like|love|enjoy) [<liked>.+] (more|better) than [<other>.+]',
  ];
  for (const pattern of patterns) {
    const found = doc.match(pattern);
    if (!found.found) continue;
    const liked = groupText(found, 'liked').trim();
    const other = groupText(found, 'other')
      .replace(/[.!,;]+$/, '')
      .trim();
    if (!liked || !other) continue;
    return {
      family: 'preference',
      head: forms.present('prefer'),
      rest: `${liked} over ${other}`,
      tense: undefined,
      polarity: 'like',
    };
  }
  return undefined;
}
