import { AgentMemory, ForbiddenError, NotFoundError } from '../../sdk/src/index.js';
import { send } from '../../sdk/src/transport.js';
import type { ExplorerConfig } from '../config.js';

/**
 * The explorer's connection: the API URL comes from `config.json` (written by whoever serves the
 * page: `npm run dev`, `npm run explorer`, or the CDK deployment), the store and the API key from
 * the user. The key lives in this tab's `sessionStorage` only: never in the URL, never in
 * `localStorage`, gone when the tab closes.
 */
export type { ExplorerConfig } from '../config.js';

const KEY_ITEM = 'agent-memory-explorer:key';
const STORE_ITEM = 'agent-memory-explorer:store';

export class Connection {
  #client: AgentMemory | undefined;
  /** Unknown until a write is refused (403): the API has no "what may this key do" call. */
  canWrite = true;

  constructor(readonly config: ExplorerConfig) {}

  get storeId(): string {
    return sessionStorage.getItem(STORE_ITEM) ?? this.config.storeId ?? '';
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  get client(): AgentMemory | undefined {
    if (this.#client) return this.#client;
    const apiKey = sessionStorage.getItem(KEY_ITEM);
    const storeId = this.storeId;
    if (!apiKey || !storeId) return undefined;
    this.#client = new AgentMemory({
      serverURL: this.config.apiUrl,
      apiKey,
      storeId,
      // A person is waiting: fail in seconds rather than retrying for half a minute.
      timeoutMs: 15_000,
      retry: { maxAttempts: 2, maxRetryAfterMs: 5_000 },
    });
    return this.#client;
  }

  /** Checks the key against the store before keeping it. */
  async connect(storeId: string, apiKey: string): Promise<void> {
    const probe = new AgentMemory({ serverURL: this.config.apiUrl, apiKey, storeId, retry: false });
    await probe.storeHealth();
    sessionStorage.setItem(KEY_ITEM, apiKey);
    sessionStorage.setItem(STORE_ITEM, storeId);
    this.#client = undefined;
    this.canWrite = true;
  }

  forget(): void {
    sessionStorage.removeItem(KEY_ITEM);
    this.#client = undefined;
  }

  require(): AgentMemory {
    const client = this.client;
    if (!client) throw new Error('Not connected: enter a store id and an API key first.');
    return client;
  }

  /**
   * `GET …/long-term-memory/{memoryId}/sources`, through the SDK's transport (retries, typed
   * errors). `undefined` when the deployment has no such route yet (an older stack answers 404
   * or API Gateway's 403 "missing authentication token" for an unknown path) or the memory has none.
   */
  async memorySources(memoryId: string): Promise<unknown | undefined> {
    const apiKey = sessionStorage.getItem(KEY_ITEM) ?? undefined;
    try {
      return await send<unknown>(
        {
          baseUrl: this.config.apiUrl.replace(/\/+$/, ''),
          apiKey,
          fetch: (input, init) => globalThis.fetch(input, init),
          timeoutMs: 15_000,
          retry: false,
        },
        {
          method: 'GET',
          path: `/v1/stores/${encodeURIComponent(this.storeId)}/long-term-memory/${encodeURIComponent(memoryId)}/sources`,
          idempotent: true,
        },
        undefined,
      );
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /** Runs a write; a 403 marks the key read-only so the views stop offering writes. */
  async write<T>(run: (client: AgentMemory) => Promise<T>): Promise<T> {
    try {
      return await run(this.require());
    } catch (error) {
      if (error instanceof ForbiddenError) this.canWrite = false;
      throw error;
    }
  }
}

/** A message for a person: the SDK's error says status, title, detail and the fields it names. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
