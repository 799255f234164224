import type { CustomMemoryType } from '../../../lib/contracts/store-config.js';
import type { ExtractedMemory } from '../../../lib/ports/memory-extractor.js';
import { MONTH_NAMES, WEEKDAY_NAMES } from './dates.js';
import { groupText, language } from './language.js';
import { DIET_WORDS, type Match } from './rules.js';
import { cutRest, type Statement, thirdPerson } from './statements.js';

// =============================================================================================
// Facts for custom memory types

export type Concept =
  | 'destinations'
  | 'dates'
  | 'diet'
  | 'allergies'
  | 'name'
  | 'pets'
  | 'home'
  | 'occupation'
  | 'employer'
  | 'workLocation'
  | 'likes'
  | 'dislikes'
  | 'age';

/** Field name and description keywords -> the concept that fills the field (first match wins). */
export const FIELD_CONCEPTS: ReadonlyArray<readonly [Concept, RegExp]> = [
  ['allergies', /\ballerg/],
  [
    'diet',
    /\bdiet|\bdietary|\bfood (?:restrictions?|requirements?|preferences?)|\beating\b|\bvegetarian|\bvegan/,
  ],
  [
    'destinations',
    /\bdestinations?\b|\bitinerar|\b(?:cities|countries|places)\b|\b(?:city|country|place|location)\b.*\b(?:visit|travel|trip|go)|\b(?:visit|travel|trip)\w*\b.*\b(?:city|country|place|location)/,
  ],
  ['dates', /\bdates?\b|\bwhen\b|\bmonth\b|\btiming\b|\bschedule/],
  ['pets', /\bpets?\b|\banimals?\b/],
  ['name', /\bname\b/],
  ['workLocation', /\bwork(?:place)? (?:location|city|town|country)\b|\bwhere\b.*\bworks\b/],
  ['home', /\bhome\b|\bhometown\b|\blives?\b|\bresiden|\blocation\b|\bcity\b/],
  ['occupation', /\boccupation|\bprofession|\bjob\b|\brole\b|\bcareer|\btitle\b/],
  ['employer', /\bemployer|\bcompany\b|\bworkplace/],
  ['dislikes', /\bdislikes?\b|\bhates?\b|\baversions?\b|\bavoid/],
  ['likes', /\blikes?\b|\bfavou?rites?\b|\binterests?\b|\bhobb(?:y|ies)\b|\bpreferences?\b|\bloves?\b/],
  ['age', /\bage\b|\byears old\b/],
];

const PROFESSIONS =
  /^(?:a|an)\s+((?:[\w-]+\s+)?(?:nurse|doctor|teacher|engineer|developer|designer|lawyer|chef|student|artist|writer|accountant|manager|programmer|scientist|researcher|musician|counselou?r|therapist|photographer|pilot|firefighter|police officer|farmer|dentist|pharmacist|architect|consultant|journalist|professor|carpenter|electrician|mechanic|plumber|waiter|waitress|barista|cashier|freelancer|entrepreneur|veterinarian|vet|paramedic|librarian|translator|analyst|editor|actor|actress|dancer|singer|coach|trainer|surgeon|psychologist|social worker|soldier|nanny|baker|butcher|driver))\b/i;
const PLACE_LIST = String.raw`((?:[A-Z][\p{L}'-]+)(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s+(?:of\s+)?)[A-Z][\p{L}'-]+)*)`;
const TRAVEL_PLACES = new RegExp(
  String.raw`\b(?:trip|trips|travel\w*|vacation|holiday|going|go|goes|went|flying|fly|flew|heading|visit\w*|been|returning|driving)\s+(?:to\s+|in\s+|around\s+)?(?:the\s+)?${PLACE_LIST}`,
  'gu',
);
const HOME_PLACE = new RegExp(
  String.raw`\b(?:lives?|living|based|settled) in\s+${PLACE_LIST}|\bis (?:originally )?from\s+${PLACE_LIST}|\b(?:moved|moving|relocat\w+) to\s+${PLACE_LIST}`,
  'u',
);
const PLACE_STOP = new Set([...MONTH_NAMES, ...WEEKDAY_NAMES, 'The', 'I']);

function placesIn(list: string): string[] {
  return list
    .split(/\s*,\s*|\s+and\s+|\s+or\s+/)
    .map((p) => p.trim())
    .filter((p) => p && !PLACE_STOP.has(p.split(' ')[0]!));
}

