import { DependencyUnavailableError } from '../../domain/errors.js';

/**
 * Runs one Redis call and turns any transport or server failure into a retryable domain error.
 * The cause is kept for the error handler, but its message is never surfaced to callers or logs:
 * @upstash/redis appends the failed command, arguments included, to its error messages.
 */
export async function redisCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new DependencyUnavailableError(`The memory database is unavailable (${what})`, 1, { cause: error });
  }
}
