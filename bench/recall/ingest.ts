import { setTimeout as sleep } from 'node:timers/promises';
import { BULK_MAX } from '../../lib/contracts/long-term-memory.js';
import { mapBounded } from '../retrieval/harness.js';
import type { Conversation } from '../retrieval/locomo.js';
import { type Api, send } from './http.js';
import { plainRecords, planSessions, type TurnIds } from './plan.js';

/** The HTTP side of bench:recall's writes: session events, promote-now and its status, bulk records. */

export interface IngestedSession {
  readonly sampleId: string;
  readonly sessionId: string;
  /** The largest event id returned for the session: promotion is done when its watermark gets here. */
  readonly lastEventId: string;
  readonly events: number;
}

/**
 * Appends a conversation's sessions as events, `concurrency` sessions at a time and each session's
 * turns one after the other (event ids carry the arrival time, and promotion reads in that order).
 * Records every returned event id in `turnIds`.
 */
export async function appendConversation(
  api: Api,
  storeId: string,
  conversation: Conversation,
  turnIds: TurnIds,
  concurrency: number,
): Promise<IngestedSession[]> {
  return mapBounded(planSessions(conversation), concurrency, async (session) => {
    let lastEventId = '';
    for (const { diaId, request } of session.events) {
      // The key makes a retried append (say after a 424 whose write did happen) return the first event.
      const response = await send(
        () =>
          api.post(`/v1/stores/${storeId}/session-memory/events`, request, {
            headers: { 'Idempotency-Key': `recall-${diaId}` },
          }),
        201,
        `append of ${conversation.sampleId} ${diaId}`,
      );
      const eventId = String(response.body.event.eventId);
      turnIds.add(eventId, diaId);
      if (eventId > lastEventId) lastEventId = eventId;
    }
    return {
      sampleId: conversation.sampleId,
      sessionId: session.sessionId,
      lastEventId,
      events: session.events.length,
    };
  });
}

/** GET …/promotion, the fields read here (lib/contracts/session-memory.ts promotionStatusSchema). */
interface PromotionStatus {
  readonly processedEvents: number;
  readonly pendingEvents: number;
  readonly watermarkEventId?: string;
  readonly lastError?: { readonly code: string; readonly at: string };
  readonly memoriesWritten: number;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
}

export interface PromotionTotals {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly memoriesWritten: number;
}

export interface PromoteOptions {
  readonly concurrency: number;
  /** Give up (and throw, naming the sessions) after this long. */
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly log: (line: string) => void;
}

/**
 * Promote-now for every session, then polls their promotion status until each watermark has
 * reached the session's last event. Returns the ledger's totals (extraction tokens, memories).
 */
export async function promoteAndWait(
  api: Api,
  storeId: string,
  sessions: readonly IngestedSession[],
  options: PromoteOptions,
): Promise<PromotionTotals> {
  const path = (sessionId: string) => `/v1/stores/${storeId}/session-memory/${sessionId}/promotion`;
  await mapBounded(sessions, options.concurrency, async (session) => {
    await send(() => api.post(path(session.sessionId)), 202, `promote-now of ${session.sessionId}`);
  });

  const statuses = new Map<string, PromotionStatus>();
  const waiting = new Map(sessions.map((s) => [s.sessionId, s]));
  const totalEvents = sessions.reduce((sum, s) => sum + s.events, 0);
  const deadline = Date.now() + options.timeoutMs;
  let lastReport = 0;
  while (waiting.size > 0) {
    await mapBounded([...waiting.values()], options.concurrency, async (session) => {
      const response = await send(
        () => api.get(path(session.sessionId)),
        200,
        `promotion status of ${session.sessionId}`,
      );
      const status = response.body as PromotionStatus;
      statuses.set(session.sessionId, status);
      if (status.watermarkEventId !== undefined && status.watermarkEventId >= session.lastEventId) {
        waiting.delete(session.sessionId);
      }
    });
    if (waiting.size === 0) break;
    if (Date.now() - lastReport >= 5_000) {
      lastReport = Date.now();
      const processed = [...statuses.values()].reduce((sum, s) => sum + s.processedEvents, 0);
      options.log(
        `promotion: ${sessions.length - waiting.size}/${sessions.length} sessions done, ${processed}/${totalEvents} events processed`,
      );
    }
    if (Date.now() > deadline) throw new Error(timeoutMessage([...waiting.values()], statuses, options));
    await sleep(options.pollMs ?? 250);
  }

  let inputTokens = 0;
  let outputTokens = 0;
  let memoriesWritten = 0;
  for (const status of statuses.values()) {
    inputTokens += status.usage.inputTokens;
    outputTokens += status.usage.outputTokens;
    memoriesWritten += status.memoriesWritten;
  }
  return { inputTokens, outputTokens, memoriesWritten };
}

function timeoutMessage(
  waiting: readonly IngestedSession[],
  statuses: ReadonlyMap<string, PromotionStatus>,
  options: PromoteOptions,
): string {
  const shown = waiting.slice(0, 5).map((session) => {
    const s = statuses.get(session.sessionId);
    const error = s?.lastError ? `, last error ${s.lastError.code} at ${s.lastError.at}` : '';
    return `${session.sessionId} (processed ${s?.processedEvents ?? 0}/${session.events}, pending ${s?.pendingEvents ?? '?'}${error})`;
  });
  const more = waiting.length > shown.length ? ` and ${waiting.length - shown.length} more` : '';
  return (
    `promotion did not reach the last event of ${waiting.length} session(s) within ${options.timeoutMs / 1000} s: ` +
    `${shown.join('; ')}${more}. Is the consumer running (runConsumer), and did a job end in the DLQ?`
  );
}

/** The plain client: one record per turn, bulk-created 100 at a time. Returns the number stored. */
export async function storePlainRecords(
  api: Api,
  storeId: string,
  conversation: Conversation,
): Promise<number> {
  const records = plainRecords(conversation);
  for (let i = 0; i < records.length; i += BULK_MAX) {
    const memories = records.slice(i, i + BULK_MAX);
    // Fixed ids and content: a repeat of a bulk create stores nothing twice.
    const response = await send(
      () => api.post(`/v1/stores/${storeId}/long-term-memory`, { memories }),
      201,
      `bulk create for ${conversation.sampleId}`,
    );
    const errors = (response.body?.errors ?? []) as Array<{ id: string; error: string }>;
    if (errors.length > 0) {
      throw new Error(
        `bulk create for ${conversation.sampleId}: ${errors.length} item(s) refused, first ${errors[0]?.id} (${errors[0]?.error})`,
      );
    }
  }
  return records.length;
}
