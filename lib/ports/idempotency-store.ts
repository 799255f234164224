/**
 * What a keyed request left behind: still running (`pending`, with the token of the request that
 * holds it) or finished with its answer. `requestHash` tells a retry from another request.
 */
export type IdempotencyRecord =
  | { readonly state: 'pending'; readonly requestHash: string; readonly token: string }
  | { readonly state: 'done'; readonly requestHash: string; readonly answer: unknown };

/**
 * Answers of requests sent with an `Idempotency-Key`, per store and operation, for operations
 * whose write spans several round trips (long-term creates: records, then indexes), so the key
 * is claimed before the work and the answer stored after it. (Appends keep theirs inside the
 * append script itself.) The key text is hashed into the storage key: any visible ASCII is safe.
 */
export interface IdempotencyStore {
  /**
   * Claims the key for `leaseMs` unless a record exists; answers the existing record, or undefined
   * when this call claimed it. One round trip.
   */
  claim(
    scope: IdempotencyScope,
    claim: { readonly requestHash: string; readonly token: string; readonly leaseMs: number },
  ): Promise<IdempotencyRecord | undefined>;
  /** The record under the key, if any (a concurrent duplicate polls this). */
  read(scope: IdempotencyScope): Promise<IdempotencyRecord | undefined>;
  /** Stores the answer for `retentionSeconds`, replacing the claim. */
  complete(
    scope: IdempotencyScope,
    done: { readonly requestHash: string; readonly answer: unknown; readonly retentionSeconds: number },
  ): Promise<void>;
  /** Drops the claim if this request still holds it (it failed: a retry runs afresh). */
  release(
    scope: IdempotencyScope,
    claim: { readonly requestHash: string; readonly token: string },
  ): Promise<void>;
}

export interface IdempotencyScope {
  readonly storeId: string;
  /** The operation the key is for, e.g. `ltm-create`: keys of different operations never meet. */
  readonly operation: 'ltm-create';
  readonly key: string;
}
