import { expect } from 'vitest';
import type * as z from 'zod';

/**
 * Parses with the schema and requires the result to equal the input: unknown fields fail too, so a
 * response schema missing a field the handler sends fails the caller's test.
 */
export function expectConforms(schema: z.ZodType, body: unknown, label: string) {
  const parsed = schema.safeParse(body);
  expect(parsed.error?.issues ?? [], label).toEqual([]);
  expect(parsed.data, `${label}: a field the contract does not declare`).toEqual(body);
}
