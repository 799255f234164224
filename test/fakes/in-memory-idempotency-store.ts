import type {
  IdempotencyRecord,
  IdempotencyScope,
  IdempotencyStore,
} from '../../lib/ports/idempotency-store.js';
import type { FakeClock } from './clock.js';

/** IdempotencyStore in memory, with expiry on the fake clock. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, { record: IdempotencyRecord; expiresAt: number }>();

  constructor(private readonly clock: FakeClock) {}

  async claim(
    scope: IdempotencyScope,
    claim: { requestHash: string; token: string; leaseMs: number },
  ): Promise<IdempotencyRecord | undefined> {
    // No await before the write: the claim is atomic, as the Redis script is.
    const prior = this.current(scope);
    if (prior) return prior;
    this.records.set(keyOf(scope), {
      record: { state: 'pending', requestHash: claim.requestHash, token: claim.token },
      expiresAt: this.clock.now() + claim.leaseMs,
    });
    return undefined;
  }

  async read(scope: IdempotencyScope): Promise<IdempotencyRecord | undefined> {
    return this.current(scope);
  }

  private current(scope: IdempotencyScope): IdempotencyRecord | undefined {
    const entry = this.records.get(keyOf(scope));
    return entry && entry.expiresAt > this.clock.now() ? structuredClone(entry.record) : undefined;
  }

  async complete(
    scope: IdempotencyScope,
    done: { requestHash: string; answer: unknown; retentionSeconds: number },
  ): Promise<void> {
    this.records.set(keyOf(scope), {
      record: { state: 'done', requestHash: done.requestHash, answer: structuredClone(done.answer) },
      expiresAt: this.clock.now() + done.retentionSeconds * 1000,
    });
  }

  async release(scope: IdempotencyScope, claim: { requestHash: string; token: string }): Promise<void> {
    const current = this.current(scope);
    if (current?.state === 'pending' && current.token === claim.token) this.records.delete(keyOf(scope));
  }
}

function keyOf(scope: IdempotencyScope): string {
  return JSON.stringify([scope.storeId, scope.operation, scope.key]);
}