export function factsOf(text: string, match: Match, firstDate: string | undefined): Statement['facts'] {
  const facts: Partial<Record<Concept, string[]>> = {};
  const add = (concept: Concept, ...values: string[]) => {
    const list = facts[concept] ?? [];
    facts[concept] = list;
    for (const value of values) if (value && !list.includes(value)) list.push(value);
  };
  const body = text.replace(/^The user(?:'s)?(?: and their companions)?\s*/, '');
  if (match.family === 'plan' || match.family === 'event') {
    for (const m of text.matchAll(TRAVEL_PLACES)) add('destinations', ...placesIn(m[1]!));
    if (firstDate) add('dates', firstDate);
  }
  for (const m of text.toLowerCase().matchAll(new RegExp(`\\b(?:${DIET_WORDS})\\b`, 'g'))) add('diet', m[0]);
  // Only the user's own allergy: "The user's daughter is allergic to peanuts" is about the daughter.
  const allergic = /^The user (?:is|was) (?:\w+ )?allergic to\s+(.+)$/i.exec(text);
  if (allergic) {
    const items = allergic[1]!.split(/\s*,\s*|\s+and\s+|\s+or\s+/).filter(Boolean);
    add('allergies', ...items);
    add('diet', ...items.map((item) => `${item} allergy`));
  }
  const noEat = /\b(?:does not|never|cannot) eat\s+(.+)$/i.exec(text);
  if (noEat) add('diet', `no ${noEat[1]}`);
  const name = /^The user's name is\s+(.+)$/.exec(text);
  if (name) add('name', name[1]!);
  const pet =
    /\b(?:has|had|adopted|got|bought|rescued) (?:a|an|two|three) ((?:[\w-]+\s+)?(?:dog|cat|puppy|kitten|horse|bird|hamster|rabbit|bunny|parrot|turtle|fish)s?)\b(?:\s+(?:named|called)\s+([A-Z][\p{L}'-]+(?:\s+and\s+[A-Z][\p{L}'-]+)?))?/u.exec(
      text,
    );
  if (pet) add('pets', pet[2] ? `${pet[1]} named ${pet[2]}` : pet[1]!);
  const home = HOME_PLACE.exec(text);
  if (home) add('home', ...placesIn((home[1] ?? home[2] ?? home[3])!));
  const job = jobOf(text);
  const occupation =
    job.title ?? (/^is\s+/.test(body) ? PROFESSIONS.exec(body.replace(/^is\s+/, ''))?.[1] : undefined);
  if (occupation) add('occupation', occupation);
  if (job.employer) add('employer', job.employer);
  if (job.place) add('workLocation', job.place);
  if (match.family === 'preference' && match.polarity) {
    const object = cutRest(thirdPerson(match.rest, 'I'));
    // "prefers tea over coffee": tea is liked, coffee is not.
    const [liked, other] = object.split(/\s+over\s+/);
    if (liked && !/^(?:to|of)\b/i.test(liked)) add(match.polarity === 'like' ? 'likes' : 'dislikes', liked);
    if (other && /^prefers?\b/.test(match.head)) add('dislikes', other);
  }
  const age = /\bis (\d{1,3}) years? old\b/.exec(text);
  if (age) add('age', age[1]!);
  return facts;
}

function conceptOf(field: CustomMemoryType['fields'][number]): Concept | undefined {
  const words =
    `${field.name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ')} ${field.description}`.toLowerCase();
  return FIELD_CONCEPTS.find(([, pattern]) => pattern.test(words))?.[0];
}

export function customMemory(
  type: CustomMemoryType,
  statements: readonly Statement[],
): ExtractedMemory | undefined {
  const attributes: Record<string, unknown> = {};
  const used: Statement[] = [];
  for (const field of type.fields) {
    const concept = conceptOf(field);
    if (!concept) continue;
    const values: string[] = [];
    const sources: Statement[] = [];
    for (const statement of statements) {
      const found = statement.facts[concept];
      if (!found?.length) continue;
      sources.push(statement);
      for (const value of found) if (!values.includes(value)) values.push(value);
    }
    const value = typedValue(field, concept, values);
    if (value === undefined) continue;
    attributes[field.name] = value;
    for (const s of sources) if (!used.includes(s)) used.push(s);
  }
  if (used.length === 0) return undefined;
  used.sort((a, b) => statements.indexOf(a) - statements.indexOf(b));
  const text = used.map((s) => s.text).join('. ');
  return {
    text: text.length > 1000 ? `${text.slice(0, 999).replace(/\s+\S*$/, '')}…` : text,
    memoryType: type.name,
    topics: [...new Set(used.flatMap((s) => s.topics))].slice(0, 6),
    entities: [...new Set(used.flatMap((s) => s.entities))],
    attributes,
    sourceEventIds: [...new Set(used.map((s) => s.eventId))],
  };
}

function typedValue(field: CustomMemoryType['fields'][number], concept: Concept, values: string[]): unknown {
  if (values.length === 0) return undefined;
  switch (field.type) {
    case 'list[str]':
      return values;
    case 'str':
      return concept === 'dates' ? values[0] : values.join(', ');
    case 'int':
    case 'float':
      return concept === 'age' ? Number(values[0]) : undefined;
    case 'bool': {
      // "is_vegetarian": true when that very diet was stated; other booleans are not guessed.
      const words = `${field.name} ${field.description}`.toLowerCase();
      return concept === 'diet' && values.some((v) => words.includes(v.replace(/[- ]/g, '').slice(0, 6)))
        ? true
        : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * "works as a nurse at St. Mary's in Boston": the title, the employer and the place, read by
 * compromise so that the employer ends where a place phrase starts and the place is a #Place.
 */
function jobOf(text: string): { title?: string; employer?: string; place?: string } {
  const out: { title?: string; employer?: string; place?: string } = {};
  // Tagging costs ~1 ms a statement: only statements about work are tagged.
  if (!/\bworks\b/.test(text)) return out;
  const doc = language().nlp(text);
  const title = doc.match('works as (a|an) [<title>(#Adjective|#Noun)+]');
  if (title.found) out.title = groupText(title, 'title', 'normal');
  const employer = doc.match('works (at|for) [<org>#ProperNoun+]').found
    ? doc.match('works (at|for) [<org>#ProperNoun+]')
    : doc.match('works as .+? (at|for) [<org>#ProperNoun+]');
  if (employer.found) out.employer = groupText(employer, 'org').replace(/[,.]$/, '');
  const place = doc.match('works .* in [<place>#Place+]');
  if (place.found) out.place = groupText(place, 'place').replace(/[,.]$/, '');
  return out;
}
