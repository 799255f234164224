import type { CustomMemoryType } from '../../contracts/store-config.js';
import {
  MONTH_NAMES,
  resolveRelativeDates,
  type Tense,
  WEEKDAY_NAMES,
} from '../../domain/text/relative-dates.js';
import type {
  ExtractedMemory,
  ExtractionInput,
  ExtractionResult,
  ExtractionTurn,
  MemoryExtractor,
  SessionSummarizer,
  SummaryInput,
  TokenUsage,
} from '../../ports/memory-extractor.js';

/**
 * The offline extractor: what stands in for Bedrock when there is no AWS (`npm run dev`, tests,
 * benchmarks). Rules, not a model: it turns plain first-person statements into standalone
 * third-person memories, and leaves everything else alone.
 *
 *   "I'm planning a trip to Japan next month" (25 June 2026) -> "The user is planning a trip to Japan
 *   in July 2026" (episodic); "Also, I'm a vegetarian." -> "The user is a vegetarian" (semantic).
 *
 * ## Which turns
 * Only USER turns whose `actorId` is the session owner's, and only the new turns (context turns are
 * for context only). ASSISTANT and SYSTEM turns never make memories, and neither do USER turns of
 * other actors: every memory is written about "the user", the owner (in the reference API, the first
 * event's actor), so another person's "I'm a vegetarian" would be pinned on the wrong person.
 *
 * ## Pipeline, per turn
 * 1. Normalize: curly quotes, emoji out, an emoticon ends a sentence, "gonna"/"wanna"/"gotta" spelled
 *    out, a lone "i" capitalized, contractions expanded ("I'm" -> "I am", "don't" -> "do not").
 * 2. Split into sentences (. ! ? and new lines; a sentence starting with "if" or "unless" is a
 *    hypothetical and is skipped whole), then clauses: on ";", dashes and brackets, before a
 *    conjunction or comma followed by a subject pronoun ("…, and I love sushi", "Wow, I …"), and
 *    before "and" + a verb, which inherits the subject ("I live in Lyon and work at a bakery" ->
 *    "I work at a bakery"). A leading time phrase moves to the end ("Yesterday, I went …").
 * 3. Per clause: drop questions ("?"), requests to the agent ("can you…", "please…", "I need help…",
 *    "I'm looking for…", "I'd like you to…"), and fillers and hedges at the start ("Also,",
 *    "Actually", "um", "I think", "I guess"). What remains must start with "I", "we" or "my <noun>"
 *    and match a row of the rule tables ({@link BE_RULES}, {@link HAVE_RULES}, … and the verb lists;
 *    summarized below); anything else produces nothing.
 * 4. The rest of the clause is cut before a trailing subordinate clause (", because…", ", which…",
 *    " but …", ", so …") and a name addressed at the end ("…, Jon"); relative dates are resolved
 *    against the turn's own timestamp ({@link resolveRelativeDates}, tense from the rule: past for
 *    events, future for plans). The clause is dropped if it still leans on something it does not
 *    name ("you", "it", "this", "that" as a pointer, "he", "she", "they", "there", "here", "another
 *    one" and the like), or if nothing but a date and filler words follow the verb ("I submitted a
 *    few more last week", "we had a great time").
 * 5. Rewritten to the third person: "I am" -> "The user is", "I love" -> "The user loves" (-s/-es/-ies,
 *    have -> has), "I do not" -> "The user does not", "I will" -> "The user will", "my"/"mine" ->
 *    "the user's", "me" -> "the user", "myself" -> "themselves"; "we" -> "The user and their
 *    companions" with a plural verb, "our" -> "their" after "we" ("the user's" after "I"), so a
 *    memory never says "we" without saying who; a clause-initial "My wife is …" ->
 *    "The user's wife is …". Fillers inside ("actually", "basically", "kind of", "um") and at the end
 *    ("lol", "too", "right now") go; trailing punctuation goes.
 *
 * ## Rule families
 * The auxiliary after the subject picks a table (am -> {@link BE_RULES}, was, have, had, will,
 * would, cannot, other modals), whose first matching row decides; otherwise negations ("do not",
 * "never", "did not") and main verbs go through verb lists. What each family covers:
 * | Family     | Statements (after "I" / "we"; adverbs such as "really", "usually", "never" may precede the verb) |
 * | ---------- | ---------------------------------------------------------------------------------------------- |
 * | preference | am (not) a (big) fan of X; am into / keen on / passionate about / interested in X; am allergic / intolerant to X; am (a) vegetarian / vegan / …; love / like / enjoy / adore / prefer / hate / dislike / detest X; do not / never like / eat / drink X; cannot stand / eat X; would rather / prefer X; have always wanted to X; my favourite X is Y |
 * | identity   | am a / an / the X; am married / retired / …; am N years old; am from X; am based / living in X; was born / raised in X; was a X; have / have got a / two / some X ("I have a dog named Max"); have been a X; can speak / play / cook … X; live / work / study / teach / own / speak / play / volunteer / … X (present habits); used to X; am working on / studying / learning … X (current activities); have been X-ing; my name is X; my wife / son / dog / job / home … <verb> … |
 * | plan       | am planning / going / travelling / flying / moving / visiting / starting / getting … X; will X; would love / like to X; want / plan / hope / intend / aim / need to X; want a X; have to X; might go / visit / move … X; am about to / thinking of X; any other "am X-ing" with a date |
 * | event      | went / visited / started / finished / got / bought / met / moved / … X and any regular past tense except verbs of thought and feeling; have (just) <participle> X; have been to X; was promoted / hired / married / … X; had X; did not X (dated only); was in / at X (dated only); loved / enjoyed X (dated only) |
 *
 * memoryType: `episodic` when a date was resolved or the clause names one (a year, a month) and is an
 * event; else `semantic`. "I just / recently <past verb>" counts as dated: "(as of <the turn's
 * day>)" is added.
 *
 * ## Strategies
 * `discrete`: every statement. `preferences`: the preference family only (dietary facts such as
 * "I'm a vegetarian" belong to it). Both: the union, once each. `summary`: one episodic memory,
 * "Conversation on <day of the first new turn>: <the summarizer's lines for the new turns>", citing
 * every new non-system turn. No strategy: no built-in memories (custom types still run). Identical
 * memories (same type, same words) are merged within a call, their source ids united.
 *
 * ## Limits (rules, not understanding)
 * - Only first-person statements that start their clause. "Tokyo is where I live", "Being a nurse is
 *   hard" and subject-less chat ("Gonna continue my edu") produce nothing.
 * - No coreference: "I love it" or "I went there" are dropped, not resolved from earlier turns.
 * - No irony, reported speech or world knowledge: sarcasm is taken literally; "I recently read a
 *   book" is past only because of "recently" (read, put, cut… are spelt the same in both tenses).
 * - No merging or contradiction handling across turns (that is the store's job: near-duplicates are
 *   only removed here when identical after normalization).
 * - Emotional states ("I'm so happy", "I'm excited about …") and opinions ("I think …") are left out.
 * - Verb agreement covers regular verbs and a list of irregular ones; unusual verbs may read oddly.
 * - Topics come from a small keyword table ({@link TOPIC_KEYWORDS}), entities are capitalized words.
 * - "I need help finding restaurants for the trip" is a request to the agent: nothing.
 *
 * ## Custom memory types
 * A type's fields are matched to a few concepts by keywords in the field's name and description
 * ({@link FIELD_CONCEPTS}): destinations ("going to Tokyo and Kyoto" -> Tokyo, Kyoto), dates (the
 * plan's or event's resolved date), diet (vegetarian, vegan, "X allergy", "no X"), allergies, name,
 * pets ("dog named Max"), home (lives in / is from X), occupation (works as / is a <profession>),
 * employer (works at / for X), likes, dislikes, age. Per call and type, one memory gathers every
 * statement that fills at least one field: `attributes` holds the values (list fields get all of
 * them, `str` fields them joined with ", ", `int`/`float` only age, `bool` only "is_<diet>"-style
 * fields), the text is those statements joined. A type none of whose fields match produces nothing.
 *
 * ## Token usage
 * No model runs, but the pipeline's cost figures should mean something locally: input tokens are the
 * characters a model would have read (prior summary, context and new turns) / 4, output tokens the
 * characters of the memories it returns (text and attributes) / 4 — the usual ~4 characters per
 * English token.
 */
