import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The current invocation's deadline, taken by a handler from its Lambda context. Clients built once
 * per cold start (Redis, the model adapters) read it to keep calls and retries inside the time that
 * is left. It is scoped to the invocation's async context rather than the process: on Lambda one
 * invocation runs at a time either way, but the local stack runs every function in one process,
 * where one invocation's deadline must not cut short another, or code outside any invocation.
 */
const deadline = new AsyncLocalStorage<number>();

/** Runs `body` with a deadline `remainingMs` from now (none if undefined). */
export function withInvocationDeadline<T>(remainingMs: number | undefined, body: () => T): T {
  return remainingMs === undefined ? body() : deadline.run(Date.now() + remainingMs, body);
}

/** Milliseconds left in this invocation; Infinity outside one (tests, scripts). */
export function remainingInvocationMs(): number {
  const at = deadline.getStore();
  return at === undefined ? Number.POSITIVE_INFINITY : Math.max(0, at - Date.now());
}
