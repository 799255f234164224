import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../lib/config/env-names.js';

/**
 * A function whose environment is incomplete stops at init (module load), and the log line says
 * which variable to fix: never a value. Each case loads the handler module afresh, as a cold start.
 */
const savedEnv = { ...process.env };
const logged: string[] = [];
const originalStderr = process.stderr.write.bind(process.stderr);
const originalStdout = process.stdout.write.bind(process.stdout);
// Under POWERTOOLS_DEV the logger writes through the console instead of the streams.
const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
const originalConsole = consoleMethods.map((name) => [name, console[name]] as const);

beforeEach(() => {
  vi.resetModules();
  logged.length = 0;
  const capture = (chunk: unknown) => {
    logged.push(String(chunk));
    return true;
  };
  process.stderr.write = capture as typeof process.stderr.write;
  process.stdout.write = capture as typeof process.stdout.write;
  for (const name of consoleMethods) console[name] = (...args: unknown[]) => capture(args.join(' '));
  for (const name of [ENV.upstashUrl, ENV.upstashToken, ENV.upstashSecretArn]) delete process.env[name];
});

afterEach(() => {
  process.stderr.write = originalStderr as typeof process.stderr.write;
  process.stdout.write = originalStdout as typeof process.stdout.write;
  for (const [name, method] of originalConsole) console[name] = method;
  process.env = { ...savedEnv };
});

/** One log line per write (pretty-printed over several lines under POWERTOOLS_DEV). */
const logLines = () => logged.filter((chunk) => chunk.trimStart().startsWith('{')).map((c) => JSON.parse(c));

const event = (path: string) => ({
  httpMethod: 'GET',
  path,
  resource: path,
  headers: {},
  pathParameters: null,
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  body: null,
  isBase64Encoded: false,
  requestContext: { requestId: 'init-test' },
});

describe('configuration is parsed at init', () => {
  it.each([
    ['an HTTP function', '../../functions/http/get-memory.js'],
    ['the authorizer', '../../functions/http/authorizer.js'],
  ])('%s without Upstash variables fails to load and logs the variables to set', async (_, module) => {
    await expect(import(module)).rejects.toMatchObject({ name: 'ConfigError' });

    expect(logLines()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'invalid configuration',
        configProblem: expect.stringContaining(ENV.upstashSecretArn),
      }),
    ]);
  });

  it('names a plain-http Upstash URL off loopback, without its value or the token', async () => {
    const token = 'zq-token-that-must-not-be-logged';
    const url = 'http://eu1-quiet-owl.upstash.io';
    process.env[ENV.upstashUrl] = url;
    process.env[ENV.upstashToken] = token;

    await expect(import('../../functions/http/search-memories.js')).rejects.toMatchObject({
      name: 'ConfigError',
    });

    const lines = logLines();
    expect(lines).toEqual([
      expect.objectContaining({
        configProblem: expect.stringMatching(`${ENV.upstashUrl}: must be the https URL`),
      }),
    ]);
    const text = logged.join('');
    expect(text).not.toContain(token);
    expect(text).not.toContain('quiet-owl');
  });

  it('accepts plain http on loopback (the local stack)', async () => {
    process.env[ENV.upstashUrl] = 'http://127.0.0.1:8079';
    process.env[ENV.upstashToken] = 'local-token';

    await expect(import('../../functions/http/get-memory.js')).resolves.toHaveProperty('handler');
    expect(logLines()).toEqual([]);
  });

  it('lets /health answer without any Upstash configuration and without reading the secret', async () => {
    // A secret Secrets Manager cannot serve: reading it would fail the request.
    process.env[ENV.upstashSecretArn] = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:upstash-AbCdEf';
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = 'http://127.0.0.1:9';
    const { handler } = await import('../../functions/http/health.js');

    const response = await handler(
      event('/health') as never,
      { getRemainingTimeInMillis: () => 3_000 } as never,
    );

    expect(response).toMatchObject({ statusCode: 200, body: JSON.stringify({ status: 'healthy' }) });
  });
});
