import type * as z from 'zod';
import {
  createDocument,
  type ZodOpenApiObject,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { problemSchema } from '../../lib/contracts/common.js';
import type { OperationContract } from '../../lib/contracts/operations.js';

/** How one document renders the operations it holds (security, tags, error bodies). */
export interface OperationStyle {
  readonly operationId: string;
  readonly tag: string;
  /** `x-` fields, placed after the tags. */
  readonly extensions: Record<string, unknown>;
  readonly security: ZodOpenApiOperationObject['security'];
  /** Listed in any order and with repeats; rendered sorted and once. */
  readonly errorStatuses: readonly number[];
  readonly errorResponse: (status: number) => ZodOpenApiResponseObject;
}

export function addOperation(
  paths: ZodOpenApiPathsObject,
  route: { readonly method: string; readonly path: string },
  c: Omit<OperationContract, 'operationId'>,
  style: OperationStyle,
): void {
  const errorStatuses = [...new Set(style.errorStatuses)].sort();
  const operation: ZodOpenApiOperationObject = {
    operationId: style.operationId,
    summary: c.summary,
    ...(c.description ? { description: c.description } : {}),
    tags: [style.tag],
    ...style.extensions,
    security: style.security,
    requestParams: {
      ...(c.pathParameters ? { path: c.pathParameters } : {}),
      ...(c.query ? { query: c.query } : {}),
      ...(c.headers ? { header: c.headers } : {}),
    },
    ...(c.body
      ? {
          requestBody: {
            required: c.bodyRequired ?? false,
            content: { [c.bodyMediaType ?? 'application/json']: { schema: c.body } },
          },
        }
      : {}),
    responses: {
      [String(c.status)]: {
        description: c.status === 204 ? 'Deleted' : 'Success',
        ...(c.response ? { content: { [c.mediaType ?? 'application/json']: { schema: c.response } } } : {}),
      },
      ...Object.fromEntries(errorStatuses.map((status) => [String(status), style.errorResponse(status)])),
    },
  };
  paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
}

export function problemResponse(description: string | undefined): ZodOpenApiResponseObject {
  return {
    description: description ?? 'Error',
    content: { 'application/problem+json': { schema: problemSchema } },
  };
}

/** `createDocument` with the rendering rules both documents share. */
export function createOpenDocument(document: ZodOpenApiObject) {
  return createDocument(document, {
    outputIdSuffix: 'Output',
    // zod renders response objects closed (`additionalProperties: false`); a client validating
    // with it would break on the next added field, so responses stay open.
    // Objects declared `.strict()` (filters) are closed on purpose and stay so.
    override: ({ jsonSchema, zodSchema, io }) => {
      const catchall = (zodSchema._zod.def as { catchall?: z.ZodType }).catchall;
      const strict = catchall?._zod.def.type === 'never';
      if (io === 'output' && jsonSchema.additionalProperties === false && !strict) {
        delete jsonSchema.additionalProperties;
      }
    },
  });
}
