import { describe, expect, it } from 'vitest';
import {
  entitiesOf,
  MAX_SUMMARY_CHARS,
  OfflineExtractor,
  OfflineSummarizer,
  statementsOf,
} from '../../dev/offline-models/offline-extractor.js';
import type { CustomMemoryType } from '../../lib/contracts/store-config.js';
import { attributeProblem } from '../../lib/domain/custom-attributes.js';
import type {
  ExtractionInput,
  ExtractionStrategy,
  ExtractionTurn,
} from '../../lib/ports/memory-extractor.js';

const OWNER = 'user-1';
// Thursday 25 June 2026, 10:00 UTC.
const T0 = Date.UTC(2026, 5, 25, 10, 0);

let counter = 0;
function userTurn(text: string, overrides: Partial<ExtractionTurn> = {}): ExtractionTurn {
  counter += 1;
  return {
    eventId: `e${counter}`,
    role: 'USER',
    actorId: OWNER,
    text,
    createdAt: T0 + counter * 1000,
    ...overrides,
  };
}

function agentTurn(text: string): ExtractionTurn {
  return userTurn(text, { role: 'ASSISTANT', actorId: 'travel-agent' });
}

function input(newTurns: ExtractionTurn[], overrides: Partial<ExtractionInput> = {}): ExtractionInput {
  return {
    ownerId: OWNER,
    strategies: ['discrete'],
    customTypes: [],
    priorSummary: undefined,
    contextTurns: [],
    newTurns,
    ...overrides,
  };
}

const extractor = new OfflineExtractor();

/** The memory texts one user turn gives (discrete strategy). */
async function texts(text: string, createdAt = T0): Promise<string[]> {
  const result = await extractor.extract(input([userTurn(text, { createdAt })]));
  return result.memories.map((m) => m.text);
}

describe('OfflineExtractor: the acceptance scenario', () => {
  const turns: ExtractionTurn[] = [
    {
      eventId: 'evt-1',
      role: 'USER',
      actorId: OWNER,
      text: "I'm planning a trip to Japan next month and need help finding some restaurants for the trip.",
      createdAt: Date.parse('2026-06-25T09:00:00Z'),
    },
    {
      eventId: 'evt-2',
      role: 'ASSISTANT',
      actorId: 'travel-agent',
      text: 'Nice! What cities are you visiting?',
      createdAt: Date.parse('2026-06-25T09:00:05Z'),
    },
    {
      eventId: 'evt-3',
      role: 'USER',
      actorId: OWNER,
      text: "I'm going to Tokyo and Kyoto. Also, I'm a vegetarian.",
      createdAt: Date.parse('2026-06-25T09:00:30Z'),
    },
    {
      eventId: 'evt-4',
      role: 'ASSISTANT',
      actorId: 'travel-agent',
      text: "Good to know! I'll look for vegetarian-friendly restaurants in Tokyo and Kyoto.",
      createdAt: Date.parse('2026-06-25T09:00:35Z'),
    },
  ];

  it('yields the trip, the cities and the diet, each from its own turn', async () => {
    // Act
    const result = await extractor.extract(input(turns));

    // Assess
    expect(result.memories).toEqual([
      {
        text: 'The user is planning a trip to Japan in July 2026',
        memoryType: 'episodic',
        topics: ['travel'],
        entities: ['Japan'],
        sourceEventIds: ['evt-1'],
      },
      {
        text: 'The user is going to Tokyo and Kyoto',
        memoryType: 'semantic',
        topics: ['travel'],
        entities: ['Tokyo', 'Kyoto'],
        sourceEventIds: ['evt-3'],
      },
      {
        text: 'The user is a vegetarian',
        memoryType: 'semantic',
        topics: ['food', 'diet'],
        entities: [],
        sourceEventIds: ['evt-3'],
      },
    ]);
  });

  it('keeps only the diet under the preferences strategy', async () => {
    const result = await extractor.extract(input(turns, { strategies: ['preferences'] }));
    expect(result.memories.map((m) => m.text)).toEqual(['The user is a vegetarian']);
  });

  it('fills a custom trip type from keyword rules', async () => {
    // Prepare
    const trip: CustomMemoryType = {
      name: 'trip',
      description: 'A trip the user is planning',
      fields: [
        { name: 'destinations', description: 'Cities or countries to visit', type: 'list[str]' },
        { name: 'dietary_requirements', description: 'What the traveller can eat', type: 'list[str]' },
        { name: 'travel_dates', description: 'When the trip is', type: 'str' },
        { name: 'budget', description: 'Budget in euros', type: 'float' },
      ],
    };

    // Act
    const result = await extractor.extract(input(turns, { strategies: [], customTypes: [trip] }));

    // Assess
    expect(result.memories).toHaveLength(1);
    const [memory] = result.memories;
    expect(memory).toEqual({
      text: 'The user is planning a trip to Japan in July 2026. The user is going to Tokyo and Kyoto. The user is a vegetarian',
      memoryType: 'trip',
      topics: ['travel', 'food', 'diet'],
      entities: ['Japan', 'Tokyo', 'Kyoto'],
      attributes: {
        destinations: ['Japan', 'Tokyo', 'Kyoto'],
        dietary_requirements: ['vegetarian'],
        travel_dates: 'July 2026',
      },
      sourceEventIds: ['evt-1', 'evt-3'],
    });
    expect(attributeProblem(memory!.attributes!, trip)).toBeUndefined();
  });
});

