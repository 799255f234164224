/**
 * The current invocation's deadline, set by a handler from its Lambda context. Lambda runs one
 * invocation per container at a time, so one value per process is enough; clients built once per
 * cold start (the model adapters) read it to keep retries inside the time that is left.
 */
let deadline: number | undefined;

export function setInvocationDeadline(remainingMs: number | undefined): void {
  deadline = remainingMs === undefined ? undefined : Date.now() + remainingMs;
}

/** Milliseconds left in this invocation; Infinity outside Lambda (tests, scripts). */
export function remainingInvocationMs(): number {
  return deadline === undefined ? Number.POSITIVE_INFINITY : Math.max(0, deadline - Date.now());
}
