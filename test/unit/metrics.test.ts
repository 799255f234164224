import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../lib/config/env-names.js';

/** EMF lines as CloudWatch reads them from stdout (or the console under POWERTOOLS_DEV). */
const savedEnv = { ...process.env };
const written: string[] = [];
const originalStdout = process.stdout.write.bind(process.stdout);
const originalStderr = process.stderr.write.bind(process.stderr);
const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
const originalConsole = consoleMethods.map((name) => [name, console[name]] as const);

beforeEach(() => {
  vi.resetModules();
  written.length = 0;
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  for (const name of consoleMethods) console[name] = (...args: unknown[]) => capture(args.join(' '));
  // Printed even under POWERTOOLS_DEV (which silences metrics by default).
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env[ENV.functionName] = 'AgentMemory-PromotionConsumer';
  process.env[ENV.logLevel] = 'info';
});

afterEach(() => {
  process.stdout.write = originalStdout as typeof process.stdout.write;
  process.stderr.write = originalStderr as typeof process.stderr.write;
  for (const [name, method] of originalConsole) console[name] = method;
  process.env = { ...savedEnv };
});

const emfLines = () =>
  written
    .filter((chunk) => chunk.trimStart().startsWith('{'))
    .map((chunk) => JSON.parse(chunk))
    .filter((line) => line._aws);

describe('metrics', () => {
  it('writes one EMF line per flush, in AgentMemory by service and function, with no tenant in it', async () => {
    // Prepare
    const { countRedisRoundTrip, flushMetrics, recordEmbeddingRequest, recordPromotionJob } = await import(
      '../../lib/observability/metrics.js'
    );

    // Act
    recordPromotionJob(
      {
        status: 'promoted',
        processedEvents: 4,
        created: 2,
        merged: 1,
        conversation: 4,
        usage: { inputTokens: 900, outputTokens: 120 },
      },
      61_000,
    );
    recordEmbeddingRequest(3);
    countRedisRoundTrip();
    countRedisRoundTrip();
    flushMetrics();

    // Assess
    const lines = emfLines();
    expect(lines).toHaveLength(1);
    const [line] = lines;
    const [directive] = line._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe('AgentMemory');
    expect(directive.Dimensions).toEqual([['service', 'function_name']]);
    expect(line).toMatchObject({
      service: 'agent-memory',
      function_name: 'AgentMemory-PromotionConsumer',
      PromotionJobs: 1,
      PromotionLag: 61_000,
      PromotedTurns: 4,
      MemoriesCreated: 2,
      MemoriesMerged: 1,
      ConversationRecordsWritten: 4,
      ExtractionInputTokens: 900,
      ExtractionOutputTokens: 120,
      EmbeddingRequests: 1,
      EmbeddedTexts: 3,
      RedisRoundTrips: 2,
    });
    const units = Object.fromEntries(
      directive.Metrics.map((m: { Name: string; Unit: string }) => [m.Name, m.Unit]),
    );
    expect(units).toMatchObject({ PromotionLag: 'Milliseconds', ExtractionInputTokens: 'Count' });
  });

  it('reports no lag for a job that promoted nothing, and writes nothing when nothing was recorded', async () => {
    // Prepare
    const { flushMetrics, recordPromotionJob } = await import('../../lib/observability/metrics.js');

    // Act
    flushMetrics();
    const quiet = written.length;
    recordPromotionJob(
      {
        status: 'nothing-new',
        processedEvents: 0,
        created: 0,
        merged: 0,
        conversation: 0,
        usage: { inputTokens: 0, outputTokens: 0 },
      },
      5_000,
    );
    flushMetrics();

    // Assess
    expect(quiet).toBe(0);
    const [line] = emfLines();
    expect(line.PromotionJobs).toBe(1);
    expect(line).not.toHaveProperty('PromotionLag');
  });
});
