import type * as z from 'zod';
import { type FieldError, ValidationError } from '../domain/errors.js';

export type InputLocation = 'body' | 'query' | 'path';

/**
 * Field errors one 400 carries. Zod reports one issue per bad element, so a 1 MiB body of 100,000
 * bad record entries made an 11 MB problem body: past Lambda's 6 MB response limit, which API
 * Gateway turns into a 502. The first ones are enough to fix a request.
 */
export const MAX_FIELD_ERRORS = 20;

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
  const { issues } = result.error;
  const fields: FieldError[] = issues.slice(0, MAX_FIELD_ERRORS).map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : location,
    rule: issue.code,
    message: issue.message,
  }));
  const more = issues.length > fields.length ? `; and ${issues.length - fields.length} more` : '';
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  throw new ValidationError(`Invalid ${location}: ${summary}${more}`, fields);
}
