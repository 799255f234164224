import { withViewChanges } from '../adapters/decorators/view-change-feed.js';
import { UpstashEventSourceResolver } from '../adapters/upstash/upstash-event-source-resolver.js';
import { UpstashIdempotencyStore } from '../adapters/upstash/upstash-idempotency-store.js';
import { UpstashKeywordIndex } from '../adapters/upstash/upstash-keyword-index.js';
import { UpstashMemoryRecordStore } from '../adapters/upstash/upstash-memory-record-store.js';
import { UpstashVectorIndex } from '../adapters/upstash/upstash-vector-index.js';
import type { RuntimeConfig } from '../config/runtime-config.js';
import type { Embedder } from '../ports/embedder.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { KeywordIndex } from '../ports/keyword-index.js';
import type { MemoryRecordStore } from '../ports/memory-record-store.js';
import type { SourceResolvers } from '../ports/source-resolver.js';
import type { VectorIndex } from '../ports/vector-index.js';
import { noteMemoryChanges } from '../use-cases/summary-views/changes.js';
import { oncePerColdStart } from './cold-start.js';
import { type CoreApp, createCoreApp } from './core-app.js';
import { createEmbedder } from './embedder.js';
import { type RequestScope, withoutAccessRecording } from './request-scope.js';

/** Core plus long-term memory: records, the vector and keyword indexes, the embedder. */
export interface MemoryApp extends CoreApp {
  readonly records: MemoryRecordStore;
  readonly vectors: VectorIndex;
  readonly keywords: KeywordIndex;
  /**
   * What a memory's sources point at, by kind (the sources route). The route's own function adds
   * the `documents` resolver (functions/http/get-memory-sources.ts: it loads RE2); elsewhere (MCP)
   * document refs are reported unresolved.
   */
  readonly sourceResolvers: SourceResolvers;
  /** Answers of long-term creates sent with an `Idempotency-Key`. */
  readonly idempotency: IdempotencyStore;
  /**
   * Uncached. The app of a request or job (`forRequest`) carries the cached embedder of its store
   * instead, so nothing that forgets to scope can share cached vectors across tenants.
   */
  readonly embedder: Embedder;
  /**
   * This app for one store and caller: the embedding cache of that store alone (finding 10) and, for
   * a read-only caller, a record store that does not record accesses (finding 13).
   */
  forRequest<A extends MemoryApp>(this: A, scope: RequestScope): A;
}

export function createMemoryApp(config: RuntimeConfig): MemoryApp {
  const core = createCoreApp(config);
  const cache = createEmbedder(config);
  // Every write of long-term memory tells summary views which partitions changed.
  const records = withViewChanges(
    new UpstashMemoryRecordStore(core.redis),
    (storeId, changed) => noteMemoryChanges(core, storeId, changed),
    core.logger,
  );
  return {
    ...core,
    records,
    vectors: new UpstashVectorIndex({ redis: core.redis, model: cache.model }),
    keywords: new UpstashKeywordIndex(core.redis),
    sourceResolvers: { events: new UpstashEventSourceResolver(core.redis) },
    idempotency: new UpstashIdempotencyStore(core.redis),
    embedder: cache.inner,
    forRequest(scope) {
      return {
        ...this,
        embedder: cache.forScope(scope.storeId),
        records: scope.mayWrite ? records : withoutAccessRecording(records),
      };
    },
  };
}

/** The process's app: built from the environment on the first call (cold start), then reused. */
export const memoryApp: () => Promise<MemoryApp> = oncePerColdStart(createMemoryApp);