export const OFFLINE_EXTRACTOR_ID = 'offline-v1';

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

export class OfflineExtractor implements MemoryExtractor {
  readonly id = OFFLINE_EXTRACTOR_ID;

  async extract(input: ExtractionInput): Promise<ExtractionResult> {
    const ownTurns = input.newTurns.filter((turn) => isOwnerStatementTurn(turn, input.ownerId));
    const statements = ownTurns.flatMap((turn) => extractStatements(turn));
    const memories: ExtractedMemory[] = [];
    const strategies = new Set(input.strategies);
    if (strategies.has('discrete') || strategies.has('preferences')) {
      for (const statement of statements) {
        if (!strategies.has('discrete') && statement.family !== 'preference') continue;
        memories.push({
          text: statement.text,
          memoryType: statement.dated ? 'episodic' : 'semantic',
          topics: statement.topics,
          entities: statement.entities,
          sourceEventIds: [statement.eventId],
        });
      }
    }
    if (strategies.has('summary')) {
      const summary = summaryMemory(input.ownerId, input.newTurns, statements);
      if (summary) memories.push(summary);
    }
    for (const type of input.customTypes) {
      if (type.extractionStrategy?.enabled === false) continue;
      const memory = customMemory(type, statements);
      if (memory) memories.push(memory);
    }
    const unique = dedupe(memories);
    const read = [
      input.priorSummary ?? '',
      ...input.contextTurns.map((t) => t.text),
      ...input.newTurns.map((t) => t.text),
    ];
    const written = unique.map((m) => m.text + (m.attributes ? JSON.stringify(m.attributes) : ''));
    return { memories: unique, usage: usageOf(read, written) };
  }
}

