import type * as z from 'zod';
import { type FieldError, ValidationError } from '../domain/errors.js';

export type InputLocation = 'body' | 'query' | 'path';

/**
 * Parses untrusted input with a schema; on failure throws a 400 whose `fields` name every bad
 * field (dotted path), the rule it broke and why. Values are never echoed back.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  location: InputLocation,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: FieldError[] = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : location,
    rule: issue.code,
    message: issue.message,
  }));
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  throw new ValidationError(`Invalid ${location}: ${summary}`, fields);
}
