import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * The LoCoMo development split (../shared/data/locomo/, read in place, never copied): conversations
 * as turns, and the questions of categories 1–4 with their cleaned evidence, as the data set's
 * README defines them.
 */
export const LOCOMO_PATH = resolve(import.meta.dirname, '../../../shared/data/locomo/locomo-dev.json');

export const CATEGORY_NAMES: Readonly<Record<number, string>> = {
  1: 'multi-hop',
  2: 'temporal',
  3: 'open-domain',
  4: 'single-hop',
};

export interface Turn {
  /** `D<session>:<turn>`, as in the data. */
  readonly diaId: string;
  /** 1-based session number. */
  readonly session: number;
  readonly speaker: string;
  readonly text: string;
  readonly blipCaption?: string;
}

export interface Session {
  readonly number: number;
  /** The data's free-text date, e.g. "1:56 pm on 8 May, 2023". */
  readonly dateText: string | undefined;
  /** The same as an RFC 3339 instant (UTC: the data names no zone), when it parses. */
  readonly date: string | undefined;
  readonly turns: readonly Turn[];
}

export interface Question {
  readonly question: string;
  readonly category: number;
  /** Evidence turn ids, cleaned up and restricted to turns that exist; never empty. */
  readonly evidence: readonly string[];
}

export interface Conversation {
  readonly sampleId: string;
  readonly speakers: readonly [string, string];
  readonly sessions: readonly Session[];
  readonly questions: readonly Question[];
}

interface RawTurn {
  speaker: string;
  dia_id: string;
  text: string;
  blip_caption?: string;
}

interface RawSample {
  sample_id: string;
  conversation: Record<string, unknown> & { speaker_a: string; speaker_b: string };
  qa: Array<{ question: string; category: number; evidence?: string[] }>;
}

export async function loadLocomo(path = LOCOMO_PATH): Promise<Conversation[]> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as RawSample[];
  return raw.map(parseSample);
}

function parseSample(sample: RawSample): Conversation {
  const { conversation } = sample;
  const sessions: Session[] = [];
  for (const key of Object.keys(conversation)) {
    const match = /^session_(\d+)$/.exec(key);
    if (!match) continue;
    const number = Number(match[1]);
    const dateText = conversation[`session_${number}_date_time`];
    const turns = (conversation[key] as RawTurn[]).map((t) => ({
      diaId: t.dia_id,
      session: number,
      speaker: t.speaker,
      text: t.text,
      ...(t.blip_caption ? { blipCaption: t.blip_caption } : {}),
    }));
    sessions.push({
      number,
      dateText: typeof dateText === 'string' ? dateText : undefined,
      date: typeof dateText === 'string' ? parseSessionDate(dateText) : undefined,
      turns,
    });
  }
  sessions.sort((a, b) => a.number - b.number);
  const turnIds = new Set(sessions.flatMap((s) => s.turns.map((t) => t.diaId)));
  const questions: Question[] = [];
  for (const qa of sample.qa) {
    if (qa.category < 1 || qa.category > 4) continue;
    const evidence = cleanEvidence(qa.evidence ?? [], turnIds);
    if (evidence.length === 0) continue;
    questions.push({ question: qa.question, category: qa.category, evidence });
  }
  return {
    sampleId: sample.sample_id,
    speakers: [conversation.speaker_a, conversation.speaker_b],
    sessions,
    questions,
  };
}

/**
 * The README's clean-up: split entries on `[;\s]+`, `D:11:26` -> `D11:26`, `D30:05` -> `D30:5`,
 * drop ids that match no turn (and duplicates).
 */
export function cleanEvidence(entries: readonly string[], turnIds: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    for (const piece of entry.split(/[;\s]+/)) {
      if (!piece) continue;
      const match = /^D:?(\d+):0*(\d+)$/.exec(piece);
      const id = match ? `D${Number(match[1])}:${Number(match[2])}` : piece;
      if (turnIds.has(id) && !out.includes(id)) out.push(id);
    }
  }
  return out;
}

/** The session of a `D<session>:<turn>` id. */
export function sessionOf(diaId: string): string {
  return diaId.slice(0, diaId.indexOf(':'));
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** "1:56 pm on 8 May, 2023" -> "2023-05-08T13:56:00Z"; undefined when it does not parse. */
export function parseSessionDate(text: string): string | undefined {
  const match = /^(\d{1,2}):(\d{2})\s*(am|pm)\s+on\s+(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})$/i.exec(text.trim());
  if (!match) return undefined;
  const [, hh, mm, ampm, day, monthName, year] = match;
  const month = MONTHS.indexOf(monthName!.toLowerCase());
  if (month < 0) return undefined;
  let hour = Number(hh) % 12;
  if (ampm!.toLowerCase() === 'pm') hour += 12;
  return new Date(Date.UTC(Number(year), month, Number(day), hour, Number(mm))).toISOString();
}

/** What a client would store for a turn: the speaker, the words, and what was shared. */
export function turnText(turn: Turn): string {
  return `${turn.speaker}: ${turnContent(turn)}`;
}

/**
 * What was said without who said it: the words, and a shared image's caption as
 * ` [shares <caption>]` (the data has no image, only its caption). A session event's text.
 */
export function turnContent(turn: Turn): string {
  const caption = turn.blipCaption ? ` [shares ${turn.blipCaption}]` : '';
  return `${turn.text}${caption}`;
}
