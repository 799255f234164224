import {
  COHERE_EMBED_ENGLISH_V3,
  COHERE_MAX_CHARACTERS,
  TITAN_EMBED_TEXT_V2,
  TITAN_MAX_EMBEDDED_CHARACTERS,
} from '../adapters/bedrock/bedrock-embedders.js';
import { CachingEmbedder } from '../adapters/decorators/caching-embedder.js';
import { lazy } from '../adapters/decorators/lazy.js';
import { type RuntimeConfig, requireNeed } from '../config/runtime-config.js';
import { recordEmbeddingRequest } from '../observability/metrics.js';
import type { Embedder, EmbeddingModelInfo } from '../ports/embedder.js';

/**
 * The embedding model the configuration selects: its own id or the provider's default, and the
 * dimensions it produces (Cohere embed v3 has one size). The admin API shows it with every store.
 */
export function embeddingModelOf(embedding: RuntimeConfig['embedding']): EmbeddingModelInfo {
  return embedding.provider === 'bedrock-titan'
    ? { id: embedding.modelId ?? TITAN_EMBED_TEXT_V2, dimensions: embedding.dimensions }
    : { id: embedding.modelId ?? COHERE_EMBED_ENGLISH_V3, dimensions: 1024 };
}

/**
 * The configured Bedrock embedder, behind an in-memory cache (repeated queries in a warm function
 * cost nothing); tenant paths use the cache's per-store views (`forScope`, see memory-app.ts).
 * The model is known at once (the vector index records it); the SDK client is built on first use,
 * so functions that never embed never load it (nor need `embedding`).
 */
export function createEmbedder(config: RuntimeConfig): CachingEmbedder {
  const { provider, dimensions } = config.embedding;
  const model = embeddingModelOf(config.embedding);
  const embedder = lazy(async (): Promise<Embedder> => {
    requireNeed(config, 'embedding', 'embedding text');
    const [{ createBedrockRuntimeClient }, { BedrockTitanEmbedder, BedrockCohereEmbedder }] =
      await Promise.all([
        import('../adapters/bedrock/bedrock-client.js'),
        import('../adapters/bedrock/bedrock-embedders.js'),
      ]);
    const client = await createBedrockRuntimeClient({ region: config.region });
    return provider === 'bedrock-titan'
      ? new BedrockTitanEmbedder({ client, modelId: model.id, dimensions })
      : new BedrockCohereEmbedder({ client, modelId: model.id });
  });
  const bedrock: Embedder = {
    model,
    maxInputCharacters: provider === 'bedrock-titan' ? TITAN_MAX_EMBEDDED_CHARACTERS : COHERE_MAX_CHARACTERS,
    // Behind the cache: what reaches the model is what the metrics count.
    embedDocuments: async (texts) => {
      if (texts.length === 0) return [];
      recordEmbeddingRequest(texts.length);
      return (await embedder()).embedDocuments(texts);
    },
    embedQuery: async (text) => {
      recordEmbeddingRequest(1);
      return (await embedder()).embedQuery(text);
    },
  };
  return new CachingEmbedder({ inner: bedrock, maxEntries: 2_000 });
}
