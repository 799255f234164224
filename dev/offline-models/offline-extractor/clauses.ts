import { MONTH_NAMES, WEEKDAY_NAMES } from './dates.js';

export function normalize(text: string): string {
  return (
    text
      .replace(/[\u2018\u2019\u02bc`´]/g, "'")
      .replace(/[\u201c\u201d]/g, '"')
      .replace(/\p{Extended_Pictographic}|\ufe0f|\u200d/gu, ' ')
      // An emoticon ends what came before it, like a full stop.
      .replace(/(^|\s)[:;=8]-?[)(DPpO3/\\|]+(?=\s|$)/g, '$1.')
      .replace(/\bgonna\b/gi, 'going to')
      // chrono reads "Tue" and "Thu" but not these spellings.
      .replace(/\bTues\b/g, 'Tuesday')
      .replace(/\bThurs?\b/g, 'Thursday')
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

export function stripLeadingFillers(clause: string): string {
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
export const LEADING_TIME = new RegExp(`^(${TIME_PHRASE}),?\\s+(?=(?:I|we|my)\\b)`, 'i');
const TIME_ONLY = new RegExp(`^${TIME_PHRASE}[,\\s]*$`, 'i');

/** A leading time phrase moved to the end: lower case unless a name ("in May"), no "just". */
export function movedTime(phrase: string): string {
  const out = phrase.replace(/^(?:just|back)\s+(?!in\b)/i, '');
  const first = out.split(' ')[0]!;
  const isName = [...MONTH_NAMES, ...WEEKDAY_NAMES].some((n) => n.toLowerCase() === first.toLowerCase());
  return isName ? out : out.charAt(0).toLowerCase() + out.slice(1);
}

export const REQUEST =
  /^(?:please\b|pls\b|can you|could you|would you|will you|help me|tell me|show me|find me|give me|let me|let us|let's|recommend|suggest|any (?:ideas|suggestions|recommendations|tips)|I (?:really )?need (?:some |your )?(?:help|advice|assistance|suggestions|recommendations|ideas|tips|info|information|a recommendation|you)|I would (?:really )?(?:like|love|appreciate) (?:you|some help|help|some advice|to ask|to know|some suggestions|some recommendations|some ideas|some tips|a recommendation|your)|I want you|I am (?:also )?looking for|I was wondering|I wonder|I am wondering|I have a (?:quick )?question|I am curious)\b/i;
