import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import { sessionEventSchema } from '../../contracts/session-memory.js';
import { conversationRecordId } from '../../domain/conversation-records.js';
import { cutEvidence, type SourceEvidence, type SourceResolution } from '../../domain/provenance.js';
import type { EventSourceResolver } from '../../ports/source-resolver.js';
import { memoryKeys, sessionKeys } from './keys.js';
import { redisCall } from './redis-call.js';
import { READ_SOURCE_EVIDENCE } from './scripts/generated.js';

const roleSchema = z.enum(['USER', 'ASSISTANT', 'SYSTEM']);
const entrySchema = z.tuple([
  z.number(),
  z.string(),
  z.number(),
  z.string(),
  z.string(),
  z.union([z.string(), z.number()]),
]);

/**
 * A memory's event sources from Redis in one round trip (scripts/read-source-evidence.lua): the
 * event in session memory while it exists, else its conversation record (the id promotion gave
 * the turn: lib/domain/conversation-records.ts), and the liveness of the memory's sessions.
 */
export class UpstashEventSourceResolver implements EventSourceResolver {
  private readonly script;

  constructor(redis: Redis) {
    this.script = redis.createScript<unknown, true>(READ_SOURCE_EVIDENCE.source, { readonly: true });
  }

  async resolveEvents(
    storeId: string,
    request: Parameters<EventSourceResolver['resolveEvents']>[1],
  ): ReturnType<EventSourceResolver['resolveEvents']> {
    const { events, sessionIds, now, maxEvidenceChars } = request;
    if (events.length === 0 && sessionIds.length === 0) return { events: [], liveSessionIds: new Set() };
    const recordIds = events.map((e) => conversationRecordId(e.sessionId, e.eventId));
    const reply = await redisCall('read memory sources', () =>
      this.script.exec(
        [
          ...events.map((e) => sessionKeys.events(storeId, e.sessionId)),
          ...recordIds.map((id) => memoryKeys.record(storeId, id)),
          ...sessionIds.map((id) => sessionKeys.meta(storeId, id)),
        ],
        // UTF-8 takes at most 3 bytes per UTF-16 unit, so this bound never cuts below the limit.
        [String(events.length), String(now), String(3 * maxEvidenceChars), ...events.map((e) => e.eventId)],
      ),
    );
    const values = z.array(z.union([z.string(), z.number()])).parse(reply);
    const resolved = events.map((_, i): SourceResolution => {
      const [code, text, fullBytes, role, actorId, occurredAt] = entrySchema.parse(
        values.slice(i * 6, i * 6 + 6),
      );
      if (code === 0) return { state: 'expired' };
      if (code === 3) return { state: 'live', evidence: fromStoredEvent(text, maxEvidenceChars) };
      const cut = cutEvidence(text, maxEvidenceChars, Buffer.byteLength(text) < fullBytes);
      const speaker = roleSchema.safeParse(role);
      const evidence: SourceEvidence = {
        text: cut.text,
        textTruncated: cut.truncated,
        from: code === 1 ? 'session-memory' : 'conversation-record',
        ...(code === 2 ? { memoryId: recordIds[i]! } : {}),
        ...(actorId ? { actorId } : {}),
        ...(speaker.success ? { role: speaker.data } : {}),
        ...(occurredAt !== '' ? { occurredAt: isoOf(occurredAt) } : {}),
      };
      return { state: code === 1 ? 'live' : 'expired', evidence };
    });
    const live = values.slice(events.length * 6);
    return { events: resolved, liveSessionIds: new Set(sessionIds.filter((_, j) => live[j] === 1)) };
  }
}

/** An event the script could not decode (a lone surrogate escape), parsed here instead. */
function fromStoredEvent(json: string, maxChars: number): SourceEvidence {
  const event = sessionEventSchema.parse(JSON.parse(json));
  const cut = cutEvidence(event.content.map((p) => p.text).join('\n'), maxChars);
  return {
    text: cut.text,
    textTruncated: cut.truncated,
    from: 'session-memory',
    actorId: event.actorId,
    role: event.role,
    occurredAt: event.createdAt,
  };
}

function isoOf(value: string | number): string {
  return typeof value === 'number' ? new Date(value).toISOString() : value;
}
