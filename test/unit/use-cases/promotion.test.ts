import { describe, expect, it } from 'vitest';
import type { PromotionMessage } from '../../../lib/contracts/promotion-message.js';
import { promotionJob } from '../../../lib/contracts/promotion-message.js';
import { NotFoundError, ValidationError } from '../../../lib/domain/errors.js';
import { PARK_AFTER_FAILED_RUNS } from '../../../lib/domain/promotion/window.js';
import { promoteSessionNow, retryParkedRanges } from '../../../lib/use-cases/promotion/promote-now.js';
import { PromotionBusyError, promoteSession } from '../../../lib/use-cases/promotion/promote-session.js';
import { getPromotionStatus } from '../../../lib/use-cases/promotion/status.js';
import { sweepOverduePromotions } from '../../../lib/use-cases/promotion/sweep-overdue.js';
import { appendSessionEvent } from '../../../lib/use-cases/sessions/append-event.js';
import { fact, facts, ScriptedExtractor } from '../../fakes/scripted-extractor.js';
import { STORE_ID, type World, world } from '../../fakes/world.js';

const job = (w: World, sessionId = 's1'): PromotionMessage =>
  promotionJob({ storeId: STORE_ID, sessionId, windowStartedAt: w.clock.now(), dueAt: w.clock.now() });

async function converse(w: World, texts: string[], sessionId = 's1') {
  const events = [];
  for (const text of texts) {
    events.push(
      await appendSessionEvent(w, STORE_ID, {
        sessionId,
        actorId: 'alice',
        role: 'USER',
        content: [{ text }],
        createdAt: new Date(w.clock.now()).toISOString(),
      }),
    );
    w.clock.advance(1_000);
  }
  return events;
}

describe('promoteSession', () => {
  it('extracts, writes facts and conversation records, then moves the watermark', async () => {
    // Arrange
    const w = world();
    const [e1, e2] = await converse(w, ['I am a vegetarian', 'I live in Lisbon']);
    const extractor = new ScriptedExtractor(
      facts([
        fact('The user is a vegetarian', [e1!.eventId]),
        fact('The user lives in Lisbon', [e2!.eventId]),
      ]),
    );
    // Act
    const outcome = await promoteSession({ ...w, extractor }, job(w));
    // Assert
    expect(outcome).toMatchObject({ status: 'promoted', processedEvents: 2, created: 2, conversation: 2 });
    const state = await w.ledger.readState(STORE_ID, 's1');
    expect(state.watermarkEventId).toBe(e2!.eventId);
    expect(state.memoriesWritten).toBe(2);
    const texts = w.records.all(STORE_ID).map((r) => r.text);
    expect(texts).toEqual(expect.arrayContaining(['The user is a vegetarian', 'I live in Lisbon']));
    expect(w.ledger.isLocked(STORE_ID, 's1')).toBe(false);
    expect(await w.ledger.storeTokens(STORE_ID, '2026-06-25')).toBe(120);
  });

  it('is a no-op when redelivered: nothing new after the watermark, nothing duplicated', async () => {
    const w = world();
    const [e1] = await converse(w, ['I am a vegetarian']);
    const extractor = new ScriptedExtractor(facts([fact('The user is a vegetarian', [e1!.eventId])]));
    await promoteSession({ ...w, extractor }, job(w));
    const again = await promoteSession({ ...w, extractor }, job(w));
    expect(again.status).toBe('nothing-new');
    expect(extractor.inputs).toHaveLength(1);
    expect(w.records.all(STORE_ID)).toHaveLength(2);
  });

  it('merges an identical fact from a later turn into the existing memory', async () => {
    const w = world({ config: { conversationMemory: { enabled: false } } });
    const [e1] = await converse(w, ['I am vegetarian']);
    const extractor = new ScriptedExtractor((input: { newTurns: Array<{ eventId: string }> }) =>
      facts([
        fact(
          'The user is a vegetarian',
          input.newTurns.map((t) => t.eventId),
        ),
      ]),
    );
    await promoteSession({ ...w, extractor }, job(w));
    const [e2] = await converse(w, ['Still vegetarian, yes']);
    const outcome = await promoteSession({ ...w, extractor }, job(w));
    expect(outcome).toMatchObject({ created: 0, merged: 1 });
    const [only] = w.records.all(STORE_ID);
    expect(only?.sourceRefs).toEqual([e1!.eventId, e2!.eventId]);
  });

  it('supersedes a contradicted fact and keeps it as history', async () => {
    const w = world({ config: { conversationMemory: { enabled: false } } });
    await converse(w, ['I eat meat']);
    const script = (text: string) => (input: { newTurns: Array<{ eventId: string }> }) =>
      facts([
        fact(
          text,
          input.newTurns.map((t) => t.eventId),
        ),
      ]);
    await promoteSession({ ...w, extractor: new ScriptedExtractor(script('The user eats meat')) }, job(w));
    await converse(w, ['I no longer eat meat']);
    const outcome = await promoteSession(
      { ...w, extractor: new ScriptedExtractor(script('The user no longer eats meat')) },
      job(w),
    );
    expect(outcome.superseded).toBe(1);
    const records = w.records.all(STORE_ID);
    const old = records.find((r) => r.text === 'The user eats meat');
    const now = records.find((r) => r.text === 'The user no longer eats meat');
    expect(old?.supersededBy).toBe(now?.id);
    expect(now?.supersedes).toEqual([old?.id]);
  });

  it('refuses to run while another worker holds the session lock', async () => {
    const w = world();
    await converse(w, ['hello']);
    await w.ledger.acquireLock(STORE_ID, 's1', 'other-worker', 60_000);
    await expect(promoteSession(w, job(w))).rejects.toThrow(PromotionBusyError);
  });

  it('defers without calling the model once the store budget for the day is spent', async () => {
    const w = world({ config: { extractionBudget: { tokensPerDay: 1_000 } } });
    await converse(w, ['hello']);
    await w.ledger.addStoreTokens(STORE_ID, '2026-06-25', 1_000);
    const outcome = await promoteSession(w, job(w));
    expect(outcome.status).toBe('deferred');
    expect(w.extractor.inputs).toEqual([]);
    expect(w.promotionQueue.sent.at(-1)?.delaySeconds).toBe(900);
    expect((await w.ledger.readState(STORE_ID, 's1')).deferredUntil).toBeGreaterThan(w.clock.now());
  });

  it(`parks a batch after ${PARK_AFTER_FAILED_RUNS} failed runs so later turns still promote`, async () => {
    const w = world();
    await converse(w, ['poisoned turn']);
    const extractor = new ScriptedExtractor(new ValidationError('model reply did not parse'));
    for (let run = 1; run < PARK_AFTER_FAILED_RUNS; run++) {
      await expect(promoteSession({ ...w, extractor }, job(w))).rejects.toThrow(ValidationError);
    }
    const parked = await promoteSession({ ...w, extractor }, job(w));
    expect(parked.status).toBe('parked');
    const status = await getPromotionStatus(w, STORE_ID, 's1');
    expect(status.parkedRanges).toHaveLength(1);
    expect(status.pendingEvents).toBe(0);
  });

  it('folds older events into the summary once the threshold is reached', async () => {
    const w = world({
      config: { summarization: { enabled: true, eventCount: { threshold: 3, retainCount: 1 } } },
    });
    await converse(w, ['one', 'two', 'three']);
    const outcome = await promoteSession(w, job(w));
    expect(outcome.summarized).toBe(2);
    const session = await w.sessions.getSession(STORE_ID, 's1');
    expect(session?.summary).toMatchObject({ text: 'one / two', summarizedEvents: 2 });
  });
});

