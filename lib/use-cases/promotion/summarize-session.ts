import type { SessionEvent, SessionSummary } from '../../contracts/session-memory.js';
import type { StoreRecord } from '../../contracts/store-config.js';
import { DependencyUnavailableError } from '../../domain/errors.js';
import { eventsToFold } from '../../domain/promotion/summary-coverage.js';
import { screenTurns } from '../../domain/promotion/turns.js';
import { createExclusionFilter } from '../../domain/sensitive-data.js';
import { type SessionSummarizer, spentUsage, type TokenUsage } from '../../ports/memory-extractor.js';
import { chargeStore, NOTHING, type PromotionDeps } from './run-context.js';

/** Folds older events into the session summary once the retained events reach the threshold. */
export async function summarizeIfDue(
  deps: PromotionDeps,
  store: StoreRecord,
  prior: SessionSummary | undefined,
  ownerId: string,
  storeId: string,
  sessionId: string,
  events: readonly SessionEvent[],
  overBudget: boolean,
): Promise<{ events: number; usage: TokenUsage }> {
  const config = store.config.summarization;
  // Over budget, the summary waits for a later run (it only folds events; nothing is lost).
  if (!config?.enabled || overBudget) return { events: 0, usage: NOTHING };
  const fold = eventsToFold(events, prior, config.eventCount);
  if (fold.length === 0) return { events: 0, usage: NOTHING };
  const turns = screenTurns(fold, 0, createExclusionFilter(store.config.longTermMemoryExclusions));
  let result: Awaited<ReturnType<SessionSummarizer['summarize']>>;
  try {
    result = await deps.summarizer.summarize({ ownerId, priorSummary: prior?.text, turns });
  } catch (error) {
    await chargeStore(deps, storeId, spentUsage(error) ?? NOTHING);
    throw error;
  }
  await chargeStore(deps, storeId, result.usage);
  const now = new Date(deps.clock.now()).toISOString();
  const summary: SessionSummary = {
    text: result.text,
    summarizedUpToEventId: fold[fold.length - 1]!.eventId,
    createdAt: prior?.createdAt ?? now,
    updatedAt: now,
    metadata: {
      model: deps.summarizer.id,
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
    },
    summarizedEvents: (prior?.summarizedEvents ?? 0) + fold.length,
  };
  if (!(await deps.sessions.setSummary(storeId, sessionId, summary))) {
    throw new DependencyUnavailableError('The session disappeared while it was summarized');
  }
  return { events: fold.length, usage: result.usage };
}
