import type { AddSessionEventRequest } from '../../lib/contracts/session-memory.js';
import { sanitizeId } from '../retrieval/harness.js';
import { type Conversation, turnContent, turnText } from '../retrieval/locomo.js';

/**
 * The pure part of bench:recall: what is sent for a LoCoMo conversation (session events, or the
 * plain client's records), how results map back to the data's turn ids, and the fixed splits.
 */

/** The data gives one time per session; turn i is stamped `session start + i × 30 s` (as bench:retrieval). */
export const TURN_SPACING_MS = 30_000;

/**
 * Tuning looks only at `tune`; figures worth quoting are the `held-out` ones. Fixed here so a
 * change tuned on the first two conversations is judged on the other three.
 */
export const SPLITS: Readonly<Record<'tune' | 'held-out', readonly string[]>> = {
  tune: ['conv-26', 'conv-30'],
  'held-out': ['conv-41', 'conv-42', 'conv-43'],
};

/** The split names a conversation is reported under: always `all`, plus its split if it has one. */
export function splitsOf(sampleId: string): string[] {
  const named = Object.entries(SPLITS).filter(([, ids]) => ids.includes(sampleId));
  return [...named.map(([name]) => name), 'all'];
}

/** Each conversation is one user of one store: speaker A, whose id is the sample id. */
export function ownerIdOf(conversation: Conversation): string {
  return sanitizeId(conversation.sampleId);
}

/** One API session per LoCoMo session. */
export function sessionIdOf(conversation: Conversation, sessionNumber: number): string {
  return sanitizeId(`${ownerIdOf(conversation)}-D${sessionNumber}`);
}

export interface PlannedEvent {
  readonly diaId: string;
  readonly request: AddSessionEventRequest;
}

export interface PlannedSession {
  readonly sessionId: string;
  /** In conversation order: appended one after the other (event ids carry the arrival time). */
  readonly events: readonly PlannedEvent[];
}

/**
 * The session events an agent would append for this user's chats.
 *
 * Owner and roles: the service takes a session's owner from the `actorId` of its first event,
 * whatever that event's role (lib/adapters/upstash/scripts/append-event.lua, README "Behaviour worth
 * knowing"), and extractors attribute a turn by its `role` (the offline one extracts only USER
 * turns whose actor is the owner). So every event carries the user's id as `actorId`, as an agent
 * does when it stores one user's conversation (the reference's actor is whose memory it is), and
 * the speaker decides only the role: speaker A USER, speaker B ASSISTANT. A session that opens
 * with speaker B (50 of the 128 development sessions) is still the user's, and B's words are
 * never taken for the user's.
 *
 * Text: the turn's words with a shared image's caption appended (`turnContent`), never the
 * speaker's name: the role says who spoke. `createdAt`: the session's date plus 30 s per turn.
 */
export function planSessions(conversation: Conversation): PlannedSession[] {
  const ownerId = ownerIdOf(conversation);
  const [userName, assistantName] = conversation.speakers;
  return conversation.sessions.map((session) => {
    const sessionId = sessionIdOf(conversation, session.number);
    if (session.date === undefined) {
      throw new Error(
        `${conversation.sampleId} session ${session.number}: date ${JSON.stringify(session.dateText)} does not parse`,
      );
    }
    const start = Date.parse(session.date);
    const events = session.turns.map((turn, i): PlannedEvent => {
      if (turn.speaker !== userName && turn.speaker !== assistantName) {
        throw new Error(`${conversation.sampleId} ${turn.diaId}: speaker is neither A nor B`);
      }
      return {
        diaId: turn.diaId,
        request: {
          sessionId,
          actorId: ownerId,
          role: turn.speaker === userName ? 'USER' : 'ASSISTANT',
          content: [{ text: turnContent(turn) }],
          createdAt: new Date(start + i * TURN_SPACING_MS).toISOString(),
        },
      };
    });
    return { sessionId, events };
  });
}

/**
 * What a plain client stores without the product's help: one record per turn, "Speaker: words",
 * its session, the turn id as source, the user as owner; no memory type, topics or times.
 */
export function plainRecords(conversation: Conversation) {
  const ownerId = ownerIdOf(conversation);
  return conversation.sessions.flatMap((session) =>
    session.turns.map((turn) => ({
      id: sanitizeId(`${ownerId}-${turn.diaId}`),
      text: turnText(turn),
      ownerId,
      sessionId: sessionIdOf(conversation, session.number),
      sourceRefs: [turn.diaId],
    })),
  );
}

/**
 * Event id -> turn id, filled as appends return event ids. Promoted memories name events in
 * `sourceRefs`; scoring wants turns.
 */
export class TurnIds {
  private readonly byEventId = new Map<string, string>();
  /** Source references seen in results that name no appended event (a sign of a broken mapping). */
  unknownRefs = 0;

  add(eventId: string, diaId: string): void {
    const known = this.byEventId.get(eventId);
    if (known !== undefined && known !== diaId) {
      throw new Error(`event ${eventId} returned for both ${known} and ${diaId}`);
    }
    this.byEventId.set(eventId, diaId);
  }

  get size(): number {
    return this.byEventId.size;
  }

  /** The turns a memory came from; references that are no known event (none expected) are counted and dropped. */
  turnsOf(sourceRefs: readonly string[] | undefined): string[] {
    const out: string[] = [];
    for (const ref of sourceRefs ?? []) {
      const diaId = this.byEventId.get(ref);
      if (diaId === undefined) this.unknownRefs++;
      else if (!out.includes(diaId)) out.push(diaId);
    }
    return out;
  }
}
