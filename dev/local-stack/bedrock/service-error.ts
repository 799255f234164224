/* Error answers in Bedrock's wording, and the checks of model bodies that produce them. */

/** An error answer in Bedrock's format. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

export const validation = (message: string) => new ServiceError(400, 'ValidationException', message);
export const malformed = (detail: string) =>
  validation(`Malformed input request: ${detail}, please reformat your input and try again.`);

/** Answered by dropping the connection unanswered (a `'reset'` fault). */
export class ConnectionReset extends Error {}

/** A constraint violation worded as Bedrock words them. */
export const invalidMember = (path: string, constraint: string) =>
  validation(`1 validation error detected: Value at '${path}' failed to satisfy constraint: ${constraint}`);

export const notImplementedByFake = (what: string) =>
  validation(`${what} is not implemented by the fake Bedrock Runtime.`);

export function rejectExtraKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(body).find((key) => !allowed.includes(key));
  if (extra !== undefined) throw malformed(`extraneous key [${extra}] is not permitted`);
}

export function isFloatOnly(types: unknown): boolean {
  return Array.isArray(types) && types.length > 0 && types.every((type) => type === 'float');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
