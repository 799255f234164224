import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod';
import { storePathSchema } from '../../lib/contracts/common.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { assertStoreAccess, type Grant, grantsSchema, type StoreAction } from '../../lib/domain/grants.js';

/** The event once the caller's grants are resolved (empty for `action: 'none'`). */
export type AuthorizedEvent = APIGatewayProxyEvent & { grants?: Grant[]; principal?: string };

/**
 * What the authorizer (functions/http/authorizer.ts) returns in its context: the grants as JSON
 * text and the key's principal (the first key id of its rotation line: decision record 0020).
 */
const authorizerContextSchema = z.object({ grants: z.string(), principal: z.string().optional() });

/**
 * The path's store against the grants the authorizer resolved for the caller's key (before): a
 * malformed store id is a 400, a store the key may not use for `action` a 403. `none` skips the
 * check (`/health`, the IAM-authorized admin API).
 */
export function storeAuthorization(action: StoreAction | 'none'): MiddlewareObj<APIGatewayProxyEvent> {
  return {
    name: 'storeAuthorization',
    before: (request) => {
      if (action === 'none') return;
      const { storeId } = parseInput(storePathSchema, request.event.pathParameters ?? {}, 'path');
      // API Gateway (or the local adapter) only invokes us after the authorizer allowed the key, so a
      // missing or malformed context is a wiring fault; deny rather than guess.
      const context = authorizerContextSchema.safeParse(request.event.requestContext?.authorizer);
      const grants = context.success ? grantsSchema.safeParse(safeJson(context.data.grants)) : undefined;
      const resolved = grants?.success ? grants.data : [];
      assertStoreAccess(resolved, storeId, action);
      (request.event as AuthorizedEvent).grants = resolved;
      const principal = context.success ? context.data.principal : undefined;
      if (principal) (request.event as AuthorizedEvent).principal = principal;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
