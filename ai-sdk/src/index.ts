import type { AgentMemory } from '@agent-memory/sdk';
import { type LanguageModelMiddleware, type ToolSet, wrapLanguageModel } from 'ai';
import { type AgentMemoryConfig, clientFor, resolveConfig } from './config.js';
import { type AutoMemoryOptions, createAutoMemoryMiddleware, PendingRecordings } from './middleware.js';
import { createMemoryTools, type MemoryToolsOptions } from './tools.js';

export { type AgentMemoryConfig, AgentMemoryConfigError } from './config.js';
export type { AutoMemoryFailure, AutoMemoryOptions } from './middleware.js';
export { MEMORY_PREAMBLE, MEMORY_TAG, renderMemoryBlock } from './render.js';
export { type MemoryScope, type MemoryToolError, type MemoryToolsOptions, toolError } from './tools.js';

/** A model `wrapLanguageModel` accepts. */
export type WrappableModel = Parameters<typeof wrapLanguageModel>[0]['model'];

/** Agent Memory for the AI SDK, bound to one store. */
export interface AgentMemoryIntegration {
  /** The `@agent-memory/sdk` client underneath, for everything else the API offers. */
  readonly client: AgentMemory;
  readonly serverURL: string;
  readonly storeId: string;
  /** Memory tools bound to an owner (and optionally a session and a namespace), for `tools:`. */
  tools(options: MemoryToolsOptions): ToolSet;
  /** Automatic memory as a middleware, for `wrapLanguageModel({ model, middleware })`. */
  middleware(options: AutoMemoryOptions): LanguageModelMiddleware;
  /** `wrapLanguageModel({ model, middleware: this.middleware(options) })`. */
  wrap(model: WrappableModel, options: AutoMemoryOptions): ReturnType<typeof wrapLanguageModel>;
  /**
   * Settles when every message recorded so far has been stored (or reported through `onError`).
   * Recording runs after the answer; a process that is about to stop or freeze (a Lambda
   * invocation's end, a serverless function: `waitUntil(memory.flush())`) awaits it first.
   */
  flush(): Promise<void>;
}

/**
 * Connects to an Agent Memory store. `serverURL`, `storeId` and `apiKey` default to
 * `AGENT_MEMORY_URL`, `AGENT_MEMORY_STORE_ID` and `AGENT_MEMORY_API_KEY`; an
 * {@link AgentMemoryConfigError} names every one that is missing.
 */
export function createAgentMemory(config: AgentMemoryConfig = {}): AgentMemoryIntegration {
  const { serverURL, storeId } = resolveConfig(config);
  const client = clientFor(config);
  const pending = new PendingRecordings();
  const middleware = (options: AutoMemoryOptions) => createAutoMemoryMiddleware(client, pending, options);
  return {
    client,
    serverURL,
    storeId,
    tools: (options) => createMemoryTools(client, options),
    middleware,
    wrap: (model, options) => wrapLanguageModel({ model, middleware: middleware(options) }),
    flush: () => pending.flush(),
  };
}
