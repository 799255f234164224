/**
 * A memoised promise, forgotten on failure: `load` runs on the first call, and every caller after
 * it (concurrent ones included) shares that one promise. A rejection is dropped as it settles, so
 * the next call runs `load` again rather than replaying the failure for the rest of a warm
 * container's life (e.g. Secrets Manager unreachable for a moment at cold start).
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  return () => {
    // Called inside an async function so that a `load` that throws before its first await still
    // yields a rejected (and forgotten) promise rather than an exception.
    current ??= (async () => load())().catch((error: unknown) => {
      current = undefined;
      throw error;
    });
    return current;
  };
}
