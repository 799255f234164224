import type { ExtractionTurn } from '../../../lib/ports/memory-extractor.js';
import { LEADING_TIME, movedTime, normalize, REQUEST, splitClauses, stripLeadingFillers } from './clauses.js';
import { type Concept, factsOf } from './custom-types.js';
import { formatDay, MONTH_NAMES, resolveDates } from './dates.js';
import { matchPossessive, matchPredicate } from './predicates.js';
import type { Subject } from './rules.js';
import { entitiesOf, topicsOf } from './topics.js';
import { looksPast, thirdPersonVerb } from './verbs.js';

export type StatementFamily = 'identity' | 'preference' | 'plan' | 'event';

/** One first-person statement of a turn, rewritten. */
export interface Statement {
  readonly text: string;
  readonly family: StatementFamily;
  /** A date was resolved or named: the memory is episodic. */
  readonly dated: boolean;
  readonly topics: readonly string[];
  readonly entities: readonly string[];
  /** Values for custom-type fields, by concept. */
  readonly facts: Readonly<Partial<Record<Concept, readonly string[]>>>;
  readonly eventId: string;
}

/** Every first-person statement of one turn (no role or owner check: callers filter turns). */
export function extractStatements(turn: ExtractionTurn): Statement[] {
  const out: Statement[] = [];
  const seen = new Set<string>();
  for (const clause of splitClauses(normalize(turn.text))) {
    const statement = analyzeClause(clause, turn);
    if (!statement || seen.has(statement.text.toLowerCase())) continue;
    seen.add(statement.text.toLowerCase());
    out.push(statement);
  }
  return out;
}

function analyzeClause(rawClause: string, turn: ExtractionTurn): Statement | undefined {
  if (/\?\s*$/.test(rawClause)) return undefined;
  let clause = stripLeadingFillers(rawClause).replace(/[.!…,\s]+$/, '');
  const time = LEADING_TIME.exec(clause);
  if (time) clause = `${clause.slice(time[0].length)} ${movedTime(time[1]!)}`;
  if (!clause || REQUEST.test(clause) || /\b(?:can|could|would|will) you\b/i.test(clause)) return undefined;

  const subjectMatch = /^(I|we|my)\b\s*/i.exec(clause);
  if (!subjectMatch) return undefined;
  const subject = subjectMatch[1]!.toLowerCase() === 'i' ? 'I' : (subjectMatch[1]!.toLowerCase() as Subject);
  const predicate = clause.slice(subjectMatch[0].length);
  const match = subject === 'my' ? matchPossessive(predicate) : matchPredicate(predicate, subject);
  if (!match) return undefined;

  // The rest: cut trailing subordinate clauses and fillers, resolve dates, check it stands alone.
  // After "I am married" and the like, a new subject starts another thought ("… I am trying …").
  let rest = cutRest(match.complete ? match.rest.replace(/^(?:I|we|my)\b.*$/i, '') : match.rest);
  const justNow = match.family === 'event' && /\b(?:just|recently)\b/i.test(match.head);
  const resolved = resolveDates(rest, turn.createdAt, match.tense);
  // What is said besides the date: "I submitted a few more last week" says nothing.
  const undated = resolved.dates.reduceRight(
    (text, date) => text.slice(0, date.index) + text.slice(date.index + date.expression.length),
    rest,
  );
  rest = resolved.text;
  const namesDate =
    match.family === 'event' &&
    new RegExp(`\\b(?:(?:in|on|since) (?:\\d{4}|${MONTH_NAMES.join('|')}))\\b`).test(rest);
  const dated = resolved.dates.length > 0 || justNow || namesDate;
  if (match.needsDate && !dated) return undefined;
  if (!match.complete && !hasContent(undated)) return undefined;
  if (WEAK_REST.test(undated.trim())) return undefined;
  if (UNRESOLVED_REFERENCE.test(rest) || hasDeicticThat(rest)) return undefined;
  if (subject === 'my' && UNRESOLVED_REFERENCE.test(match.head)) return undefined;

  const subjectText =
    subject === 'we' ? 'The user and their companions' : subject === 'my' ? "The user's" : 'The user';
  let text = `${subjectText} ${match.head}${rest ? ` ${thirdPerson(rest, subject)}` : ''}`;
  if (justNow && resolved.dates.length === 0) text += ` (as of ${formatDay(turn.createdAt)})`;
  text = tidy(text);
  if (text.split(' ').length > MAX_WORDS) return undefined;

  const topics = topicsOf(text, match.family);
  return {
    text,
    family: match.family,
    dated,
    topics,
    entities: entitiesOf(text),
    facts: factsOf(text, match, resolved.dates[0]?.bare),
    eventId: turn.eventId,
  };
}

/** Longer clauses are rambles the rules do not parse reliably. */
const MAX_WORDS = 40;

// =============================================================================================
// The rest of a clause

/** Trailing parts that would make the memory lean on context or wander off. */
const SUBORDINATE =
  /\s*,\s*(?:which|who|because|but|though|although|since|as|so|and so|where|when|while|if|unless|even though|like|especially|plus|lol|haha|no matter)\b.*$|\s+(?:because|but|though|although|unless|even though|so that|which|if|as well as|as long as|as soon as|since I|when I|cause|no matter)\s.*$/i;
