import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DependencyUnavailableError, DomainError } from '../../lib/domain/errors.js';
import { describeError, type Logger } from '../../lib/observability/logger.js';
import { problemResponse } from './problem.js';

/**
 * The one place a failure becomes an HTTP answer (onError): a problem body (problem.ts), logged
 * when it is a 5xx or a timeout. `logger` is independent of any app, whose construction may be
 * what failed.
 */
export function problemResponses(logger: Logger): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    name: 'problemResponses',
    onError: (request) => {
      const response = problemResponse(outOfTime(request.error), request.event.path);
      if (response.statusCode >= 500 || request.error?.name === 'TimeoutError') {
        logger.error('request failed', {
          route: request.event.resource,
          requestId: request.event.requestContext?.requestId,
          ...describeError(request.error),
        });
      }
      request.response = response;
    },
  };
}

/**
 * middy answers for a handler still running just before the function's timeout with its own
 * `TimeoutError`; the dependency that kept it waiting is unavailable, so say that (retryable).
 */
function outOfTime(error: Error | null): unknown {
  return error && !(error instanceof DomainError) && error.name === 'TimeoutError'
    ? new DependencyUnavailableError('A dependency did not answer in time', 1)
    : error;
}