describe('getPromotionStatus', () => {
  it('reports pending events and the open window; 404 for an unknown session', async () => {
    const w = world();
    await converse(w, ['a', 'b']);
    const status = await getPromotionStatus(w, STORE_ID, 's1');
    expect(status).toMatchObject({ pendingEvents: 2, processedEvents: 0, budgetExceeded: false });
    expect(status.nextRunAt).toBeDefined();
    await expect(getPromotionStatus(w, STORE_ID, 'nope')).rejects.toThrow(NotFoundError);
  });
});

describe('promoteSessionNow and retryParkedRanges', () => {
  it('sends an immediate job only when events are pending', async () => {
    const w = world();
    await converse(w, ['a']);
    const sentBefore = w.promotionQueue.sent.length;
    expect(await promoteSessionNow(w, STORE_ID, 's1')).toEqual({
      sessionId: 's1',
      queued: true,
      pendingEvents: 1,
    });
    expect(w.promotionQueue.sent.slice(sentBefore)).toEqual([{ message: job(w), delaySeconds: 0 }]);
    await promoteSession(w, job(w));
    expect(await promoteSessionNow(w, STORE_ID, 's1')).toMatchObject({ queued: false, pendingEvents: 0 });
  });

  it('answers a failed send with a retryable dependency error', async () => {
    const w = world();
    await converse(w, ['a']);
    w.promotionQueue.failing = true;
    await expect(promoteSessionNow(w, STORE_ID, 's1')).rejects.toMatchObject({ retryable: true });
    expect(w.logger.messages('warn')).toEqual(['promote-now send failed']);
  });

  it('marks parked ranges for retry and sends one job', async () => {
    const w = world();
    await converse(w, ['a']);
    expect(await retryParkedRanges(w, STORE_ID, 's1')).toEqual({
      sessionId: 's1',
      parkedRanges: 0,
      queued: false,
    });
    await w.ledger.commitRun(STORE_ID, 's1', {
      processedEvents: 0,
      inputTokens: 0,
      outputTokens: 0,
      memoriesWritten: 0,
      conversationRecordsWritten: 0,
      now: w.clock.now(),
      park: { firstEventId: 'a', lastEventId: 'b', events: 1, failures: 3, lastErrorCode: 'x', parkedAt: 1 },
    });
    expect(await retryParkedRanges(w, STORE_ID, 's1')).toMatchObject({ parkedRanges: 1, queued: true });
    expect((await w.ledger.parkedRanges(STORE_ID, 's1'))[0]?.retryRequestedAt).toBe(w.clock.now());
  });
});

describe('sweepOverduePromotions', () => {
  it('re-sends overdue windows once and postpones them by the grace period', async () => {
    const w = world();
    await converse(w, ['a']);
    w.promotionQueue.sent.length = 0;
    w.clock.advance(10 * 60_000);
    const report = await sweepOverduePromotions(w, { graceMs: 60_000, perStoreLimit: 10 });
    expect(report).toEqual({ storesVisited: 1, resent: 1, failed: 0 });
    expect(w.promotionQueue.sent[0]?.message.dueAt).toBe(w.clock.now() + 60_000);
    const again = await sweepOverduePromotions(w, { graceMs: 60_000, perStoreLimit: 10 });
    expect(again.resent).toBe(0);
  });
});