describe('OfflineExtractor: which turns', () => {
  it('ignores assistant, system and context turns, and other actors', async () => {
    const result = await extractor.extract(
      input(
        [
          agentTurn('I love helping travellers. I am a vegetarian too.'),
          userTurn('I live in Paris.', { role: 'SYSTEM' }),
          userTurn('I am a nurse.', { actorId: 'someone-else' }),
          userTurn('I work at Acme.'),
        ],
        { contextTurns: [userTurn('I have a dog named Max.')] },
      ),
    );
    expect(result.memories.map((m) => m.text)).toEqual(['The user works at Acme']);
  });

  it('gives nothing when there are no new turns', async () => {
    const result = await extractor.extract(input([], { strategies: ['discrete', 'summary', 'preferences'] }));
    expect(result.memories).toEqual([]);
    expect(result.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });
});

describe('OfflineExtractor: rule families', () => {
  it('identity', async () => {
    expect(await texts('I am a nurse.')).toEqual(['The user is a nurse']);
    expect(await texts('My name is Sam Rivera.')).toEqual(["The user's name is Sam Rivera"]);
    expect(await texts('I live in Lisbon.')).toEqual(['The user lives in Lisbon']);
    expect(await texts("I'm from Brazil originally.")).toEqual(['The user is from Brazil originally']);
    expect(await texts('I work as a graphic designer.')).toEqual(['The user works as a graphic designer']);
    expect(await texts('I have a dog named Max.')).toEqual(['The user has a dog named Max']);
    expect(await texts('My wife is a doctor.')).toEqual(["The user's wife is a doctor"]);
    expect(await texts("I'm 34 years old and I'm married.")).toEqual([
      'The user is 34 years old',
      'The user is married',
    ]);
    expect(await texts('I was born in Lagos.')).toEqual(['The user was born in Lagos']);
    expect(await texts('I can speak French and Italian.')).toEqual(['The user can speak French and Italian']);
    expect(await texts("I've been learning the violin.")).toEqual(['The user has been learning the violin']);
    expect(await texts("I'm studying law at the University of Tokyo.")).toEqual([
      'The user is studying law at the University of Tokyo',
    ]);
  });

  it('preferences, likes and dislikes', async () => {
    expect(await texts('I love sushi!')).toEqual(['The user loves sushi']);
    expect(await texts('I really enjoy hiking in the mountains.')).toEqual([
      'The user really enjoys hiking in the mountains',
    ]);
    expect(await texts('I prefer window seats.')).toEqual(['The user prefers window seats']);
    expect(await texts('I hate flying.')).toEqual(['The user hates flying']);
    expect(await texts("I don't like olives.")).toEqual(['The user does not like olives']);
    expect(await texts("I can't stand cilantro.")).toEqual(['The user cannot stand cilantro']);
    expect(await texts('My favourite food is ramen.')).toEqual(["The user's favourite food is ramen"]);
    expect(await texts("I'm allergic to peanuts.")).toEqual(['The user is allergic to peanuts']);
    expect(await texts("I don't eat meat.")).toEqual(['The user does not eat meat']);
    expect(await texts("I'm a huge fan of Arsenal.")).toEqual(['The user is a huge fan of Arsenal']);
    expect(await texts("I'd rather take the train.")).toEqual(['The user would rather take the train']);
    expect(await texts("I'm really into jazz.")).toEqual(['The user is really into jazz']);
  });

  it('plans and intentions, with dates resolved', async () => {
    expect(await texts("I'm moving to Berlin next year.")).toEqual(['The user is moving to Berlin in 2027']);
    expect(await texts("I'll start a new job next Monday.")).toEqual([
      'The user will start a new job on 29 June 2026',
    ]);
    expect(await texts('I want to learn Spanish.')).toEqual(['The user wants to learn Spanish']);
    expect(await texts("I'm gonna buy a car this summer.")).toEqual([
      'The user is going to buy a car in summer 2026',
    ]);
    expect(await texts('I plan to visit my parents this weekend.')).toEqual([
      "The user plans to visit the user's parents on the weekend of 27 June 2026",
    ]);
    expect(await texts("I'd love to visit Iceland someday.")).toEqual([
      'The user would love to visit Iceland someday',
    ]);
    expect(await texts("I'm getting married in September.")).toEqual([
      'The user is getting married in September 2026',
    ]);
  });

  it('dated events', async () => {
    expect(await texts('I went to a Radiohead concert yesterday.')).toEqual([
      'The user went to a Radiohead concert on 24 June 2026',
    ]);
    expect(await texts('Last week I started a new job at Google.')).toEqual([
      'The user started a new job at Google in the week of 15 June 2026',
    ]);
    expect(await texts('I visited Rome in May.')).toEqual(['The user visited Rome in May 2026']);
    expect(await texts('I got promoted two weeks ago!')).toEqual([
      'The user got promoted in the week of 8 June 2026',
    ]);
    expect(await texts('I finished my thesis last month.')).toEqual([
      "The user finished the user's thesis in May 2026",
    ]);
    expect(await texts("I've just adopted a cat.")).toEqual([
      'The user has just adopted a cat (as of 25 June 2026)',
    ]);
    expect(await texts('I was promoted in 2019.')).toEqual(['The user was promoted in 2019']);
  });

  it('classifies memory types: episodic when dated, else semantic', async () => {
    const result = await extractor.extract(
      input([userTurn('I went to Lisbon last month. I love Lisbon. I visited Porto once.')]),
    );
    expect(result.memories.map((m) => [m.text, m.memoryType])).toEqual([
      ['The user went to Lisbon in May 2026', 'episodic'],
      ['The user loves Lisbon', 'semantic'],
      ['The user visited Porto once', 'semantic'],
    ]);
  });

  it('resolves dates against the turn, not the clock', async () => {
    expect(await texts('I moved to Oslo last year.', Date.UTC(2019, 2, 1))).toEqual([
      'The user moved to Oslo in 2018',
    ]);
  });
});

describe('OfflineExtractor: phrasings beyond plain first-person statements', () => {
  // Monday 7 December 2026: "last week" is the ISO week of Monday 30 November.
  const DEC7 = Date.UTC(2026, 11, 7, 10);
  /** One row per phrasing: what the user said, the memories (type and text) it gives. */
  const ROWS: ReadonlyArray<readonly [string, string, ReadonlyArray<readonly [string, string]>]> = [
    [
      "a family member's allergy",
      'My daughter is allergic to peanuts.',
      [['semantic', "The user's daughter is allergic to peanuts"]],
    ],
    [
      "a family member's diet",
      "My husband doesn't eat pork.",
      [['semantic', "The user's husband does not eat pork"]],
    ],
    [
      'a job and where it is',
      "I work as a nurse at St. Mary's in Boston.",
      [['semantic', "The user works as a nurse at St. Mary's in Boston"]],
    ],
    [
      'a dislike as "would rather"',
      "I'd rather have tea than coffee.",
      [['semantic', 'The user prefers tea over coffee']],
    ],
    [
      'a dislike as "prefer … to"',
      'I prefer trains to planes.',
      [['semantic', 'The user prefers trains over planes']],
    ],
    [
      'a dislike as "like … more than"',
      'I like cats more than dogs.',
      [['semantic', 'The user prefers cats over dogs']],
    ],
    [
      'a plain "would rather"',
      "I'd rather take the train.",
      [['semantic', 'The user would rather take the train']],
    ],
    [
      'a pet adopted last week',
      'I adopted a dog named Max last week.',
      [['episodic', 'The user adopted a dog named Max in the week of 30 November 2026']],
    ],
    [
      'a pet adopted, time first',
      'Last week we adopted a kitten named Luna.',
      [
        [
          'episodic',
          'The user and their companions adopted a kitten named Luna in the week of 30 November 2026',
        ],
      ],
    ],
    ['"no longer" with a verb', 'I no longer eat meat.', [['semantic', 'The user no longer eats meat']]],
    ['"no longer" with a taste', 'I no longer love sushi.', [['semantic', 'The user no longer loves sushi']]],
    [
      '"no longer" after "am"',
      "I'm no longer a vegetarian.",
      [['semantic', 'The user is no longer a vegetarian']],
    ],
    [
      '"no longer" after "live"',
      'I no longer live in Paris.',
      [['semantic', 'The user no longer lives in Paris']],
    ],
  ];

  it.each(ROWS)('%s', async (_label, text, expected) => {
    const result = await extractor.extract(input([userTurn(text, { createdAt: DEC7 })]));
    expect(result.memories.map((m) => [m.memoryType, m.text])).toEqual(expected);
  });

  it("fills job, employer and place, likes and dislikes, pets, and not the user's allergies for a daughter's", async () => {
    const profile: CustomMemoryType = {
      name: 'profile',
      description: 'Facts about the user',
      fields: [
        { name: 'occupation', description: 'Job title', type: 'str' },
        { name: 'employer', description: 'Company the user works for', type: 'str' },
        { name: 'work_city', description: 'Work location', type: 'str' },
        { name: 'likes', description: 'Things the user likes', type: 'list[str]' },
        { name: 'dislikes', description: 'Things the user dislikes', type: 'list[str]' },
        { name: 'pets', description: 'Pets the user has', type: 'list[str]' },
        { name: 'allergies', description: 'Known allergies', type: 'list[str]' },
      ],
    };
    const result = await extractor.extract(
      input(
        [
          userTurn(
            "I work as a nurse at St. Mary's in Boston. I'd rather have tea than coffee. " +
              'I adopted a dog named Max last week. My daughter is allergic to peanuts.',
            { createdAt: DEC7 },
          ),
        ],
        { strategies: [], customTypes: [profile] },
      ),
    );
    expect(result.memories[0]!.attributes).toEqual({
      occupation: 'nurse',
      employer: "St. Mary's",
      work_city: 'Boston',
      likes: ['tea'],
      dislikes: ['coffee'],
      pets: ['dog named Max'],
    });
  });
});

describe('OfflineExtractor: what gives nothing', () => {
  it.each([
    ['a question', 'Do you know any good vegetarian places in Kyoto?'],
    ['a first-person question', 'Am I allowed to bring my dog?'],
    ['a request', 'Can you recommend a hotel near the station?'],
    ['a polite request', 'Please book a table for two.'],
    ['asking for help', 'I need help finding restaurants for the trip.'],
    ['looking for something', "I'm looking for a cheap flight."],
    ['wanting the agent to act', 'I would like you to plan my itinerary.'],
    ['a greeting', 'Hi there! Good morning.'],
    ['thanks', 'Thanks so much, that was helpful!'],
    ['an opinion', "I think it's a great idea."],
    ['a pointer to something unnamed', 'I love it! I went there last year.'],
    ['a pointer with "that"', 'I love that painting.'],
    ['the second person', 'I really appreciate your help. I love your suggestions.'],
    ['a hypothetical', "If I go to Paris, I'll visit the Louvre."],
    ['a passing mood', "I'm so happy. I'm tired."],
    ['hedged chat', "I guess so. I don't know."],
    ['talk about someone else', 'She lives in Rome. My friend thinks so.'],
    ['a promise to talk later', "I'll let you know. I'll keep you posted."],
    ['an undated "did not"', "I didn't go."],
    ['only a date besides the verb', 'I submitted a few more last week.'],
    ['"another one"', 'I just started writing another one.'],
    ['nothing worth remembering', 'We had a great time!'],
  ])('%s', async (_label, text) => {
    expect(await texts(text)).toEqual([]);
  });

  it('drops requests but keeps the statement beside them', async () => {
    expect(await texts("I'm vegan, can you find me a restaurant?")).toEqual([]);
    expect(await texts("I'm vegan. Can you find me a restaurant?")).toEqual(['The user is vegan']);
  });
});

describe('OfflineExtractor: rewriting', () => {
  it('agrees the verb with "The user"', async () => {
    expect(await texts('I watch anime every night.')).toEqual(['The user watches anime every night']);
    expect(await texts('I study chemistry.')).toEqual(['The user studies chemistry']);
    expect(await texts('I go to the gym on Mondays.')).toEqual(['The user goes to the gym on Mondays']);
    expect(await texts('I have two sisters.')).toEqual(['The user has two sisters']);
    expect(await texts('I never drink coffee.')).toEqual(['The user never drinks coffee']);
    expect(await texts('I teach maths and I coach football.')).toEqual([
      'The user teaches maths',
      'The user coaches football',
    ]);
    expect(await texts('I play the piano.')).toEqual(['The user plays the piano']);
    expect(await texts('I wash dishes at a diner.')).toEqual([]);
  });

  it('speaks of "we" as the user and their companions', async () => {
    expect(await texts("We're flying to Lima next Friday with our kids.")).toEqual([
      'The user and their companions are flying to Lima on 3 July 2026 with their kids',
    ]);
    expect(await texts('We went camping last weekend.')).toEqual([
      'The user and their companions went camping on the weekend of 20 June 2026',
    ]);
  });

  it('turns possessives and objects into the user', async () => {
    expect(await texts('My sister lives in Oslo.')).toEqual(["The user's sister lives in Oslo"]);
    expect(await texts('I love my dog Rex.')).toEqual(["The user loves the user's dog Rex"]);
    expect(await texts('I taught myself guitar.')).toEqual(['The user taught themselves guitar']);
    expect(await texts('I bought a bike that suits me.')).toEqual([
      'The user bought a bike that suits the user',
    ]);
    expect(await texts('I live with my wife and I work from home.')).toEqual([
      "The user lives with the user's wife",
      'The user works from home',
    ]);
  });

  it('drops fillers and hedges', async () => {
    expect(await texts('Um, actually, I love tea.')).toEqual(['The user loves tea']);
    expect(await texts('Also, I work at a bakery, lol.')).toEqual(['The user works at a bakery']);
    expect(await texts('I think I will move to Madrid next year.')).toEqual([
      'The user will move to Madrid in 2027',
    ]);
    expect(await texts('Oh wow, I basically live on pasta.')).toEqual(['The user lives on pasta']);
  });

  it('splits clauses and carries the subject across "and"', async () => {
    expect(await texts('I live in Lyon and work at a bakery; my son is a chef.')).toEqual([
      'The user lives in Lyon',
      'The user works at a bakery',
      "The user's son is a chef",
    ]);
  });

  it('moves a leading time phrase to the end', async () => {
    expect(await texts('Yesterday, I ran a half marathon.')).toEqual([
      'The user ran a half marathon on 24 June 2026',
    ]);
    expect(await texts('Last Friday I met my new manager.')).toEqual([
      "The user met the user's new manager on 19 June 2026",
    ]);
  });

  it('writes clean standalone sentences', async () => {
    const result = await extractor.extract(
      input([userTurn('i m a vegetarian!!! 🌱 and i love ramen :) btw i work at Acme Corp, Jon.')]),
    );
    expect(result.memories.map((m) => m.text)).toEqual([
      'The user is a vegetarian',
      'The user loves ramen',
      'The user works at Acme Corp',
    ]);
  });
});

describe('OfflineExtractor: topics and entities', () => {
  it('tags topics from the keyword table', async () => {
    const result = await extractor.extract(
      input([
        userTurn(
          'I have a cat named Luna. My husband plays the guitar. I work as a nurse at the hospital. I play tennis every Sunday.',
        ),
      ]),
    );
    expect(result.memories.map((m) => [m.text, m.topics])).toEqual([
      ['The user has a cat named Luna', ['pets']],
      ["The user's husband plays the guitar", ['family', 'music']],
      ['The user works as a nurse at the hospital', ['work', 'health']],
      ['The user plays tennis every Sunday', ['sport']],
    ]);
  });

  it('finds capitalized names, not months, weekdays or sentence starts', () => {
    expect(entitiesOf('The user went to New York and the University of Tokyo in July 2026')).toEqual([
      'New York',
      'University of Tokyo',
    ]);
    expect(entitiesOf("The user's dog Max met Bella on 3 July 2026")).toEqual(['Max', 'Bella']);
    expect(entitiesOf('The user went to a LGBTQ support group')).toEqual(['LGBTQ']);
  });
});

describe('OfflineExtractor: de-duplication and sources', () => {
  it('keeps one memory per statement and call, with every turn it came from', async () => {
    const result = await extractor.extract(
      input([
        userTurn("I'm a vegetarian. I am a vegetarian!", { eventId: 'a' }),
        agentTurn('Noted.'),
        userTurn("Again: I'm a vegetarian.", { eventId: 'b' }),
      ]),
    );
    expect(result.memories).toEqual([
      expect.objectContaining({ text: 'The user is a vegetarian', sourceEventIds: ['a', 'b'] }),
    ]);
  });

  it('cites, for every memory, only the turn it came from', async () => {
    const turns = [
      userTurn('I love jazz.'),
      userTurn('I live in Rome.'),
      userTurn('I went to Milan yesterday.'),
    ];
    const result = await extractor.extract(input(turns));
    expect(result.memories.map((m) => m.sourceEventIds)).toEqual(turns.map((t) => [t.eventId]));
  });
});

describe('OfflineExtractor: strategies', () => {
  const turns = () => [
    userTurn('I love sushi. I live in Osaka. I went to Nara yesterday.'),
    agentTurn('Sounds lovely! Nara is beautiful in June.'),
  ];
  async function run(strategies: ExtractionStrategy[]) {
    return (await extractor.extract(input(turns(), { strategies }))).memories;
  }

  it('discrete: every statement', async () => {
    expect((await run(['discrete'])).map((m) => m.text)).toEqual([
      'The user loves sushi',
      'The user lives in Osaka',
      'The user went to Nara on 24 June 2026',
    ]);
  });

  it('preferences: preference-like statements only', async () => {
    expect((await run(['preferences'])).map((m) => m.text)).toEqual(['The user loves sushi']);
  });

  it('discrete and preferences together: no duplicates', async () => {
    expect(await run(['discrete', 'preferences'])).toHaveLength(3);
  });

  it('summary: one dated memory citing every new turn', async () => {
    const memories = await run(['summary']);
    expect(memories).toHaveLength(1);
    expect(memories[0]).toMatchObject({
      text:
        'Conversation on 25 June 2026: The user loves sushi. The user lives in Osaka. ' +
        'The user went to Nara on 24 June 2026. The assistant said: Nara is beautiful in June.',
      memoryType: 'episodic',
      topics: ['food', 'location', 'travel'],
      entities: ['Osaka', 'Nara'],
    });
    expect(memories[0]!.sourceEventIds).toHaveLength(2);
  });

  it('no strategy: no built-in memories', async () => {
    expect(await run([])).toEqual([]);
  });
});

describe('OfflineExtractor: custom memory types', () => {
  const profile: CustomMemoryType = {
    name: 'profile',
    description: 'Facts about the user',
    fields: [
      { name: 'name', description: "The user's name", type: 'str' },
      { name: 'age', description: 'Age in years', type: 'int' },
      { name: 'pets', description: 'Pets the user has', type: 'list[str]' },
      { name: 'home_city', description: 'Where the user lives', type: 'str' },
      { name: 'occupation', description: 'Job title', type: 'str' },
      { name: 'employer', description: 'Company the user works for', type: 'str' },
      { name: 'allergies', description: 'Known allergies', type: 'list[str]' },
      { name: 'is_vegetarian', description: 'Whether the user is vegetarian', type: 'bool' },
      { name: 'likes', description: 'Things the user likes', type: 'list[str]' },
      { name: 'dislikes', description: 'Things the user dislikes', type: 'list[str]' },
      { name: 'extra', description: 'Anything else', type: 'object' },
    ],
  };

  it('fills the fields its keyword rules know, with the declared types', async () => {
    // Act
    const result = await extractor.extract(
      input(
        [
          userTurn(
            "My name is Ana. I'm 29 years old. I have a dog named Max. I live in Porto. I work as a software engineer. " +
              "I work at Farfetch. I'm allergic to shellfish. I'm a vegetarian. I love surfing. I hate traffic jams.",
          ),
        ],
        { strategies: [], customTypes: [profile] },
      ),
    );

    // Assess
    expect(result.memories).toHaveLength(1);
    const [memory] = result.memories;
    expect(memory!.memoryType).toBe('profile');
    expect(memory!.attributes).toEqual({
      name: 'Ana',
      age: 29,
      pets: ['dog named Max'],
      home_city: 'Porto',
      occupation: 'software engineer',
      employer: 'Farfetch',
      allergies: ['shellfish'],
      is_vegetarian: true,
      likes: ['surfing'],
      dislikes: ['traffic jams'],
    });
    expect(attributeProblem(memory!.attributes!, profile)).toBeUndefined();
  });

  it('produces nothing for a type none of whose fields it can fill', async () => {
    const mood: CustomMemoryType = {
      name: 'mood',
      description: 'How the user feels',
      fields: [{ name: 'valence', description: 'Positive or negative', type: 'float' }],
    };
    const result = await extractor.extract(
      input([userTurn('I love sushi. I live in Osaka.')], { strategies: [], customTypes: [mood] }),
    );
    expect(result.memories).toEqual([]);
  });

  it('skips a disabled type and types with no statements to draw on', async () => {
    const disabled: CustomMemoryType = { ...profile, extractionStrategy: { prompt: 'x', enabled: false } };
    const fromDisabled = await extractor.extract(
      input([userTurn('My name is Ana.')], { strategies: [], customTypes: [disabled] }),
    );
    expect(fromDisabled.memories).toEqual([]);
    const fromChat = await extractor.extract(
      input([userTurn('Hello! How are you?')], { strategies: [], customTypes: [profile] }),
    );
    expect(fromChat.memories).toEqual([]);
  });

  it('joins values for a str field and keeps allergies in a diet list', async () => {
    const diet: CustomMemoryType = {
      name: 'diet',
      description: 'Dietary needs',
      fields: [
        { name: 'restrictions', description: 'Dietary restrictions', type: 'str' },
        { name: 'diet_list', description: 'Diet, as a list', type: 'list[str]' },
      ],
    };
    const result = await extractor.extract(
      input([userTurn("I'm vegan and I'm allergic to nuts. I don't eat mushrooms.")], {
        strategies: [],
        customTypes: [diet],
      }),
    );
    expect(result.memories[0]!.attributes).toEqual({
      restrictions: 'vegan, nuts allergy, no mushrooms',
      diet_list: ['vegan', 'nuts allergy', 'no mushrooms'],
    });
  });
});

describe('OfflineExtractor: token usage', () => {
  it('counts characters / 4 of what a model would read and write', async () => {
    // Prepare
    const context = userTurn('Hello there.'); // 12 characters
    const turn = userTurn('I love tea.'); // 11 characters
    const priorSummary = 'The user asked about tea.'; // 25 characters

    // Act
    const result = await extractor.extract(input([turn], { contextTurns: [context], priorSummary }));

    // Assess
    expect(result.memories.map((m) => m.text)).toEqual(['The user loves tea']); // 18 characters
    expect(result.usage).toEqual({ inputTokens: Math.ceil(48 / 4), outputTokens: Math.ceil(18 / 4) });
  });

  it('counts attributes as output', async () => {
    const type: CustomMemoryType = {
      name: 'food',
      description: 'Food likes',
      fields: [{ name: 'likes', description: 'Foods the user likes', type: 'list[str]' }],
    };
    const result = await extractor.extract(
      input([userTurn('I love tea.')], { strategies: [], customTypes: [type] }),
    );
    const written = 'The user loves tea'.length + JSON.stringify({ likes: ['tea'] }).length;
    expect(result.usage.outputTokens).toBe(Math.ceil(written / 4));
  });
});

describe('OfflineSummarizer', () => {
  const summarizer = new OfflineSummarizer();

  it('keeps the user statements and the first sentence of other turns', async () => {
    const { text, usage } = await summarizer.summarize({
      ownerId: OWNER,
      priorSummary: undefined,
      turns: [
        userTurn("I'm planning a trip to Japan next month."),
        agentTurn('Great choice! Which cities are on your list? I can help.'),
        userTurn('What is the weather like?'),
        userTurn('Welcome aboard.', { role: 'SYSTEM' }),
      ],
    });
    expect(text).toBe(
      [
        'The user is planning a trip to Japan in July 2026.',
        'The assistant asked: Which cities are on your list?',
        'The user asked: What is the weather like?',
      ].join('\n'),
    );
    expect(usage.outputTokens).toBe(Math.ceil(text.length / 4));
  });

  it('puts the prior summary first and skips lines it already has', async () => {
    const { text } = await summarizer.summarize({
      ownerId: OWNER,
      priorSummary: 'The user is a vegetarian.',
      turns: [userTurn("I'm a vegetarian."), userTurn('I live in Lyon.')],
    });
    expect(text).toBe('The user is a vegetarian.\nThe user lives in Lyon.');
  });

  it(`stays within ${MAX_SUMMARY_CHARS} characters, the user's new statements first`, async () => {
    // Prepare
    const priorSummary = Array.from(
      { length: 30 },
      (_, i) => `The user mentioned old fact number ${i}.`,
    ).join('\n');
    const turns: ExtractionTurn[] = [];
    for (let i = 0; i < 40; i++) {
      turns.push(userTurn(`I visited museum number ${i} last week.`));
      turns.push(agentTurn(`That sounds like a wonderful museum, tell me more about number ${i}.`));
    }

    // Act
    const { text } = await summarizer.summarize({ ownerId: OWNER, priorSummary, turns });

    // Assess
    expect(text.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
    expect(text).toContain('The user visited museum number 39 in the week of 15 June 2026.');
    expect(text).not.toContain('The assistant');
    expect(text).not.toContain('museum number 27');
    // What room is left goes to the prior summary's beginning.
    expect(text.split('\n')[0]).toBe('The user mentioned old fact number 0.');
  });

  it('keeps the beginning of a long prior summary when new lines are few', async () => {
    const priorSummary = Array.from(
      { length: 40 },
      (_, i) => `The user mentioned old fact number ${i}.`,
    ).join('\n');
    const { text } = await summarizer.summarize({
      ownerId: OWNER,
      priorSummary,
      turns: [userTurn('I love tea.')],
    });
    expect(text.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
    expect(text.startsWith('The user mentioned old fact number 0.')).toBe(true);
    expect(text.endsWith('\nThe user loves tea.')).toBe(true);
  });
});

describe('extractStatements', () => {
  it('labels each statement with its family', async () => {
    const statements = await statementsOf(
      userTurn("I'm a teacher. I love opera. I'm visiting Vienna next month. I saw Tosca last night."),
    );
    expect(statements.map((s) => [s.family, s.dated])).toEqual([
      ['identity', false],
      ['preference', false],
      ['plan', true],
      ['event', true],
    ]);
  });
});
