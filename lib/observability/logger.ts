import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type {
  ConstructorOptions,
  LogItemExtraInput,
  LogItemMessage,
} from '@aws-lambda-powertools/logger/types';
import { type LogLevelName, readObservabilityConfig } from '../config/observability-config.js';

/**
 * Structured JSON logs through Powertools Logger, one line each (pretty-printed under
 * POWERTOOLS_DEV). Callers pass ids, counts and error names only: conversation text, memory text,
 * vectors, API keys and tokens never go into a log line (test/e2e/log-secrets.test.ts scans the
 * logs for them, test/unit/logger.test.ts checks the guards below).
 *
 * The narrow {@link Logger} type is what call sites use: a message that is a literal and fields
 * that are strings, numbers or booleans, so an object full of content cannot be passed by accident.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export type { LogLevelName } from '../config/observability-config.js';

/**
 * Name and stack frames of an error, without its message (messages can echo stored data); a
 * ConfigError's message is kept.
 */
export function describeError(error: unknown): {
  errorName: string;
  configProblem?: string;
  errorStack?: string;
} {
  if (!(error instanceof Error)) return { errorName: typeof error };
  // Keep only the frames: a message can span several lines (ZodError prints its issues).
  const frames = error.stack
    ?.split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 5)
    .join('\n');
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name})` : '';
  return {
    errorName: `${error.name}${cause}`,
    // A ConfigError says which variable or secret field to fix and never holds a value
    // (lib/config/runtime-config.ts); without its message the log cannot say what is wrong.
    ...(error.name === 'ConfigError' ? { configProblem: error.message } : {}),
    ...(frames ? { errorStack: frames } : {}),
  };
}

/**
 * Powertools formats an Error anywhere in a log item (`logger.error('…', error)`, `{ error }`, a
 * `cause`) with its message and full stack, and both can carry content (provider errors echo the
 * input, JSON.parse quotes the text, ZodError lists values). Every Error is replaced by
 * {@link describeError} before it is serialized.
 */
function contentFreeReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? describeError(value) : value;
}

/**
 * Powertools Logger with one more guard: an Error passed as the message itself
 * (`logger.error(error)`) would print `error.message` as the log's message; it is logged by name.
 */
class ContentFreeLogger extends PowertoolsLogger {
  protected override processLogItem(
    logLevel: number,
    input: LogItemMessage,
    extraInput: LogItemExtraInput,
  ): void {
    const safe = input instanceof Error ? { message: 'error', ...describeError(input) } : input;
    super.processLogItem(logLevel, safe, extraInput);
  }

  /** Children (createChild) keep the guard. */
  protected override createLogger(options?: ConstructorOptions): PowertoolsLogger {
    return new ContentFreeLogger({ ...options, jsonReplacerFn: contentFreeReplacer });
  }
}

const config = readObservabilityConfig();

/**
 * The process's Powertools Logger (module scope: one per cold start). Handlers give it the Lambda
 * context (`injectLambdaContext` in the middy chains, `addContext` elsewhere) so every line carries
 * the request id and `cold_start`. Log through {@link logger}; this is for the middlewares.
 */
export const powertoolsLogger: PowertoolsLogger = new ContentFreeLogger({
  serviceName: config.serviceName,
  logLevel: config.logLevel.toUpperCase() as Uppercase<LogLevelName>,
  jsonReplacerFn: contentFreeReplacer,
});

/** The service's logger, as call sites see it. */
export const logger: Logger = narrow(powertoolsLogger);

/**
 * A logger of its own service name and level, for local tools (the local stack's control plane,
 * benchmarks, tests) that must not share the functions' level. Functions use {@link logger}.
 */
export function createLogger(service: string, level: LogLevelName = config.logLevel): Logger {
  return narrow(
    powertoolsLogger.createChild({
      serviceName: service,
      logLevel: level.toUpperCase() as Uppercase<LogLevelName>,
    }),
  );
}

function narrow(target: PowertoolsLogger): Logger {
  return {
    info: (message, fields) => (fields ? target.info(message, fields) : target.info(message)),
    warn: (message, fields) => (fields ? target.warn(message, fields) : target.warn(message)),
    error: (message, fields) => (fields ? target.error(message, fields) : target.error(message)),
  };
}
