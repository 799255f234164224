import { lazy } from '../adapters/decorators/lazy.js';
import { loadUpstashCredentials } from '../adapters/secrets/upstash-secret.js';
import { perFunctionEnvironment } from '../config/function-environment.js';
import {
  ConfigError,
  type EnvironmentConfig,
  type RuntimeConfig,
  readEnvironmentConfig,
} from '../config/runtime-config.js';
import type { Logger } from '../observability/logger.js';

/**
 * This function's environment, parsed on the first call (at init: see `checkEnvironmentAtInit`):
 * on Lambda only `process.env`; in the local stack one per function
 * (lib/config/function-environment.ts), so each function parses and builds its own.
 */
export const environmentConfig: () => EnvironmentConfig = perFunctionEnvironment(readEnvironmentConfig);

/**
 * Parses the environment while the function's module loads (Lambda init), so a missing or malformed
 * variable stops the function before its first request, with a log line that names the variable.
 * Without it the error surfaced per request as a bare 500 whose log kept only the error's name.
 * A ConfigError's message names variables and rules, never values (runtime-config.ts), so it is
 * what gets logged.
 */
export function checkEnvironmentAtInit(logger: Logger): void {
  readConfigAtInit(logger, environmentConfig);
}

/** Runs one of runtime-config.ts's readers at init, logging a ConfigError's message before it stops the function. */
export function readConfigAtInit<T>(logger: Logger, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) logger.error('invalid configuration', { configProblem: error.message });
    throw error;
  }
}

/**
 * The runtime configuration of this function: the environment, plus the Upstash credentials from
 * Secrets Manager when the environment names a secret instead of holding them (AWS). Read once per
 * cold start, through `oncePerColdStart`: the environment at init (`checkEnvironmentAtInit`), the
 * secret when the first invocation asks for the app (not during init).
 */
export async function resolveRuntimeConfig(env?: NodeJS.ProcessEnv): Promise<RuntimeConfig> {
  const config = env === undefined ? environmentConfig() : readEnvironmentConfig(env);
  if ('url' in config.upstash) return { ...config, upstash: config.upstash };
  const upstash = await loadUpstashCredentials({ secretId: config.upstash.secretArn, region: config.region });
  return { ...config, upstash };
}

/**
 * Builds an app once per function (on Lambda: per process) with `lazy`: concurrent first calls wait
 * for one build, and a failed build (e.g. Secrets Manager unreachable) is forgotten, so the next call
 * retries rather than poisoning the warm container. Keyed by the function's environment, so each
 * function of the local stack gets its own app from its own configuration.
 */
export function oncePerColdStart<T>(build: (config: RuntimeConfig) => T): () => Promise<T> {
  const appOfThisFunction = perFunctionEnvironment(() =>
    lazy(async () => build(await resolveRuntimeConfig())),
  );
  return () => appOfThisFunction()();
}
