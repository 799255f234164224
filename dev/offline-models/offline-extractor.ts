import type {
  ExtractedMemory,
  ExtractionInput,
  ExtractionResult,
  MemoryExtractor,
  SessionSummarizer,
  SummaryInput,
  TokenUsage,
} from '../../lib/ports/memory-extractor.js';
import { customMemory } from './offline-extractor/custom-types.js';
import { loadLanguage } from './offline-extractor/language.js';
import { extractStatements } from './offline-extractor/statements.js';
import { isOwnerStatementTurn, summarizeTurns, summaryMemory } from './offline-extractor/summary.js';

export { type Concept, FIELD_CONCEPTS } from './offline-extractor/custom-types.js';
export type { Statement, StatementFamily } from './offline-extractor/statements.js';
export { MAX_SUMMARY_CHARS } from './offline-extractor/summary.js';
export { entitiesOf, TOPIC_KEYWORDS } from './offline-extractor/topics.js';

/**
 * The offline extractor: the model the Bedrock fake plays when there is no AWS (`npm run dev`,
 * tests, benchmarks), reached only through the fake's Converse route
 * (`dev/local-stack/offline-converse-responder.ts`), so local runs exercise the production Converse
 * adapter; dev and benchmark code, never deployed. Rules, not a model: it turns first-person statements (and "my <person> …" ones) into
 * standalone third-person memories, and leaves everything else alone. Two libraries do the language
 * work the rules stand on (loaded on the first call, see `offline-extractor/language.ts`): compromise
 * (parts of speech, verb forms, patterns over tagged words) and chrono-node (dates). The code is
 * split by concern under `offline-extractor/`: clauses, rules, predicates, verbs, statements, dates,
 * topics, custom types, summary.
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
 *    and match a row of the rule tables (`BE_RULES`, `HAVE_RULES`, … and the verb lists;
 *    summarized below); anything else produces nothing.
 * 4. The rest of the clause is cut before a trailing subordinate clause (", because…", ", which…",
 *    " but …", ", so …") and a name addressed at the end ("…, Jon"); relative dates are resolved
 *    against the turn's own `createdAt` (`offline-extractor/dates.ts`, tense from the rule: past for
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
 * The auxiliary after the subject picks a table (am -> `BE_RULES` in `offline-extractor/rules.ts`, was, have, had, will,
 * would, cannot, other modals), whose first matching row decides; otherwise negations ("do not",
 * "never", "did not") and main verbs go through verb lists. What each family covers:
 * | Family     | Statements (after "I" / "we"; adverbs such as "really", "usually", "never" may precede the verb) |
 * | ---------- | ---------------------------------------------------------------------------------------------- |
 * | preference | am (not) a (big) fan of X; am into / keen on / passionate about / interested in X; am allergic / intolerant to X; am (a) vegetarian / vegan / …; love / like / enjoy / adore / prefer / hate / dislike / detest X; do not / never like / eat / drink X; cannot stand / eat X; would rather / prefer X; would rather X than Y, prefer X to Y, like X more than Y -> "prefers X over Y"; no longer love / like X; have always wanted to X; my favourite X is Y |
 * | identity   | am a / an / the X; am married / retired / …; am N years old; am from X; am based / living in X; was born / raised in X; was a X; have / have got a / two / some X ("I have a dog named Max"); have been a X; can speak / play / cook … X; live / work / study / teach / own / speak / play / volunteer / … X (present habits); no longer <verb> X, am no longer X (the opposite polarity of the earlier statement, so consolidation supersedes it); used to X; am working on / studying / learning … X (current activities); have been X-ing; my name is X; my wife / son / dog / job / home … <verb> … |
 * | plan       | am planning / going / travelling / flying / moving / visiting / starting / getting … X; will X; would love / like to X; want / plan / hope / intend / aim / need to X; want a X; have to X; might go / visit / move … X; am about to / thinking of X; any other "am X-ing" with a date |
 * | event      | went / visited / started / finished / got / bought / met / moved / adopted / … X and any past tense compromise knows, except verbs of thought and feeling; have (just) <participle> X; have been to X; was promoted / hired / married / … X; had X; did not X (dated only); was in / at X (dated only); loved / enjoyed X (dated only) |
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
 * - Verb agreement and tenses are compromise's conjugation; a word it does not know as a verb is
 *   not read as one.
 * - Topics come from a small keyword table (`TOPIC_KEYWORDS`), entities are capitalized words.
 * - "I need help finding restaurants for the trip" is a request to the agent: nothing.
 *
 * ## Custom memory types
 * A type's fields are matched to a few concepts by keywords in the field's name and description
 * ({@link FIELD_CONCEPTS}): destinations ("going to Tokyo and Kyoto" -> Tokyo, Kyoto), dates (the
 * plan's or event's resolved date), diet (vegetarian, vegan, "X allergy", "no X"), allergies, name,
 * pets ("dog named Max"), home (lives in / is from X), occupation (works as / is a <profession>),
 * employer and work location ("works as a nurse at St. Mary's in Boston" -> nurse, St. Mary's,
 * Boston), likes, dislikes ("prefers tea over coffee" -> tea liked, coffee disliked), age. Someone
 * else's facts stay theirs: "My daughter is allergic to peanuts" fills no allergy of the user's.
 * Per call and type, one memory gathers every statement that fills at least one field: `attributes` holds the values (list fields get all of
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

/** Every first-person statement of one turn (no role or owner check: callers filter turns). */
export async function statementsOf(turn: Parameters<typeof extractStatements>[0]) {
  await loadLanguage();
  return extractStatements(turn);
}

export class OfflineExtractor implements MemoryExtractor {
  readonly id = OFFLINE_EXTRACTOR_ID;

  async extract(input: ExtractionInput): Promise<ExtractionResult> {
    await loadLanguage();
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
    await loadLanguage();
    const text = summarizeTurns(input.ownerId, input.priorSummary, input.turns);
    return { text, usage: usageOf([input.priorSummary ?? '', ...input.turns.map((t) => t.text)], [text]) };
  }
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
