import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { readObservabilityConfig } from '../config/observability-config.js';
import { powertoolsLogger } from './logger.js';

/**
 * CloudWatch metrics in the Embedded Metric Format (EMF): each flush writes one JSON line to stdout
 * and CloudWatch Logs turns it into metrics, with no API call (and no cost) on the request path.
 * The figures are those DESIGN §4 reports; every name, unit and dimension is set in this module.
 *
 * Dimensions are `service` and `function_name` (the deployed function) only: never a tenant, a
 * store, a session or any text (each distinct value is a billed custom metric, and a dimension is
 * readable by anyone with CloudWatch access). Locally (no AWS_LAMBDA_FUNCTION_NAME) only `service`.
 *
 * Under POWERTOOLS_DEV (tests, local development) Powertools prints nothing unless
 * POWERTOOLS_METRICS_DISABLED=false; POWERTOOLS_METRICS_DISABLED=true silences it anywhere.
 */
export const METRICS_NAMESPACE = 'AgentMemory';

const config = readObservabilityConfig();

/** The process's metrics (module scope: one per cold start), flushed once per invocation. */
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: config.serviceName,
  ...(config.functionName ? { defaultDimensions: { function_name: config.functionName } } : {}),
  // Its warnings (a bad dimension, a metric past its limits) become structured log lines.
  logger: powertoolsLogger,
});

/** What a promotion job did, as far as metrics care (PromotionOutcome's counts). */
export interface PromotionFigures {
  readonly status: string;
  readonly processedEvents: number;
  readonly created: number;
  readonly merged: number;
  readonly conversation: number;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
}

/**
 * One finished promotion job. `lagMs` is from the opening of the job's window (the append that
 * scheduled it) to now; it includes the store's extraction cadence, the SQS delay and the run.
 * Only jobs that promoted turns report a lag: a no-op redelivery says nothing about freshness.
 */
export function recordPromotionJob(figures: PromotionFigures, lagMs: number): void {
  metrics.addMetric('PromotionJobs', MetricUnit.Count, 1);
  if (figures.status === 'promoted') {
    metrics.addMetric('PromotionLag', MetricUnit.Milliseconds, Math.max(0, lagMs));
  }
  metrics.addMetric('PromotedTurns', MetricUnit.Count, figures.processedEvents);
  metrics.addMetric('MemoriesCreated', MetricUnit.Count, figures.created);
  metrics.addMetric('MemoriesMerged', MetricUnit.Count, figures.merged);
  metrics.addMetric('ConversationRecordsWritten', MetricUnit.Count, figures.conversation);
  // Extraction and summaries together: both are the promotion's model cost.
  metrics.addMetric('ExtractionInputTokens', MetricUnit.Count, figures.usage.inputTokens);
  metrics.addMetric('ExtractionOutputTokens', MetricUnit.Count, figures.usage.outputTokens);
}

/** A promotion job that failed (it is redelivered, or reaches the DLQ after maxReceiveCount). */
export function recordPromotionFailure(): void {
  metrics.addMetric('PromotionJobFailures', MetricUnit.Count, 1);
}

/**
 * One call of the embedding model adapter, behind the cache (misses only), with `texts` texts.
 * Titan embeds one text per InvokeModel, so for Titan `EmbeddedTexts` is the Bedrock request count;
 * Cohere sends up to 96 texts per request.
 */
export function recordEmbeddingRequest(texts: number): void {
  metrics.addMetric('EmbeddingRequests', MetricUnit.Count, 1);
  metrics.addMetric('EmbeddedTexts', MetricUnit.Count, texts);
}

let redisRoundTrips = 0;

/**
 * One HTTP request to Redis (Upstash REST). Meant to be called by the Redis client once per request
 * (not per retry); flushed as one `RedisRoundTrips` value per invocation, so its average is the
 * round trips per request. On Lambda one invocation runs at a time per process; the local stack
 * runs concurrent invocations in one process, where the count is per flush, not per request.
 */
export function countRedisRoundTrip(): void {
  redisRoundTrips += 1;
}

/**
 * Writes this invocation's metrics (one EMF line), if there are any: Powertools' own `logMetrics`
 * warns on every invocation that recorded nothing, which most HTTP calls are.
 */
export function flushMetrics(): void {
  if (redisRoundTrips > 0) {
    metrics.addMetric('RedisRoundTrips', MetricUnit.Count, redisRoundTrips);
    redisRoundTrips = 0;
  }
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/**
 * middy middleware: this invocation's metrics, flushed after it (errors included). Register it
 * first in the chain so its `after` runs last. No ColdStart metric: Powertools adds its
 * `function_name` dimension a second time (a warning per cold start), and Lambda's REPORT line
 * already gives the init duration.
 */
export function flushMetricsPerInvocation(): MiddlewareObj {
  return {
    name: 'flushMetricsPerInvocation',
    before: () => {
      redisRoundTrips = 0;
    },
    after: flushMetrics,
    onError: flushMetrics,
  };
}
