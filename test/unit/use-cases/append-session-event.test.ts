import { describe, expect, it } from 'vitest';
import { type PromotionMessage, promotionJob } from '../../../lib/contracts/promotion-message.js';
import type { AddSessionEventRequest } from '../../../lib/contracts/session-memory.js';
import { NotFoundError, PayloadTooLargeError } from '../../../lib/domain/errors.js';
import type { Logger } from '../../../lib/observability/logger.js';
import type { PromotionQueue } from '../../../lib/ports/promotion-queue.js';
import type {
  AppendEventInput,
  AppendEventResult,
  SessionAppender,
  SessionReader,
} from '../../../lib/ports/session-store.js';
import { appendSessionEvent } from '../../../lib/use-cases/sessions/append-event.js';

const NOW = Date.UTC(2026, 5, 25, 18, 0, 0);

const request: AddSessionEventRequest = {
  actorId: 'user-1',
  role: 'USER',
  content: [{ text: 'hello' }],
  createdAt: '2026-06-25T17:59:00Z',
};

/**
 * A session store that records appends and answers with a scripted result: only the two methods
 * the use case's narrow ports ask for, so no cast (test/fakes/ has the full in-memory store).
 */
function scriptedSessions(result: AppendEventResult) {
  const appended: AppendEventInput[] = [];
  const sessions: SessionAppender & Pick<SessionReader, 'getEvent'> = {
    appendEvent: async (input) => {
      appended.push(input);
      return result;
    },
    getEvent: async () => undefined,
  };
  return { sessions, appended };
}

function recordingQueue(fail = false) {
  const sent: Array<{ message: PromotionMessage; delaySeconds: number }> = [];
  const queue: PromotionQueue = {
    enqueue: async (message, delaySeconds) => {
      if (fail) throw new Error('queue down');
      sent.push({ message, delaySeconds });
    },
  };
  return { queue, sent };
}

function recordingLogger() {
  const warnings: Array<Record<string, unknown>> = [];
  const logger: Logger = {
    info: () => {},
    error: () => {},
    warn: (message, fields) => warnings.push({ message, ...fields }),
  };
  return { logger, warnings };
}

const appended = (window?: { openedAt: number; dueAt: number }): AppendEventResult => ({
  status: 'appended',
  ownerId: 'user-1',
  namespace: undefined,
  sessionCreated: true,
  promotionWindow: window,
});

describe('appendSessionEvent', () => {
  it('enqueues one job, delayed to the end of the window it opened', async () => {
    const { sessions, appended: calls } = scriptedSessions(appended({ openedAt: NOW, dueAt: NOW + 300_000 }));
    const { queue, sent } = recordingQueue();
    const event = await appendSessionEvent(
      { sessions, promotionQueue: queue, clock: { now: () => NOW }, logger: recordingLogger().logger },
      'store-1',
      { ...request, sessionId: 's-1' },
    );
    expect(calls[0]?.event).toEqual(event);
    expect(event.systemTimestamp).toBe(new Date(NOW).toISOString());
    expect(sent).toEqual([
      {
        message: promotionJob({
          storeId: 'store-1',
          sessionId: 's-1',
          windowStartedAt: NOW,
          dueAt: NOW + 300_000,
        }),
        delaySeconds: 300,
      },
    ]);
  });

  it('sends nothing while a window is already open', async () => {
    const { sessions } = scriptedSessions(appended(undefined));
    const { queue, sent } = recordingQueue();
    await appendSessionEvent(
      { sessions, promotionQueue: queue, clock: { now: () => NOW }, logger: recordingLogger().logger },
      'store-1',
      request,
    );
    expect(sent).toEqual([]);
  });

  it('still returns the stored event when the queue is down, and logs no content', async () => {
    const { sessions, appended: calls } = scriptedSessions(appended({ openedAt: NOW, dueAt: NOW + 60_000 }));
    const { queue } = recordingQueue(true);
    const { logger, warnings } = recordingLogger();
    const event = await appendSessionEvent(
      { sessions, promotionQueue: queue, clock: { now: () => NOW }, logger },
      'store-1',
      request,
    );
    expect(calls).toHaveLength(1);
    expect(event.content).toEqual([{ text: 'hello' }]);
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain('hello');
  });

  it('maps store-not-found and session-full to domain errors', async () => {
    const deps = (result: AppendEventResult) => ({
      sessions: scriptedSessions(result).sessions,
      promotionQueue: recordingQueue().queue,
      clock: { now: () => NOW },
      logger: recordingLogger().logger,
    });
    await expect(appendSessionEvent(deps({ status: 'store-not-found' }), 's', request)).rejects.toThrow(
      NotFoundError,
    );
    for (const [limit, rule] of [
      ['events', 'maxEvents'],
      ['bytes', 'maxBytes'],
    ] as const) {
      const refused = appendSessionEvent(deps({ status: 'session-full', limit, max: 7 }), 's', request);
      await expect(refused).rejects.toThrow(PayloadTooLargeError);
      await expect(refused).rejects.toMatchObject({
        fields: [{ field: 'sessionId', rule, message: expect.stringContaining('7') }],
      });
    }
  });

  it('refuses oversized text before touching the store', async () => {
    const { sessions, appended: calls } = scriptedSessions(appended());
    const big = { ...request, content: [{ text: 'a'.repeat(200_000) }, { text: 'b'.repeat(100_000) }] };
    await expect(
      appendSessionEvent(
        {
          sessions,
          promotionQueue: recordingQueue().queue,
          clock: { now: () => NOW },
          logger: recordingLogger().logger,
        },
        's',
        big,
      ),
    ).rejects.toThrow(PayloadTooLargeError);
    expect(calls).toEqual([]);
  });
});
