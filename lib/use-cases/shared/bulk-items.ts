import type * as z from 'zod';

/** One item of a bulk request that failed on its own (the others still succeed). */
export interface BulkOperationError {
  readonly id: string;
  readonly error: string;
}

/** How an item is named in `errors`: its id when it has a usable one, else its position. */
export function labelOf(item: unknown, index: number, field: 'memories' | 'memoryIds' = 'memories'): string {
  const id =
    field === 'memoryIds'
      ? item
      : typeof item === 'object' && item !== null
        ? (item as { id?: unknown }).id
        : undefined;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : `${field}[${index}]`;
}

/** A zod error as one line per issue (path: message), for a bulk item's `error`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`).join('; ');
}
