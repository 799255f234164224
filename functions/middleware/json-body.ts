import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PayloadTooLargeError, ValidationError } from '../../lib/domain/errors.js';
import { LIMITS } from '../../lib/domain/limits.js';
import { headerValue } from './headers.js';
import { nestingDeeperThan } from './nesting-depth.js';

/** The event once its body is read: parsed for `json` routes, as text for `raw` ones. */
export type BodyEvent = APIGatewayProxyEvent & { parsedBody?: unknown; rawBody?: string };

/**
 * The request body (before): size and nesting limits for every route; for `json` routes also the
 * content type (JSON or absent) and the parse. A `raw` route gets the text (base64 decoded) and
 * answers malformed input itself. No body: nothing set.
 */
export function jsonBody(mode: 'json' | 'raw'): MiddlewareObj<APIGatewayProxyEvent> {
  return {
    name: 'jsonBody',
    before: (request) => {
      const event = request.event as BodyEvent;
      if (event.body === null || event.body === undefined || event.body === '') return;
      const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      if (Buffer.byteLength(raw, 'utf8') > LIMITS.requestBodyBytes) {
        throw new PayloadTooLargeError(`The request body exceeds ${LIMITS.requestBodyBytes} bytes`, [
          { field: 'body', rule: 'maxBytes', message: `must be at most ${LIMITS.requestBodyBytes} bytes` },
        ]);
      }
      if (mode === 'raw') {
        if (nestingDeeperThan(raw, LIMITS.jsonNestingDepth)) throw tooDeep();
        event.rawBody = raw;
        return;
      }
      const contentType = headerValue(event.headers, 'content-type');
      if (contentType !== undefined && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
        throw new ValidationError('The request body must be JSON', [
          { field: 'content-type', rule: 'mediaType', message: 'must be application/json' },
        ]);
      }
      if (nestingDeeperThan(raw, LIMITS.jsonNestingDepth)) throw tooDeep();
      try {
        event.parsedBody = JSON.parse(raw);
      } catch {
        throw new ValidationError('The request body is not valid JSON', [
          { field: 'body', rule: 'json', message: 'must be valid JSON' },
        ]);
      }
    },
  };
}

function tooDeep(): ValidationError {
  return new ValidationError(`The request body nests deeper than ${LIMITS.jsonNestingDepth} levels`, [
    { field: 'body', rule: 'maxDepth', message: `must nest at most ${LIMITS.jsonNestingDepth} levels` },
  ]);
}
