import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { problemResponses } from '../../../functions/middleware/problem-responses.js';
import { NotFoundError } from '../../../lib/domain/errors.js';
import type { LogFields, Logger } from '../../../lib/observability/logger.js';
import { lambdaContext, restApiEvent } from './api-gateway-event.js';

function recordingLogger() {
  const errors: Array<{ message: string; fields?: LogFields }> = [];
  const logger: Logger = {
    info: () => {},
    warn: () => {},
    error: (message, fields) => errors.push({ message, fields }),
  };
  return { logger, errors };
}

function failingWith(error: Error, logger: Logger) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(problemResponses(logger))
    .handler(async () => {
      throw error;
    });
}

describe('problemResponses', () => {
  it('turns a domain error into its problem body, with the request path as instance, unlogged', async () => {
    // Prepare
    const { logger, errors } = recordingLogger();

    // Act
    const response = await failingWith(new NotFoundError('No such memory'), logger)(
      restApiEvent(),
      lambdaContext(),
    );

    // Assess
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({
      type: '/errors/resource-not-found',
      title: 'Resource not found',
      status: 404,
      detail: 'No such memory',
      instance: '/v1/stores/store-a/session-memory/events',
    });
    expect(errors).toEqual([]);
  });

  it('answers anything else with a 500 that says nothing internal, and logs it with route and request id', async () => {
    // Prepare
    const { logger, errors } = recordingLogger();

    // Act
    const response = await failingWith(new Error('redis at 10.0.0.7 refused'), logger)(
      restApiEvent(),
      lambdaContext(),
    );

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('10.0.0.7');
    expect(JSON.parse(response.body).type).toBe('/errors/unexpected-error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.fields).toMatchObject({
      route: '/v1/stores/{storeId}/session-memory/events',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    });
  });

  it("says a dependency is unavailable (424, Retry-After) when middy's timeout ends the handler", async () => {
    // Prepare
    const { logger, errors } = recordingLogger();
    const timeout = Object.assign(new Error('[AbortError]: The operation was aborted.'), {
      name: 'TimeoutError',
    });

    // Act
    const response = await failingWith(timeout, logger)(restApiEvent(), lambdaContext());

    // Assess
    expect(response.statusCode).toBe(424);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(errors).toHaveLength(1);
  });
});
