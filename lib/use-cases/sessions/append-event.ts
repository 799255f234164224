import { createHash } from 'node:crypto';
import { promotionJob } from '../../contracts/promotion-message.js';
import type { AddSessionEventRequest, SessionEvent } from '../../contracts/session-memory.js';
import {
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  quotaExceededError,
  ValidationError,
} from '../../domain/errors.js';
import { idempotencyKeyReused, requestHashOf } from '../../domain/idempotency.js';
import { newEventId, newSessionId } from '../../domain/ids.js';
import { LIMITS } from '../../domain/limits.js';
import { describeError, type Logger } from '../../observability/logger.js';
import type { Clock } from '../../ports/clock.js';
import type { PromotionQueue } from '../../ports/promotion-queue.js';
import type { SessionAppender, SessionReader } from '../../ports/session-store.js';

export interface AppendSessionEventDeps {
  readonly sessions: SessionAppender & Pick<SessionReader, 'getEvent'>;
  readonly promotionQueue: PromotionQueue;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Stores one event (reference AddSessionEvent) and hands promotion work to the queue.
 *
 * The event is durable once the store accepts it; the queue send comes after. A burst of appends
 * opens one promotion window per session (the store's extraction cadence), so only the append that
 * opened it sends a job, delayed to the window's end. If that send fails the event is still stored
 * and the window stays recorded as due: the promotion sweeper re-sends overdue windows.
 */
export async function appendSessionEvent(
  deps: AppendSessionEventDeps,
  storeId: string,
  request: AddSessionEventRequest,
  options: { readonly idempotencyKey?: string } = {},
): Promise<SessionEvent> {
  assertWithinLimits(request);
  if (request.namespace !== undefined && request.namespaceRef !== undefined) {
    throw new ValidationError('Give namespace or namespaceRef, not both', [
      { field: 'namespaceRef', rule: 'exclusive', message: 'must not be combined with namespace' },
    ]);
  }
  const now = deps.clock.now();
  const { idempotencyKey } = options;
  const event: SessionEvent = {
    eventId: newEventId(now),
    actorId: request.actorId,
    // A retried request without a session id must land in the same new session as the first try.
    sessionId: request.sessionId ?? (idempotencyKey ? sessionIdFor(storeId, idempotencyKey) : newSessionId()),
    role: request.role,
    content: request.content.map(({ text }) => ({ text })),
    createdAt: new Date(request.createdAt).toISOString(),
    systemTimestamp: new Date(now).toISOString(),
    ...(request.metadata !== undefined ? { metadata: request.metadata } : {}),
  };

  const requestHash = idempotencyKey ? requestHashOf(request) : '';
  const result = await deps.sessions.appendEvent({
    storeId,
    event,
    namespace: request.namespace,
    ...(request.namespaceRef ? { namespaceId: request.namespaceRef.namespaceId } : {}),
    now,
    ...(idempotencyKey ? { idempotency: { key: idempotencyKey, requestHash } } : {}),
  });
  if (result.status === 'store-not-found') throw new NotFoundError('Store not found');
  if (result.status === 'replayed') {
    if (result.requestHash !== requestHash) throw idempotencyKeyReused('in this session');
    const stored = await deps.sessions.getEvent(storeId, event.sessionId, result.eventId);
    if (!stored)
      throw new ConflictError('The event first stored under this Idempotency-Key has been deleted');
    return stored;
  }
  if (result.status === 'session-full') {
    const holds =
      result.limit === 'events'
        ? `holds ${result.max} events already`
        : `would pass ${result.max} bytes of stored events with this one`;
    throw new PayloadTooLargeError(`The session ${holds}`, [
      { field: 'sessionId', rule: result.limit === 'events' ? 'maxEvents' : 'maxBytes', message: holds },
    ]);
  }

  if (result.status === 'owner-erasing') {
    throw new ConflictError(
      "This session's owner is being erased; write again once the erasure has finished",
    );
  }
  if (result.status === 'over-quota') throw quotaExceededError(result.quota, result.limit);
  if (result.status === 'namespace-missing') throw new NotFoundError('Namespace not found (namespaceRef)');
  if (result.status === 'namespace-mismatch')
    throw new ConflictError('The session is bound to another namespace (its first event chose it)');
  if (result.status === 'namespace-archived')
    throw new ConflictError("The session's namespace is archived and takes no new events");

  if (result.promotionWindow) {
    const message = promotionJob({
      storeId,
      sessionId: event.sessionId,
      windowStartedAt: result.promotionWindow.openedAt,
      dueAt: result.promotionWindow.dueAt,
    });
    const delaySeconds = Math.ceil((message.dueAt - now) / 1000);
    try {
      await deps.promotionQueue.enqueue(message, delaySeconds);
    } catch (error) {
      // Never fail the write for this: the sweeper finds the overdue window and re-sends it.
      deps.logger.warn('promotion enqueue failed; left for the sweeper', {
        storeId,
        sessionId: event.sessionId,
        ...describeError(error),
      });
    }
  }
  return event;
}

/** A new session's id derived from the idempotency key: 32 hex, like generated ids. */
function sessionIdFor(storeId: string, idempotencyKey: string): string {
  return createHash('sha256').update(`${storeId}\n${idempotencyKey}`).digest('hex').slice(0, 32);
}

function assertWithinLimits(request: AddSessionEventRequest): void {
  const textChars = request.content.reduce((sum, part) => sum + part.text.length, 0);
  if (textChars > LIMITS.eventTextChars) {
    throw new PayloadTooLargeError(`Event text exceeds ${LIMITS.eventTextChars} characters`, [
      {
        field: 'content',
        rule: 'maxLength',
        message: `text must total at most ${LIMITS.eventTextChars} characters`,
      },
    ]);
  }
  if (request.metadata !== undefined) {
    const bytes = Buffer.byteLength(JSON.stringify(request.metadata), 'utf8');
    if (bytes > LIMITS.eventMetadataBytes) {
      throw new PayloadTooLargeError(`Event metadata exceeds ${LIMITS.eventMetadataBytes} bytes`, [
        {
          field: 'metadata',
          rule: 'maxBytes',
          message: `must serialize to at most ${LIMITS.eventMetadataBytes} bytes`,
        },
      ]);
    }
  }
}
