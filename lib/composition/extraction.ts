import { type RuntimeConfig, requireNeed } from '../config/runtime-config.js';
import { remainingInvocationMs } from '../observability/invocation-deadline.js';
import type { MemoryExtractor, SessionSummarizer } from '../ports/memory-extractor.js';

/**
 * The configured extractor and summarizer: Bedrock Converse in AWS, the offline rule-based pair
 * locally. Both load on first use, so functions that never extract never load them (or the SDK).
 */
export function createExtraction(config: RuntimeConfig): {
  extractor: MemoryExtractor;
  summarizer: SessionSummarizer;
} {
  const { provider, modelId } = config.extraction;
  let loaded: Promise<{ extractor: MemoryExtractor; summarizer: SessionSummarizer }> | undefined;
  const load = async () => {
    requireNeed(config, 'extraction', 'extracting memories');
    if (provider === 'offline') {
      const { OfflineExtractor, OfflineSummarizer } = await import('../adapters/local/offline-extractor.js');
      return { extractor: new OfflineExtractor(), summarizer: new OfflineSummarizer() };
    }
    const [{ createBedrockRuntimeClient }, { BedrockConverseExtractor, BedrockConverseSummarizer }] =
      await Promise.all([
        import('../adapters/bedrock/bedrock-client.js'),
        import('../adapters/bedrock/bedrock-extractor.js'),
      ]);
    const client = await createBedrockRuntimeClient({ region: config.region });
    return {
      // Throttling backoff and call timeouts stay inside the consumer invocation's remaining time.
      extractor: new BedrockConverseExtractor({ client, modelId, timeBudgetMs: remainingInvocationMs }),
      summarizer: new BedrockConverseSummarizer({ client, modelId, timeBudgetMs: remainingInvocationMs }),
    };
  };
  const get = () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
  const id = provider === 'offline' ? 'offline-v1' : modelId;
  return {
    extractor: { id, extract: async (input) => (await get()).extractor.extract(input) },
    summarizer: { id, summarize: async (input) => (await get()).summarizer.summarize(input) },
  };
}
