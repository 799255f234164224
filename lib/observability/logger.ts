/**
 * Structured JSON logs, one line each. Callers pass ids, counts and error names only: conversation
 * text, memory text, API keys and tokens never go into a log line (a test scans logs for them).
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(service: string, level: Level = readLevel()): Logger {
  const write = (lvl: Exclude<Level, 'silent'>, message: string, fields?: LogFields) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const line = JSON.stringify({
      level: lvl,
      service,
      message,
      timestamp: new Date().toISOString(),
      ...fields,
    });
    if (lvl === 'error' || lvl === 'warn') process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

function readLevel(): Level {
  const raw = (process.env.LOG_LEVEL ?? 'info').toLowerCase();
  return raw in ORDER ? (raw as Level) : 'info';
}

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
