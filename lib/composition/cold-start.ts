import { loadUpstashCredentials } from '../adapters/secrets/upstash-secret.js';
import { type RuntimeConfig, readEnvironmentConfig } from '../config/runtime-config.js';

/**
 * The runtime configuration of this process: the environment, plus the Upstash credentials from
 * Secrets Manager when the environment names a secret instead of holding them (AWS). Read once per
 * cold start; the secret is fetched during init, where Lambda's CPU is not yet throttled.
 */
export async function resolveRuntimeConfig(env: NodeJS.ProcessEnv = process.env): Promise<RuntimeConfig> {
  const config = readEnvironmentConfig(env);
  if ('url' in config.upstash) return { ...config, upstash: config.upstash };
  const upstash = await loadUpstashCredentials({ secretId: config.upstash.secretArn, region: config.region });
  return { ...config, upstash };
}

/**
 * Builds an app once per process and shares the promise, so concurrent first calls wait for one
 * build. A failed build (e.g. Secrets Manager unreachable) is forgotten: the next call retries
 * rather than poisoning the warm container.
 */
export function oncePerColdStart<T>(build: (config: RuntimeConfig) => T): () => Promise<T> {
  let current: Promise<T> | undefined;
  return () => {
    current ??= resolveRuntimeConfig()
      .then(build)
      .catch((error: unknown) => {
        current = undefined;
        throw error;
      });
    return current;
  };
}