const TRAILING_FILLER =
  /(?:(?:^|,?\s+)(?:personally|too|as well|lol|haha+|though|tho|honestly|actually|really|right now|anyway|anyways|and stuff|and everything|or something|you know|at the moment|these days|nowadays|for sure|again|now|already|yet|lately))+\s*$/i;
const INNER_FILLER = /\b(?:actually|basically|honestly|literally|kind of|sort of|um+|uh+|you know,?)\s+/gi;

export function cutRest(rest: string): string {
  let out = rest.replace(SUBORDINATE, '');
  // A name addressed at the end ("…, Jon"), unless it follows another name ("Paris, France").
  out = out.replace(/([a-z0-9)]),\s+[A-Z][a-z]+[!.]*$/, '$1');
  out = out.replace(INNER_FILLER, '');
  for (let i = 0; i < 2; i++) out = out.replace(TRAILING_FILLER, '');
  return out.replace(/[\s,.!;:…]+$/, '').trim();
}

/** Words a reader of the memory alone could not resolve. */
const UNRESOLVED_REFERENCE =
  /\b(?:it|it's|its|itself|he|he's|him|his|himself|she|she's|her|hers|herself|they|they're|them|their|theirs|themselves|this|these|those|there|there's|here|you|your|yours|you're|you've|yourself|ya|u|one's|such|same|other one|another one|the one|stuff like that)\b/i;
/**
 * "that" pointing back ("I love that", "that app", "make that happen") rather than starting a relative
 * clause after a noun ("a dog that barks", "the movie that blew my mind"): a relative "that" follows a
 * noun introduced by a determiner a few words before, and not a verb or a preposition.
 */
function hasDeicticThat(rest: string): boolean {
  const words = rest.toLowerCase().split(/\s+/);
  return words.some((word, i) => {
    if (word.replace(/[^a-z']/g, '') !== 'that') return false;
    const before = words[i - 1] ?? '';
    if (!before || i === words.length - 1 || NOT_BEFORE_RELATIVE.test(before)) return true;
    return !words.slice(Math.max(0, i - 4), i - 1).some((w) => DETERMINERS.has(w));
  });
}
const DETERMINERS = new Set([
  'a',
  'an',
  'the',
  'some',
  'my',
  'our',
  'any',
  'every',
  'one',
  'another',
  'many',
  'few',
]);
const NOT_BEFORE_RELATIVE =
  /^(?:\w+ing|\w+ed|about|of|to|with|for|at|in|on|from|like|love|like|enjoy|hate|did|do|see|saw|try|want|need|is|was|all|make|made|than|get|got|had|have|know|said|say|think|take|took|use|and|or|but)$/;

/** "I had a great time", "we had a good laugh": true, but nothing to remember. */
const WEAK_REST =
  /^(?:a|an|some)\s+(?:(?:really|very|super|so|pretty)\s+)?(?:(?:great|good|nice|fun|amazing|wonderful|awesome|lovely|fantastic|bad|terrible|rough|hard|tough|crazy|busy|long|blast|cool)\s+)?(?:time|laugh|day|night|blast|chat|talk|weekend|week|experience|one|feeling)$/i;

const STOPWORDS = new Set(
  (
    'a an the and or but to of in on at for with from by as so it is be some any very really just also too ' +
    'more much many are was were has have had been do few lot lots bit couple thing things something stuff'
  ).split(' '),
);

function hasContent(rest: string): boolean {
  return rest.split(/\s+/).some((w) => w && !STOPWORDS.has(w.toLowerCase()));
}

/** The speaker's words about themselves, made about the user. */
export function thirdPerson(rest: string, subject: Subject): string {
  const plural = subject === 'we';
  return rest
    .replace(/\bI am\b/g, 'the user is')
    .replace(/\bI was\b/g, 'the user was')
    .replace(/\bI have\b/g, 'the user has')
    .replace(/\bI will\b/g, 'the user will')
    .replace(/\bI would\b/g, 'the user would')
    .replace(/\bI do not\b/g, 'the user does not')
    .replace(/\bI did not\b/g, 'the user did not')
    .replace(
      /\bI ((?:(?:really|also|just|still|always|usually|never|often|sometimes|truly|absolutely) )*)([a-z]+)\b/g,
      (_all, adverbs: string, verb: string) =>
        looksPast(verb.toLowerCase()) || /^(?:can|could|should|might|must|may|cannot|had|did)$/.test(verb)
          ? `the user ${adverbs}${verb}`
          : `the user ${adverbs}${thirdPersonVerb(verb)}`,
    )
    .replace(/\bI\b/g, 'the user')
    .replace(/\bmy\b/gi, "the user's")
    .replace(/\bmine\b/gi, "the user's")
    .replace(/\b(?:myself|ourselves)\b/gi, 'themselves')
    .replace(/(?<!-)\bme\b(?!-)/gi, 'the user')
    .replace(/\bours\b/gi, plural ? 'theirs' : "the user's")
    .replace(/\bour\b/gi, plural ? 'their' : "the user's")
    .replace(/\bus\b/g, plural ? 'themselves' : 'the user and their companions')
    .replace(/\bwe\b/gi, 'the user and their companions');
}

function tidy(text: string): string {
  const out = text
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/[\s,;:.!…-]+$/, '')
    .replace(/^"|"$/g, '')
    .trim();
  return out.charAt(0).toUpperCase() + out.slice(1);
}
