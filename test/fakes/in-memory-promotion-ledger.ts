import type { PromotionMessage } from '../../lib/contracts/promotion-message.js';
import type { Clock } from '../../lib/ports/clock.js';
import type {
  DueWindow,
  FailureRecord,
  ParkedRange,
  PromotionLedger,
  PromotionState,
  RunRecord,
} from '../../lib/ports/promotion-ledger.js';
import type { InMemorySessionStore } from './in-memory-session-store.js';

const EMPTY: PromotionState = {
  watermarkEventId: undefined,
  processedEvents: 0,
  runs: 0,
  lastRunAt: undefined,
  lastError: undefined,
  inputTokens: 0,
  outputTokens: 0,
  memoriesWritten: 0,
  conversationRecordsWritten: 0,
  deferredUntil: undefined,
};

/**
 * Promotion bookkeeping in memory. Windows live in the session store (the append opens them there,
 * as the Redis scripts share keys); the lock expires by the injected clock.
 */
export class InMemoryPromotionLedger implements PromotionLedger {
  private readonly states = new Map<string, PromotionState>();
  private readonly parked = new Map<string, ParkedRange[]>();
  private readonly streaks = new Map<string, { batch: string; count: number }>();
  private readonly locks = new Map<string, { holder: string; until: number }>();
  private readonly tokens = new Map<string, number>();
  /** Messages `recordJobReceived` saw. */
  readonly received: PromotionMessage[] = [];

  constructor(
    private readonly sessions: InMemorySessionStore,
    private readonly clock: Clock,
  ) {}

  async recordJobReceived(message: PromotionMessage, _now: number): Promise<boolean> {
    this.received.push(message);
    const key = `${message.storeId}/${message.sessionId}`;
    if (!(await this.sessions.getSession(message.storeId, message.sessionId))) return false;
    const window = this.sessions.windows.get(key);
    if (window && message.dueAt >= window.dueAt) this.sessions.windows.delete(key);
    return true;
  }

  async overdueWindows(storeId: string, before: number, limit: number): Promise<DueWindow[]> {
    return [...this.sessions.windows]
      .filter(([key, w]) => key.startsWith(`${storeId}/`) && w.dueAt < before)
      .slice(0, limit)
      .map(([key, w]) => ({ sessionId: key.slice(storeId.length + 1), dueAt: w.dueAt }));
  }

  async postponeWindow(storeId: string, sessionId: string, dueAt: number) {
    const window = this.sessions.windows.get(`${storeId}/${sessionId}`);
    if (window) window.dueAt = dueAt;
  }

  async dueAt(storeId: string, sessionId: string) {
    return this.sessions.windows.get(`${storeId}/${sessionId}`)?.dueAt;
  }

  async acquireLock(storeId: string, sessionId: string, holder: string, ttlMs: number) {
    const key = `${storeId}/${sessionId}`;
    const lock = this.locks.get(key);
    if (lock && lock.until > this.clock.now()) return false;
    this.locks.set(key, { holder, until: this.clock.now() + ttlMs });
    return true;
  }

  async releaseLock(storeId: string, sessionId: string, holder: string) {
    const key = `${storeId}/${sessionId}`;
    if (this.locks.get(key)?.holder === holder) this.locks.delete(key);
  }

  /** Whether someone holds the session's lock now (for assertions). */
  isLocked(storeId: string, sessionId: string): boolean {
    return (this.locks.get(`${storeId}/${sessionId}`)?.until ?? 0) > this.clock.now();
  }

  async readState(storeId: string, sessionId: string): Promise<PromotionState> {
    return this.states.get(`${storeId}/${sessionId}`) ?? EMPTY;
  }

  async commitRun(storeId: string, sessionId: string, run: RunRecord) {
    const key = `${storeId}/${sessionId}`;
    const state = await this.readState(storeId, sessionId);
    this.states.set(key, {
      ...state,
      watermarkEventId: run.watermarkEventId ?? state.watermarkEventId,
      processedEvents: state.processedEvents + run.processedEvents,
      runs: state.runs + 1,
      lastRunAt: run.now,
      lastError: undefined,
      inputTokens: state.inputTokens + run.inputTokens,
      outputTokens: state.outputTokens + run.outputTokens,
      memoriesWritten: state.memoriesWritten + run.memoriesWritten,
      conversationRecordsWritten: state.conversationRecordsWritten + run.conversationRecordsWritten,
      deferredUntil: undefined,
    });
    this.streaks.delete(key);
    let parked = this.parked.get(key) ?? [];
    if (run.resolvedParkedRange) parked = parked.filter((r) => r.firstEventId !== run.resolvedParkedRange);
    if (run.park) parked = [...parked, run.park];
    this.parked.set(key, parked);
  }

  async recordFailure(storeId: string, sessionId: string, failure: FailureRecord): Promise<number> {
    const key = `${storeId}/${sessionId}`;
    const state = await this.readState(storeId, sessionId);
    this.states.set(key, {
      ...state,
      lastError: { code: failure.code, at: failure.now },
      inputTokens: state.inputTokens + failure.inputTokens,
      outputTokens: state.outputTokens + failure.outputTokens,
    });
    if (failure.batchFirstEventId === undefined) return 0;
    const streak = this.streaks.get(key);
    const count = streak?.batch === failure.batchFirstEventId ? streak.count + 1 : 1;
    this.streaks.set(key, { batch: failure.batchFirstEventId, count });
    return count;
  }

  async parkedRanges(storeId: string, sessionId: string) {
    return [...(this.parked.get(`${storeId}/${sessionId}`) ?? [])];
  }

  async saveParkedRange(storeId: string, sessionId: string, range: ParkedRange) {
    const key = `${storeId}/${sessionId}`;
    this.parked.set(
      key,
      (this.parked.get(key) ?? []).map((r) => (r.firstEventId === range.firstEventId ? range : r)),
    );
  }

  async recordDeferral(storeId: string, sessionId: string, until: number, _now: number) {
    const state = await this.readState(storeId, sessionId);
    this.states.set(`${storeId}/${sessionId}`, { ...state, deferredUntil: until });
  }

  async storeTokens(storeId: string, day: string) {
    return this.tokens.get(`${storeId}/${day}`) ?? 0;
  }

  async addStoreTokens(storeId: string, day: string, tokens: number) {
    const total = (this.tokens.get(`${storeId}/${day}`) ?? 0) + tokens;
    this.tokens.set(`${storeId}/${day}`, total);
    return total;
  }
}
