import * as z from 'zod';
import { ENV } from './env-names.js';
import { ConfigError } from './runtime-config.js';

/** The levels Powertools Logger knows, lowest first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'critical', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Default service name: infra's HOUSE_ENVIRONMENT sets the same on AWS. */
export const DEFAULT_SERVICE_NAME = 'agent-memory';

const observabilityConfigSchema = z.object({
  [ENV.serviceName]: z.string().min(1).default(DEFAULT_SERVICE_NAME),
  [ENV.logLevel]: z
    .string()
    .transform((level) => level.toLowerCase())
    .pipe(z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }))
    .default('info'),
  [ENV.functionName]: z.string().min(1).optional(),
});

export interface ObservabilityConfig {
  readonly serviceName: string;
  readonly logLevel: LogLevelName;
  /** Absent outside Lambda (local stack, tests, scripts). */
  readonly functionName: string | undefined;
}

/**
 * What the logger and metrics need, parsed apart from the runtime configuration because every
 * function logs, including those that read no data (`/health`) and scripts without Upstash
 * variables. An unknown level stops the module from loading (fail fast, like every variable):
 * it used to become `info` silently (architecture review 2026-12, §2.6).
 */
export function readObservabilityConfig(env: NodeJS.ProcessEnv = process.env): ObservabilityConfig {
  const parsed = observabilityConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  return {
    serviceName: parsed.data[ENV.serviceName],
    logLevel: parsed.data[ENV.logLevel],
    functionName: parsed.data[ENV.functionName],
  };
}
