import { MONTH_NAMES, WEEKDAY_NAMES } from './dates.js';
import type { StatementFamily } from './statements.js';

// =============================================================================================
// Topics and entities

/** Topic -> the words (whole, lower case) that suggest it. */
export const TOPIC_KEYWORDS: Readonly<Record<string, RegExp>> = {
  food: /\b(?:food|foods|eat|eats|eating|ate|restaurants?|cook|cooks|cooking|cooked|bake|bakes|baking|baked|dinner|lunch|breakfast|brunch|meals?|sushi|pizza|pasta|ramen|coffee|tea|wine|beer|meat|fish|seafood|dairy|cheese|chocolate|dessert|cuisine|recipes?|vegetarian|vegan|pescatarian|gluten|lactose|nuts?|peanuts?|spicy|kosher|halal|keto|snacks?|fruit|vegetables|chef)\b/,
  diet: /\b(?:diet|vegetarian|vegan|pescatarian|pescetarian|flexitarian|gluten|lactose|dairy-free|allergic|allergy|allergies|intolerant|kosher|halal|keto|paleo|teetotal|does not eat|cannot eat)\b/,
  travel:
    /\b(?:trips?|travel|travels|travell?ing|travell?ed|flights?|fly|flying|flew|vacation|holiday|holidays|abroad|tour|touring|hotel|passport|visa|beach|road trip|itinerary|sightseeing|backpacking|cruise)\b/,
  work: /\b(?:job|jobs|work|works|working|worked|career|office|boss|colleagues?|coworkers?|company|promoted|promotion|hired|fired|interview|salary|business|employer|manager|clients?|startup|nurse|doctor|engineer|teacher|developer|designer|lawyer|accountant|counselor|counsellor|therapist|store|shop)\b/,
  family:
    /\b(?:wife|husband|partner|spouse|son|daughter|sons|daughters|kids?|children|child|baby|mom|mum|mother|dad|father|parents|brother|sister|siblings?|grandma|grandmother|grandpa|grandfather|grandparents|aunt|uncle|cousins?|family|married|wedding|pregnant|fianc[eé]e?|engaged)\b/,
  pets: /\b(?:dogs?|cats?|puppy|puppies|kitten|kittens|pets?|horses?|birds?|hamsters?|rabbits?|bunny|parrot|turtle|goldfish)\b/,
  health:
    /\b(?:health|healthy|allergic|allergy|allergies|doctor|hospital|hospitali[sz]ed|sick|illness|injury|injured|surgery|therapy|therapist|medication|diagnosed|diabetes|diabetic|asthma|asthmatic|pregnant|mental health|anxiety|depression|celiac|coeliac|intolerant|fitness)\b/,
  hobbies:
    /\b(?:hobby|hobbies|painting|paint|paints|painted|drawing|draw|sketching|reading|books?|novels?|writing|poetry|gardening|garden|knitting|photography|camping|hiking|hike|pottery|crafts?|games?|gaming|video games|collecting|collects|art|arts|volunteer|volunteering|woodworking|sewing|chess|puzzles?)\b/,
  music:
    /\b(?:music|musician|guitar|piano|violin|drums|sing|sings|singing|song|songs|band|concerts?|album|jazz|rock|pop|classical|orchestra|choir|playlist|spotify)\b/,
  sport:
    /\b(?:sports?|soccer|football|basketball|baseball|tennis|golf|running|runs|marathon|swim|swims|swimming|yoga|gym|cycling|bike|biking|skiing|ski|surfing|climbing|hockey|volleyball|rugby|cricket|boxing|martial arts|karate|workout|exercise|team|dance|dancing|skating)\b/,
  location:
    /\b(?:lives?|living|moved|moving|move|relocating|from|hometown|born|raised|grew up|neighbou?rhood|apartment|house|city|town|country|based in)\b/,
  education:
    /\b(?:school|college|university|degree|study|studies|studying|studied|class|classes|course|courses|student|graduated|graduate|graduating|exam|exams|thesis|phd|master's|bachelor's|edu|education)\b/,
  entertainment: /\b(?:movies?|films?|tv|shows?|series|netflix|anime|theat(?:er|re)|cinema|podcasts?)\b/,
};

const TRAVEL_TO_PLACE =
  /\b(?:going|go|goes|went|flying|fly|flew|heading|travell?ing|travel|travell?ed|visiting|visit|visited|trip|been|moving|moved)\s+(?:to\s+|in\s+)?[A-Z]/;

export function topicsOf(text: string, family: StatementFamily): string[] {
  const lower = text.toLowerCase().replace(/^the user(?:'s)?/, '');
  const topics = Object.entries(TOPIC_KEYWORDS)
    .filter(([, pattern]) => pattern.test(lower))
    .map(([topic]) => topic);
  if ((family === 'plan' || family === 'event') && TRAVEL_TO_PLACE.test(text) && !topics.includes('travel')) {
    topics.push('travel');
  }
  // "from" alone says location only for identity statements ("is from Lyon").
  if (
    topics.includes('location') &&
    family !== 'identity' &&
    !/\b(?:lives?|living|moved|moving|move|hometown|born|raised|based in)\b/.test(lower)
  ) {
    topics.splice(topics.indexOf('location'), 1);
  }
  return topics.slice(0, 4);
}

const NOT_ENTITIES = new Set([
  'The',
  'I',
  'A',
  'An',
  'OK',
  'Ok',
  'TV',
  'Mom',
  'Mum',
  'Dad',
  'Grandma',
  'Grandpa',
  'God',
  'Christmas',
  'Easter',
  'Thanksgiving',
  'Halloween',
  'LOL',
  'OMG',
  ...MONTH_NAMES,
  ...WEEKDAY_NAMES,
]);

/** Capitalized words and runs of them ("New York", "University of Tokyo"), the leading "The user" aside. */
export function entitiesOf(text: string): string[] {
  const body = text.replace(/^The user(?:'s)?(?: and their companions)?\s*/, '');
  const out: string[] = [];
  const pattern = /\b[A-Z][\p{L}\p{N}'’&.-]*(?:\s+(?:of\s+|de\s+|la\s+)?[A-Z][\p{L}\p{N}'’&.-]*)*/gu;
  for (const match of body.matchAll(pattern)) {
    const words = match[0]
      .replace(/['’]s$/, '')
      .replace(/[.'’-]+$/, '')
      .split(/\s+/);
    while (words.length && NOT_ENTITIES.has(words[0]!)) words.shift();
    while (words.length && NOT_ENTITIES.has(words.at(-1)!)) words.pop();
    const entity = words.join(' ');
    if (entity && !NOT_ENTITIES.has(entity) && !out.includes(entity)) out.push(entity);
  }
  return out;
}
