import {
  COHERE_EMBED_ENGLISH_V3,
  COHERE_MAX_CHARACTERS,
  TITAN_EMBED_TEXT_V2,
  TITAN_MAX_EMBEDDED_CHARACTERS,
} from '../adapters/bedrock/bedrock-embedders.js';
import { CachingEmbedder } from '../adapters/caching-embedder.js';
import { type RuntimeConfig, requireNeed } from '../config/runtime-config.js';
import type { Embedder, EmbeddingModelInfo } from '../ports/embedder.js';

/**
 * The configured Bedrock embedder, behind an in-memory cache (repeated queries in a warm function
 * cost nothing); tenant paths use the cache's per-store views (`forScope`, see memory-app.ts). The model is known at once (the vector index records it); the SDK client is
 * built on first use, so functions that never embed never load it (nor need `embedding`).
 */
export function createEmbedder(config: RuntimeConfig): CachingEmbedder {
  const { provider, modelId, dimensions } = config.embedding;
  const model: EmbeddingModelInfo =
    provider === 'bedrock-titan'
      ? { id: modelId ?? TITAN_EMBED_TEXT_V2, dimensions }
      : { id: modelId ?? COHERE_EMBED_ENGLISH_V3, dimensions: 1024 };
  let inner: Promise<Embedder> | undefined;
  const load = async (): Promise<Embedder> => {
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
  };
  const embedder = (): Promise<Embedder> => {
    inner ??= load().catch((error: unknown) => {
      inner = undefined;
      throw error;
    });
    return inner;
  };
  const lazy: Embedder = {
    model,
    maxInputCharacters: provider === 'bedrock-titan' ? TITAN_MAX_EMBEDDED_CHARACTERS : COHERE_MAX_CHARACTERS,
    embedDocuments: async (texts) => (texts.length === 0 ? [] : (await embedder()).embedDocuments(texts)),
    embedQuery: async (text) => (await embedder()).embedQuery(text),
  };
  return new CachingEmbedder({ inner: lazy, maxEntries: 2_000 });
}
