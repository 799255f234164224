import { UpstashKeywordIndex } from '../adapters/upstash/upstash-keyword-index.js';
import { UpstashMemoryRecordStore } from '../adapters/upstash/upstash-memory-record-store.js';
import { UpstashVectorIndex } from '../adapters/upstash/upstash-vector-index.js';
import type { RuntimeConfig } from '../config/runtime-config.js';
import type { Embedder } from '../ports/embedder.js';
import type { KeywordIndex } from '../ports/keyword-index.js';
import type { MemoryRecordStore } from '../ports/memory-record-store.js';
import type { VectorIndex } from '../ports/vector-index.js';
import { oncePerColdStart } from './cold-start.js';
import { type CoreApp, createCoreApp } from './core-app.js';
import { createEmbedder } from './embedder.js';

/** Core plus long-term memory: records, the vector and keyword indexes, the embedder. */
export interface MemoryApp extends CoreApp {
  readonly records: MemoryRecordStore;
  readonly vectors: VectorIndex;
  readonly keywords: KeywordIndex;
  readonly embedder: Embedder;
}

export function createMemoryApp(config: RuntimeConfig): MemoryApp {
  const core = createCoreApp(config);
  const embedder = createEmbedder(config);
  return {
    ...core,
    records: new UpstashMemoryRecordStore(core.redis),
    vectors: new UpstashVectorIndex({ redis: core.redis, model: embedder.model }),
    keywords: new UpstashKeywordIndex(core.redis),
    embedder,
  };
}

/** The process's app: built from the environment on the first call (cold start), then reused. */
export const memoryApp: () => Promise<MemoryApp> = oncePerColdStart(createMemoryApp);
