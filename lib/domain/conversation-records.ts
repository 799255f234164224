import { createHash } from 'node:crypto';
import {
  CONVERSATION_MEMORY_TYPE,
  MEMORY_TEXT_MAX,
  type StoredMemory,
} from '../contracts/long-term-memory.js';
import type { StoreConfig } from '../contracts/store-config.js';
import { SEQ_PER_MS } from './ranking.js';

/**
 * Conversation records: the session's own turns kept in long-term memory beside the extracted
 * facts, so an agent can recall what was said, not only what an extractor chose to keep
 * (docs/decisions/0009-conversation-memory.md has the measurements).
 *
 * Rules, in one place:
 * - USER and ASSISTANT turns are kept: what the user said and what the agent answered are both
 *   asked about later. SYSTEM turns are not: they are the agent's own instructions (the same on
 *   every session), match every query a little, and would put instructions into the memory
 *   prompt; the API has no TOOL role.
 * - One record per turn, with the turn's text after the store's exclusions (a dropped turn has no
 *   record, a redacted one keeps the redaction), cut to the longest memory text.
 * - Its id is derived from (session, event), so a redelivered or retried job finds the record it
 *   wrote and never writes a second one.
 * - `seq` is the server's order: the event id's server time, then the turn's arrival position, so
 *   ranking finds a turn's true neighbours whatever times the client sent.
 */

/**
 * Turns before a record that its index entry (vector and keyword) also reads: the turn says
 * "Pottery, mostly."; its index entry reads the question before it too. Measured with
 * bench/tune-ranking.ts (docs/decisions/0009-conversation-memory.md): turn recall@10 on the tune
 * split 0.688 with the turn alone, 0.748 with the one before, same ranking constants.
 */
export const INDEX_CONTEXT_TURNS = 1;

/**
 * What the indexes read for each record (in session order): the `INDEX_CONTEXT_TURNS` kept turns
 * before it, then its own text. `before` are the texts of the kept turns that precede the first
 * record (from earlier runs), oldest first. The record's own `text` stays the turn alone.
 */
export function conversationIndexTexts(
  records: ReadonlyArray<Pick<StoredMemory, 'text'>>,
  before: readonly string[] = [],
): string[] {
  const texts = [...before.slice(before.length - INDEX_CONTEXT_TURNS), ...records.map((r) => r.text)];
  const offset = texts.length - records.length;
  return records.map((r, i) =>
    [...texts.slice(Math.max(0, offset + i - INDEX_CONTEXT_TURNS), offset + i), r.text].join('\n'),
  );
}

/** Whether promotion keeps a conversation record of a turn with this role and text. */
export function keepsTurn(turn: Pick<ScreenedTurn, 'role' | 'text'>): boolean {
  return KEPT_ROLES.has(turn.role) && turn.text.trim().length > 0;
}

/** A turn as promotion sees it, after the store's exclusions. */
export interface ScreenedTurn {
  readonly eventId: string;
  readonly role: 'USER' | 'ASSISTANT' | 'SYSTEM';
  readonly actorId: string;
  readonly text: string;
  /** The event's `createdAt`, epoch ms. */
  readonly createdAt: number;
  /** Position of the event in the session's arrival order (0 = first event ever appended). */
  readonly position: number;
}

export interface ConversationSession {
  readonly sessionId: string;
  readonly ownerId: string;
  readonly namespace?: string;
  /** The namespace resource the session is bound to: its records are filed there too. */
  readonly namespaceId?: string;
}

const KEPT_ROLES: ReadonlySet<ScreenedTurn['role']> = new Set(['USER', 'ASSISTANT']);

/** Whether the store keeps conversation records, and for how long (seconds). */
export function conversationRetention(config: StoreConfig): { enabled: boolean; ttlSeconds: number } {
  return {
    enabled: config.conversationMemory.enabled,
    ttlSeconds: config.conversationMemory.ttlSeconds ?? config.longTermMemory.ttlSeconds,
  };
}

/** The record id of one event's turn: `c` + 31 hex of sha256(session, event). */
export function conversationRecordId(sessionId: string, eventId: string): string {
  return `c${createHash('sha256')
    .update(JSON.stringify([sessionId, eventId]))
    .digest('hex')
    .slice(0, 31)}`;
}

/** Server milliseconds encoded in an event id's first 10 base-36 characters (lib/domain/ids.ts). */
export function eventServerTime(eventId: string): number | undefined {
  const ms = Number.parseInt(eventId.slice(0, 10), 36);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The conversation records of these turns (without `contentHash`, which the caller's hash adds). */
export function conversationRecords(input: {
  readonly session: ConversationSession;
  readonly turns: readonly ScreenedTurn[];
  readonly now: number;
  readonly ttlSeconds: number;
  readonly embeddingModel: string;
}): Array<Omit<StoredMemory, 'contentHash'>> {
  const { session, now } = input;
  return input.turns.flatMap((turn) => {
    if (!keepsTurn(turn)) return [];
    const text = turn.text.trim().slice(0, MEMORY_TEXT_MAX);
    const serverMs = eventServerTime(turn.eventId) ?? turn.createdAt;
    const record: Omit<StoredMemory, 'contentHash'> = {
      id: conversationRecordId(session.sessionId, turn.eventId),
      text,
      memoryType: CONVERSATION_MEMORY_TYPE,
      sessionId: session.sessionId,
      ownerId: session.ownerId,
      ...(session.namespace ? { namespace: session.namespace } : {}),
      ...(session.namespaceId ? { namespaceId: session.namespaceId } : {}),
      topics: [],
      sourceRefs: [turn.eventId],
      occurredAt: turn.createdAt,
      actorId: turn.actorId,
      role: turn.role as 'USER' | 'ASSISTANT',
      seq: serverMs * SEQ_PER_MS + (turn.position % SEQ_PER_MS),
      createdAt: now,
      updatedAt: now,
      expiresAt: now + input.ttlSeconds * 1000,
      embeddingModel: input.embeddingModel,
    };
    return [record];
  });
}
