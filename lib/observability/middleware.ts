import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import { powertoolsLogger } from './logger.js';
import { flushMetricsPerInvocation } from './metrics.js';

/**
 * The observability middlewares of a middy chain, registered first so that the Lambda context is
 * on every log line of the invocation (request id, `cold_start`) and the metrics are flushed after
 * everything else, errors included (middy runs `after`/`onError` in reverse order).
 *
 * `logEvent: false` whatever POWERTOOLS_LOGGER_LOG_EVENT says: an event carries conversation text
 * and API keys. `resetKeys`: keys appended during one invocation never reach the next.
 */
export function observability(): MiddlewareObj[] {
  return [
    injectLambdaContext(powertoolsLogger, { logEvent: false, resetKeys: true }) as MiddlewareObj,
    flushMetricsPerInvocation(),
  ];
}