/** Extractive running summary: the user's statements, rewritten, and a line per other turn. */
export class OfflineSummarizer implements SessionSummarizer {
  readonly id = OFFLINE_EXTRACTOR_ID;

  async summarize(input: SummaryInput): Promise<{ text: string; usage: TokenUsage }> {
    const text = summarizeTurns(input.ownerId, input.priorSummary, input.turns);
    return { text, usage: usageOf([input.priorSummary ?? '', ...input.turns.map((t) => t.text)], [text]) };
  }
}

/** Summaries stay within this many characters (prior summary included). */
export const MAX_SUMMARY_CHARS = 800;

function isOwnerStatementTurn(turn: ExtractionTurn, ownerId: string): boolean {
  return turn.role === 'USER' && turn.actorId === ownerId;
}

/** ~4 characters per token for English text (OpenAI's and Anthropic's rule of thumb). */
function usageOf(read: readonly string[], written: readonly string[]): TokenUsage {
  const chars = (texts: readonly string[]) => texts.reduce((sum, t) => sum + t.length, 0);
  return { inputTokens: Math.ceil(chars(read) / 4), outputTokens: Math.ceil(chars(written) / 4) };
}

function dedupe(memories: readonly ExtractedMemory[]): ExtractedMemory[] {
  const byKey = new Map<string, ExtractedMemory>();
  for (const memory of memories) {
    const key = `${memory.memoryType}\u0000${memory.text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim()}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, memory);
      continue;
    }
    const sources = [...new Set([...seen.sourceEventIds, ...memory.sourceEventIds])];
    byKey.set(key, { ...seen, sourceEventIds: sources });
  }
  return [...byKey.values()];
}

// =============================================================================================
// Statements

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

function normalize(text: string): string {
  return (
    text
      .replace(/[\u2018\u2019\u02bc`´]/g, "'")
      .replace(/[\u201c\u201d]/g, '"')
      .replace(/\p{Extended_Pictographic}|\ufe0f|\u200d/gu, ' ')
      // An emoticon ends what came before it, like a full stop.
      .replace(/(^|\s)[:;=8]-?[)(DPpO3/\\|]+(?=\s|$)/g, '$1.')
      .replace(/\bgonna\b/gi, 'going to')
      .replace(/\bwanna\b/gi, 'want to')
      .replace(/\bgotta\b/gi, 'have to')
      .replace(/\b(?:kinda|sorta)\s+/gi, '')
      .replace(/(?:\bcuz|\bcoz|'cause)\b/gi, 'because')
      .replace(/\bi\b/g, 'I')
      .replace(/\bim\b/gi, "I'm")
      .replace(/\bI m\b/g, "I'm")
      .replace(/\bive\b/g, "I've")
      // Contractions, expanded once so the rules see one spelling.
      .replace(/\bI'm\b/gi, 'I am')
      .replace(/\bI've\b/gi, 'I have')
      .replace(/\bI'll\b/gi, 'I will')
      .replace(/\bI'd (?=(?:been|had|gone|done|never|already|just)\b)/gi, 'I had ')
      .replace(/\bI'd\b/gi, 'I would')
      .replace(/\bwe're\b/gi, 'we are')
      .replace(/\bwe've\b/gi, 'we have')
      .replace(/\bwe'll\b/gi, 'we will')
      .replace(/\bwe'd\b/gi, 'we would')
      .replace(/\bcan't\b|\bcan not\b/gi, 'cannot')
      .replace(/\bwon't\b/gi, 'will not')
      .replace(/\b(do|does|did|is|are|was|were|have|has|had|would|could|should)n't\b/gi, '$1 not')
      .replace(/[ \t]+/g, ' ')
  );
}

const ABBREVIATION = /\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|etc|e\.g|i\.e|approx|Mt)\.$/i;

/** Sentences, then clauses; a clause split before "and" + verb carries the subject forward. */
export function splitClauses(text: string): string[] {
  const sentences: string[] = [];
  for (const line of text.split(/\n+/)) {
    let current = '';
    for (const piece of line.split(/(?<=[.!?…]+)\s+/)) {
      current = current ? `${current} ${piece}` : piece;
      if (!ABBREVIATION.test(current)) {
        sentences.push(current);
        current = '';
      }
    }
    if (current) sentences.push(current);
  }
  const clauses: string[] = [];
  for (const sentence of sentences) {
    // "If I go to Paris, I will visit the Louvre": a hypothetical, not a plan.
    if (/^(?:if|unless|whenever)\b/i.test(stripLeadingFillers(sentence))) continue;
    const question = /\?\s*$/.test(sentence);
    const parts = sentence
      .split(/\s*;\s*|\s+[-–—]+\s+|\s*\(|\)\s*/)
      .flatMap((part) => part.split(CONJUNCTION_BEFORE_SUBJECT))
      .flatMap((part) => part.split(COMMA_BEFORE_SUBJECT));
    let subject: string | undefined;
    let pendingTime = '';
    for (const rawPart of parts) {
      if (!rawPart?.trim()) continue;
      // "Last Friday, I finished …": the time phrase belongs to the clause after the comma.
      if (TIME_ONLY.test(stripLeadingFillers(rawPart))) {
        pendingTime = stripLeadingFillers(rawPart).replace(/[,\s]+$/, '');
        continue;
      }
      // "…, and need help" -> "I need help": the verb takes the last clause's subject.
      const carried = rawPart.split(AND_BEFORE_VERB);
      for (const [i, piece] of carried.entries()) {
        let clause = piece.trim();
        if (!clause) continue;
        if (i > 0 && subject) clause = `${subject} ${clause}`;
        if (pendingTime) {
          clause = `${pendingTime}, ${clause}`;
          pendingTime = '';
        }
        const own = /^(I|we)\b/i.exec(stripLeadingFillers(clause));
        subject = own ? own[1] : undefined;
        // The sentence's question mark belongs to its last clause only, but a question's earlier
        // clauses ("Do you know a place, I love ramen?") are still part of the question.
        clauses.push(question ? `${clause.replace(/[.!?…]+$/, '')}?` : clause);
      }
    }
  }
  return clauses;
}

const SUBJECT_AHEAD = String.raw`(?=(?:I|I'm|I've|I'll|I'd|we|it|it's|he|he's|she|she's|they|they're|that|that's|this|there|there's|my|our|you|your)\b)`;
const CONJUNCTION_BEFORE_SUBJECT = new RegExp(
  String.raw`,?\s+(?:and|but|so|because|since|then|plus|though|although|while|or|whereas|yet|and then|and also|also|btw|by the way|anyway)\s+${SUBJECT_AHEAD}`,
  'i',
);
const COMMA_BEFORE_SUBJECT = /,\s+(?=(?:I|I'm|I've|I'll|I'd|my|we)\b)/;
const AND_BEFORE_VERB =
  /,?\s+and\s+(?=(?:also\s+)?(?:need|want|love|like|enjoy|hate|prefer|hope|plan|went|visited|started|finished|bought|met|moved|joined|spent|stayed|decided|live in|work (?:at|as|for|in)|got (?:a|an|my|married|engaged|promoted|back)|have (?:a|an|two|three)|took)\b)/i;

const LEADING_FILLER =
  /^(?:(?:also|actually|so|well|oh|wow|um+|uh+|u+m+|hmm+|yeah|yep|yes|no|nope|ok|okay|anyway|anyways|btw|by the way|honestly|plus|and|but|basically|lol|haha+|ha|ah+|hey|right|sure|cool|great|nice|awesome|omg|oh my god|fun fact|guess what|funny enough|in fact|to be honest|tbh|besides|still|then|now|personally|luckily|fortunately|unfortunately|sadly|anyhow|seriously|literally|true|exactly|totally|definitely|absolutely|of course|thanks|thank you|again)\b[,!.:]*\s*)+/i;
const LEADING_HEDGE =
  /^I (?:think|guess|believe|suppose|feel like|mean|reckon|would say|must say|have to say|have to admit|must admit|bet|hope that|know that|am sure|am pretty sure|am not sure if)(?: that)?,?\s+/i;

function stripLeadingFillers(clause: string): string {
  let out = clause.trim();
  for (let i = 0; i < 3; i++) {
    const next = out.replace(LEADING_FILLER, '').replace(LEADING_HEDGE, '').trim();
    if (next === out) break;
    out = next;
  }
  return out;
}

const TIME_PHRASE = String.raw`(?:just |earlier |later |back )?(?:yesterday|today|tomorrow|tonight|last night|the other day|recently|lately|(?:this|next|last|this past|this coming) \w+|(?:a|an|one|two|three|four|five|six|\d+|a few|a couple of) \w+ ago|in \w+(?: \d{4})?|on \w+(?: \d{1,2})?|back in \w+)(?: (?:morning|afternoon|evening|night))?`;
/** "Yesterday, I went …" -> "I went … yesterday", so the clause starts with its subject. */
const LEADING_TIME = new RegExp(`^(${TIME_PHRASE}),?\\s+(?=(?:I|we|my)\\b)`, 'i');
const TIME_ONLY = new RegExp(`^${TIME_PHRASE}[,\\s]*$`, 'i');

/** A leading time phrase moved to the end: lower case unless a name ("in May"), no "just". */
function movedTime(phrase: string): string {
  const out = phrase.replace(/^(?:just|back)\s+(?!in\b)/i, '');
  const first = out.split(' ')[0]!;
  const isName = [...MONTH_NAMES, ...WEEKDAY_NAMES].some((n) => n.toLowerCase() === first.toLowerCase());
  return isName ? out : out.charAt(0).toLowerCase() + out.slice(1);
}

const REQUEST =
  /^(?:please\b|pls\b|can you|could you|would you|will you|help me|tell me|show me|find me|give me|let me|let us|let's|recommend|suggest|any (?:ideas|suggestions|recommendations|tips)|I (?:really )?need (?:some |your )?(?:help|advice|assistance|suggestions|recommendations|ideas|tips|info|information|a recommendation|you)|I would (?:really )?(?:like|love|appreciate) (?:you|some help|help|some advice|to ask|to know|some suggestions|some recommendations|some ideas|some tips|a recommendation|your)|I want you|I am (?:also )?looking for|I was wondering|I wonder|I am wondering|I have a (?:quick )?question|I am curious)\b/i;

// =============================================================================================
// Clause analysis

type Subject = 'I' | 'we' | 'my';

interface Match {
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
  const resolved = resolveRelativeDates(rest, turn.createdAt, match.tense ? { tense: match.tense } : {});
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

const ADVERB =
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

function takeAdverbs(text: string): { adverbs: string; rest: string } {
  const kept: string[] = [];
  let rest = text;
  for (let match = ADVERB.exec(rest); match; match = ADVERB.exec(rest)) {
    const word = match[0].trim().toLowerCase();
    if (KEPT_ADVERBS.has(word)) kept.push(word);
    rest = rest.slice(match[0].length);
  }
  return { adverbs: kept.length ? `${kept.join(' ')} ` : '', rest };
}

interface VerbForms {
  readonly be: string;
  readonly bePast: string;
  readonly have: string;
  readonly doNot: string;
  present(verb: string): string;
}

const SINGULAR: VerbForms = {
  be: 'is',
  bePast: 'was',
  have: 'has',
  doNot: 'does not',
  present: thirdPersonVerb,
};
const PLURAL: VerbForms = { be: 'are', bePast: 'were', have: 'have', doNot: 'do not', present: (v) => v };

/** "love" -> "loves", "watch" -> "watches", "study" -> "studies", "have" -> "has". */
export function thirdPersonVerb(verb: string): string {
  const lower = verb.toLowerCase();
  const irregular: Record<string, string> = { have: 'has', be: 'is', do: 'does', go: 'goes', am: 'is' };
  if (irregular[lower]) return irregular[lower]!;
  if (/(?:s|sh|ch|x|z)$/.test(lower)) return `${verb}es`;
  if (/[^aeiou]y$/.test(lower)) return `${verb.slice(0, -1)}ies`;
  return `${verb}s`;
}

/**
 * One row of a rule table: what may follow an auxiliary ("I am …", "I have …"), and what it makes.
 * Rows are tried in order; the first whose pattern matches decides.
 */
interface Rule {
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

function applyRules(rules: readonly Rule[], head: string, text: string): Match | undefined {
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

const DIET_WORDS =
  'vegetarian|vegan|pescatarian|pescetarian|flexitarian|gluten[- ]free|dairy[- ]free|lactose[- ]intolerant|gluten[- ]intolerant|celiac|coeliac|halal|kosher|keto|paleo|teetotal|teetotaler|nut[- ]free';

const NOT_QUANTITY = String.raw`(?!(?:bit|little|lot|tad|mess|wreck|mix|big fan|huge fan|fan|same|first|one|only|best|worst)\b)`;

/** After "I am" / "we are". */
const BE_RULES: readonly Rule[] = [
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
const WAS_RULES: readonly Rule[] = [
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
const HAVE_RULES: readonly Rule[] = [
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
const HAD_RULES: readonly Rule[] = [
  { pattern: /^to\b/i, family: 'event', tense: 'past' },
  { pattern: /^[a-z]+\b/i, family: 'event', tense: 'past', when: (word) => isParticiple(word) },
  {
    pattern: /^(?=(?:a|an|my|the|some|\d+|two|three|lunch|dinner|breakfast|coffee|drinks|surgery|twins)\b)/i,
    family: 'event',
    keep: true,
    tense: 'past',
  },
];

/** After "I will": plans, but not conversational promises. */
const WILL_RULES: readonly Rule[] = [
  {
    pattern:
      /^(?:see|let|keep|talk|get back|think|check|update|tell|send|message|text|call|try|do (?:that|it|so|my best)|be (?:there|back|fine|okay|ok|right))\b/i,
    family: 'plan',
    reject: true,
  },
  { pattern: /^(?=[a-z]+\b)/i, family: 'plan', keep: true, tense: 'future' },
];

/** After "I would": wishes and preferences. */
const WOULD_RULES: readonly Rule[] = [
  {
    pattern: /^(?:love|like|enjoy) to\b/i,
    family: 'plan',
    tense: 'future',
    notBefore: /^(?:know|ask|hear|see|thank|share|say|chat|talk|help|learn more)\b/i,
  },
  { pattern: /^(?:rather|prefer)\b/i, family: 'preference', polarity: 'like' },
];

/** After "I cannot". */
const CANNOT_RULES: readonly Rule[] = [
  { pattern: /^(?:stand|bear|tolerate|handle)\b/i, family: 'preference', polarity: 'dislike' },
  { pattern: /^(?:eat|drink|have|digest)\b/i, family: 'preference' },
];

/** Other modals, right after the subject's adverbs. */
const MODAL_RULES: readonly Rule[] = [
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

const AUXILIARY = /^(am|are|was|were|have|has|had|will|shall|would|cannot)\b\s*(not\b\s*)?/i;

/** The predicate after "I" or "we": auxiliaries through their tables, then modals, negations, main verbs. */
function matchPredicate(predicate: string, subject: 'I' | 'we'): Match | undefined {
  const forms = subject === 'we' ? PLURAL : SINGULAR;
  const { adverbs, rest: p } = takeAdverbs(predicate);
  const aux = AUXILIARY.exec(p);
  if (aux) {
    const after = takeAdverbs(p.slice(aux[0].length));
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
function matchNegated(negation: string, text: string, adverbs: string, forms: VerbForms): Match | undefined {
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
function matchMainVerb(p: string, adverbs: string, forms: VerbForms): Match | undefined {
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
  if (AMBIGUOUS_PAST.has(lower) && /\b(?:just|recently|finally|already|once)\b/.test(adverbs)) {
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
function matchPossessive(predicate: string): Match | undefined {
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

/** Verbs whose past is spelt like their present. */
const AMBIGUOUS_PAST = new Set([
  'read',
  'put',
  'cut',
  'set',
  'hit',
  'quit',
  'hurt',
  'spread',
  'shut',
  'split',
  'let',
]);
const PREFERENCE_VERBS = new Set([
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
const DISLIKE_VERBS = new Set(['hate', 'dislike', 'detest', 'loathe', 'despise']);
const PAST_PREFERENCE = new Set(['loved', 'liked', 'enjoyed', 'hated', 'disliked', 'adored']);
const PLAN_VERBS = new Set(['plan', 'hope', 'intend', 'want', 'aim', 'expect', 'need', 'wish', 'mean']);
const FACT_VERBS = new Set(
  (
    'live work study teach own speak play practice practise volunteer drive cook bake paint draw write read ' +
    'collect belong go attend use wear eat drink run swim hike cycle bike surf ski dance sing knit garden ' +
    'train coach manage lead grow keep visit meditate exercise walk commute rent watch listen follow support ' +
    'identify celebrate pray care struggle suffer take run volunteer serve specialize specialise'
  ).split(' '),
);

/** Past verbs that report a thought, a feeling or speech rather than something that happened. */
const COGNITIVE = new Set(
  (
    'realized realised noticed wondered figured guessed imagined supposed assumed believed considered ' +
    'expected hoped wished meant mentioned asked answered replied agreed wanted needed seemed appeared ' +
    'talked thanked smiled laughed cried missed worried forgot remembered understood felt thought knew said ' +
    'told heard think know feel mean guess wonder hope want need see say tell talk ask love like ' +
    'loved liked enjoyed hated'
  ).split(' '),
);

const IRREGULAR_PAST = new Set(
  (
    'went saw got bought met took had did made ran won lost began became broke brought built caught came ' +
    'chose drew drank drove ate fell flew found gave grew held kept led left lent lit paid put quit read rode ' +
    'rang rose sang sat sold sent set shot slept spent spoke stood stole swam taught threw woke wore wrote ' +
    'hung dug fed fought forgave hid hit hurt bit blew bent cut dealt lay overcame shook shut sank split ' +
    'spread stuck struck swept tore upset withdrew sped knit sewed'
  ).split(' '),
);
const IRREGULAR_PARTICIPLES = new Set(
  (
    'been gone seen got gotten bought met taken had done made run won lost begun become broken brought built ' +
    'caught come chosen drawn drunk driven eaten fallen flown found given grown held kept led left paid put ' +
    'quit read ridden sung sold sent set spent spoken stood swum taught thrown worn written started finished ' +
    'hung dug fed fought hidden hit hurt cut dealt overcome shaken shut split spread stuck struck torn ' +
    'upset withdrawn sewn knitted'
  ).split(' '),
);

function isPastTense(word: string): boolean {
  if (IRREGULAR_PAST.has(word)) return !COGNITIVE.has(word);
  if (!/^[a-z]{3,}ed$/.test(word) || /eed$/.test(word)) return false;
  return !COGNITIVE.has(word) || PAST_PREFERENCE.has(word);
}

/** Any past form, events or not ("wanted", "said"): left as it is in the third person. */
function looksPast(word: string): boolean {
  return (
    IRREGULAR_PAST.has(word) || COGNITIVE_PAST.has(word) || (/^[a-z]{2,}ed$/.test(word) && !/eed$/.test(word))
  );
}
const COGNITIVE_PAST = new Set('said told felt thought knew heard understood forgot meant saw'.split(' '));

function isParticiple(word: string): boolean {
  const lower = word.toLowerCase();
  return IRREGULAR_PARTICIPLES.has(lower) || (/^[a-z]{3,}ed$/.test(lower) && !/eed$/.test(lower));
}

// =============================================================================================
// The rest of a clause

/** Trailing parts that would make the memory lean on context or wander off. */
const SUBORDINATE =
  /\s*,\s*(?:which|who|because|but|though|although|since|as|so|and so|where|when|while|if|unless|even though|like|especially|plus|lol|haha|no matter)\b.*$|\s+(?:because|but|though|although|unless|even though|so that|which|if|as well as|as long as|as soon as|since I|when I|cause|no matter)\s.*$/i;
const TRAILING_FILLER =
  /(?:(?:^|,?\s+)(?:personally|too|as well|lol|haha+|though|tho|honestly|actually|really|right now|anyway|anyways|and stuff|and everything|or something|you know|at the moment|these days|nowadays|for sure|again|now|already|yet|lately))+\s*$/i;
const INNER_FILLER = /\b(?:actually|basically|honestly|literally|kind of|sort of|um+|uh+|you know,?)\s+/gi;

function cutRest(rest: string): string {
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
function thirdPerson(rest: string, subject: Subject): string {
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

function formatDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

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

function topicsOf(text: string, family: StatementFamily): string[] {
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

function factsOf(text: string, match: Match, firstDate: string | undefined): Statement['facts'] {
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
  const allergic = /\ballergic to\s+(.+)$/i.exec(text);
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
    /\b(?:has|had) (?:a|an|two|three) ((?:[\w-]+\s+)?(?:dog|cat|puppy|kitten|horse|bird|hamster|rabbit|bunny|parrot|turtle|fish)s?)\b(?:\s+(?:named|called)\s+([A-Z][\p{L}'-]+(?:\s+and\s+[A-Z][\p{L}'-]+)?))?/u.exec(
      text,
    );
  if (pet) add('pets', pet[2] ? `${pet[1]} named ${pet[2]}` : pet[1]!);
  const home = HOME_PLACE.exec(text);
  if (home) add('home', ...placesIn((home[1] ?? home[2] ?? home[3])!));
  const occupation =
    /\bworks as\s+(?:a|an)\s+(.+)$/i.exec(text) ??
    (/^is\s+/.test(body) ? PROFESSIONS.exec(body.replace(/^is\s+/, '')) : null);
  if (occupation) add('occupation', occupation[1]!);
  const employer = /\bworks (?:at|for)\s+([A-Z][\p{L}\p{N}'&.-]*(?:\s+[A-Z][\p{L}\p{N}'&.-]*)*)/u.exec(text);
  if (employer) add('employer', employer[1]!);
  if (match.family === 'preference' && match.polarity) {
    const object = cutRest(thirdPerson(match.rest, 'I'));
    if (object && !/^(?:to|of)\b/i.test(object))
      add(match.polarity === 'like' ? 'likes' : 'dislikes', object);
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

function customMemory(type: CustomMemoryType, statements: readonly Statement[]): ExtractedMemory | undefined {
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

// =============================================================================================
// Summaries

function firstSentence(text: string): string {
  const sentences = text
    .replace(/\s+/g, ' ')
    .trim()
    .split(/(?<=[.!?…])\s+/);
  const chosen = sentences.find((s) => s.split(' ').length >= 3) ?? sentences[0] ?? '';
  return chosen.length > 200 ? `${chosen.slice(0, 199).replace(/\s+\S*$/, '')}…` : chosen;
}

interface SummaryLine {
  readonly text: string;
  /** 0: the user's own statements (kept first); 1: everything else. */
  readonly rank: 0 | 1;
}

function summaryLines(ownerId: string, turns: readonly ExtractionTurn[]): SummaryLine[] {
  const lines: SummaryLine[] = [];
  for (const turn of turns) {
    if (turn.role === 'SYSTEM' || !turn.text.trim()) continue;
    if (isOwnerStatementTurn(turn, ownerId)) {
      const statements = extractStatements(turn);
      if (statements.length) {
        for (const s of statements) lines.push({ text: `${s.text}.`, rank: 0 });
        continue;
      }
    }
    const sentence = firstSentence(turn.text);
    if (!sentence) continue;
    const verb = /\?$/.test(sentence) ? 'asked' : 'said';
    const who =
      turn.role === 'ASSISTANT' ? 'The assistant' : turn.actorId === ownerId ? 'The user' : turn.actorId;
    lines.push({ text: `${who} ${verb}: ${sentence}`, rank: 1 });
  }
  return lines;
}

/**
 * The running summary: the prior summary (its beginning, the earliest and often most defining
 * statements, as much as fits), then a line per new statement of the user and per other turn. New
 * lines take precedence over the prior summary; when they alone exceed {@link MAX_SUMMARY_CHARS}, the
 * lines of other speakers go first, then the user's oldest.
 */
export function summarizeTurns(
  ownerId: string,
  priorSummary: string | undefined,
  turns: readonly ExtractionTurn[],
): string {
  const prior = (priorSummary ?? '').trim();
  const priorLines = new Set(prior.split('\n').map((l) => l.trim()));
  let lines = summaryLines(ownerId, turns).filter((l) => !priorLines.has(l.text));
  const size = (ls: readonly SummaryLine[]) => ls.reduce((sum, l) => sum + l.text.length + 1, 0);
  for (const rank of [1, 0] as const) {
    while (size(lines) > MAX_SUMMARY_CHARS && lines.some((l) => l.rank === rank)) {
      const index = lines.findIndex((l) => l.rank === rank);
      lines = lines.filter((_, i) => i !== index);
    }
  }
  let fresh = lines.map((l) => l.text).join('\n');
  if (fresh.length > MAX_SUMMARY_CHARS)
    fresh = `${fresh.slice(0, MAX_SUMMARY_CHARS - 1).replace(/\s+\S*$/, '')}…`;
  const budget = MAX_SUMMARY_CHARS - fresh.length - (fresh ? 1 : 0);
  let kept = '';
  if (prior && budget >= 40) {
    if (prior.length <= budget) kept = prior;
    else {
      for (const line of prior.split('\n')) {
        if (kept.length + line.length + 1 > budget) break;
        kept = kept ? `${kept}\n${line}` : line;
      }
      if (!kept) kept = `${prior.slice(0, budget - 1).replace(/\s+\S*$/, '')}…`;
    }
  }
  return [kept, fresh].filter(Boolean).join('\n');
}

function summaryMemory(
  ownerId: string,
  turns: readonly ExtractionTurn[],
  statements: readonly Statement[],
): ExtractedMemory | undefined {
  const text = summarizeTurns(ownerId, undefined, turns);
  const first = turns[0];
  if (!text || !first) return undefined;
  return {
    text: `Conversation on ${formatDay(first.createdAt)}: ${text.replace(/\n/g, ' ')}`,
    memoryType: 'episodic',
    topics: [...new Set(statements.flatMap((s) => s.topics))].slice(0, 6),
    entities: [...new Set(statements.flatMap((s) => s.entities))],
    sourceEventIds: turns.filter((t) => t.role !== 'SYSTEM').map((t) => t.eventId),
  };
}
