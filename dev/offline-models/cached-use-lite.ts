import { homedir } from 'node:os';
import { join } from 'node:path';
import { CachingEmbedder } from '../../lib/adapters/decorators/caching-embedder.js';
import { FileEmbeddingCache } from './file-embedding-cache.js';
import { UseLiteEmbedder } from './use-lite-embedder.js';

/**
 * USE-Lite behind a file cache under `AGENT_MEMORY_CACHE` (default ~/.cache/agent-memory), for
 * benchmarks: give it to `startLocalStack({ bedrockBaseEmbedder })` and reruns skip the model.
 */
export function cachedUseLiteEmbedder(): CachingEmbedder {
  const root = process.env.AGENT_MEMORY_CACHE ?? join(homedir(), '.cache', 'agent-memory');
  const inner = new UseLiteEmbedder();
  return new CachingEmbedder({
    inner,
    maxEntries: 50_000,
    store: new FileEmbeddingCache({ directory: join(root, 'embeddings'), model: inner.model }),
  });
}
