import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../lib/config/env-names.js';
import { ConfigError } from '../../lib/config/runtime-config.js';

/**
 * The no-content rule at the logger: whatever a call site passes, an Error's message (which can
 * echo conversation or memory text) never reaches a log line; a ConfigError's message (variable
 * names and rules, never values) does. Logs are captured from the streams and from the console
 * (Powertools writes through the console under POWERTOOLS_DEV).
 */
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
  process.env[ENV.logLevel] = 'info';
});

afterEach(() => {
  process.stdout.write = originalStdout as typeof process.stdout.write;
  process.stderr.write = originalStderr as typeof process.stderr.write;
  for (const [name, method] of originalConsole) console[name] = method;
  process.env = { ...savedEnv };
});

/** One JSON log line per write (several text lines when pretty-printed). */
const logLines = () =>
  written.filter((chunk) => chunk.trimStart().startsWith('{')).map((chunk) => JSON.parse(chunk));

const contentError = () => {
  const error = new Error('could not embed "zq-conversation-text"\nsecond line zq-memory-text');
  error.cause = new TypeError('cause zq-cause-text');
  return error;
};

describe('logger', () => {
  it('never prints an Error message, however the error is passed', async () => {
    // Prepare
    const { describeError, logger, powertoolsLogger } = await import('../../lib/observability/logger.js');

    // Act
    logger.warn('through describeError', { jobId: 'j1', ...describeError(contentError()) });
    powertoolsLogger.error('as extra input', contentError());
    powertoolsLogger.error('nested', { failure: { error: contentError() } });
    powertoolsLogger.error(contentError() as never);
    powertoolsLogger.createChild({ serviceName: 'child' }).error('from a child', contentError());

    // Assess
    const lines = logLines();
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ level: 'WARN', message: 'through describeError', jobId: 'j1' });
    expect(lines[1]).toMatchObject({ error: { errorName: 'Error (cause: TypeError)' } });
    expect(lines[1].error.errorStack).toMatch(/^\s+at /);
    expect(lines[2]).toMatchObject({ failure: { error: { errorName: 'Error (cause: TypeError)' } } });
    expect(lines[3]).toMatchObject({ message: 'error', errorName: 'Error (cause: TypeError)' });
    expect(lines[4]).toMatchObject({ service: 'child', error: { errorName: 'Error (cause: TypeError)' } });
    expect(written.join('')).not.toMatch(/zq-/);
  });

  it("prints a ConfigError's message, which names the variable to fix", async () => {
    // Prepare
    const { powertoolsLogger } = await import('../../lib/observability/logger.js');
    const error = new ConfigError(`${ENV.upstashSecretArn} must be set`);

    // Act
    powertoolsLogger.error('invalid configuration', error);

    // Assess
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        error: expect.objectContaining({
          errorName: 'ConfigError',
          configProblem: `${ENV.upstashSecretArn} must be set`,
        }),
      }),
    ]);
  });

  it('carries the service name, the request id and cold_start once given the Lambda context', async () => {
    // Prepare
    process.env[ENV.serviceName] = 'agent-memory-test';
    const { logger, powertoolsLogger } = await import('../../lib/observability/logger.js');

    // Act
    powertoolsLogger.addContext({
      awsRequestId: 'request-1',
      functionName: 'get-memory',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:get-memory',
      memoryLimitInMB: '1024',
    } as never);
    logger.info('store deleted', { storeId: 's1', keysFlushed: 3 });

    // Assess
    expect(logLines()).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'store deleted',
        service: 'agent-memory-test',
        function_request_id: 'request-1',
        function_name: 'get-memory',
        cold_start: expect.any(Boolean),
        storeId: 's1',
        keysFlushed: 3,
      }),
    ]);
  });

  it('honours LOG_LEVEL in any case, and createLogger its own level', async () => {
    // Prepare
    process.env[ENV.logLevel] = 'WARN';
    const { createLogger, logger } = await import('../../lib/observability/logger.js');

    // Act
    logger.info('dropped');
    logger.warn('kept');
    createLogger('tool', 'silent').error('dropped too');

    // Assess
    expect(logLines().map((line) => line.message)).toEqual(['kept']);
  });

  it('stops at init on an unknown LOG_LEVEL, naming the variable (it used to become info)', async () => {
    // Prepare
    process.env[ENV.logLevel] = 'verbose';

    // Act / Assess
    await expect(import('../../lib/observability/logger.js')).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining(`${ENV.logLevel}: must be one of`),
    });
  });
});
