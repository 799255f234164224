import { AgentMemory, type AgentMemoryOptions, ENV_NAMES } from '@agent-memory/sdk';

/**
 * Where the service is and how to reach it. Each of the three may come from the environment, with
 * the names the managed service's integrations read (`AGENT_MEMORY_URL`, `AGENT_MEMORY_STORE_ID`,
 * `AGENT_MEMORY_API_KEY`), so the same code runs against `npm run dev` and a deployment.
 */
export interface AgentMemoryConfig {
  /** Base URL of the API, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod`. Env: `AGENT_MEMORY_URL`. */
  readonly serverURL?: string;
  /** The store (tenant) every call acts on. Env: `AGENT_MEMORY_STORE_ID`. */
  readonly storeId?: string;
  /** An API key with `read` (recall, search) and `write` (recording, saving) on the store. Env: `AGENT_MEMORY_API_KEY`. */
  readonly apiKey?: string;
  /** Passed to the underlying client: its default per-attempt timeout, retries and `fetch`. */
  readonly client?: Omit<AgentMemoryOptions, 'serverURL' | 'storeId' | 'apiKey'>;
}

/** A required setting is missing from both the options and the environment. */
export class AgentMemoryConfigError extends TypeError {
  override readonly name = 'AgentMemoryConfigError';
  /** The environment variables that were looked for, one per missing setting. */
  readonly missing: readonly string[];

  constructor(missing: ReadonlyArray<{ option: string; env: string }>) {
    super(
      `Agent Memory is not configured: ${missing
        .map(({ option, env }) => `${option} is missing (pass it to createAgentMemory or set ${env})`)
        .join('; ')}`,
    );
    this.missing = missing.map((m) => m.env);
  }
}

export interface ResolvedConfig {
  readonly serverURL: string;
  readonly storeId: string;
  readonly apiKey: string;
}

/** The three settings from the options, else the environment; every missing one is named at once. */
export function resolveConfig(config: AgentMemoryConfig): ResolvedConfig {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const pick = (value: string | undefined, name: string) => {
    const chosen = value ?? env[name];
    return chosen !== undefined && chosen.trim() !== '' ? chosen : undefined;
  };
  const serverURL = pick(config.serverURL, ENV_NAMES.serverURL);
  const storeId = pick(config.storeId, ENV_NAMES.storeId);
  const apiKey = pick(config.apiKey, ENV_NAMES.apiKey);
  const missing = [
    ...(serverURL ? [] : [{ option: 'serverURL', env: ENV_NAMES.serverURL }]),
    ...(storeId ? [] : [{ option: 'storeId', env: ENV_NAMES.storeId }]),
    ...(apiKey ? [] : [{ option: 'apiKey', env: ENV_NAMES.apiKey }]),
  ];
  if (!serverURL || !storeId || !apiKey) throw new AgentMemoryConfigError(missing);
  return { serverURL, storeId, apiKey };
}

/** The SDK client for a resolved configuration. */
export function clientFor(config: AgentMemoryConfig): AgentMemory {
  return new AgentMemory({ ...config.client, ...resolveConfig(config) });
}
