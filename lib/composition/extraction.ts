import { lazy } from '../adapters/decorators/lazy.js';
import { type RuntimeConfig, requireNeed } from '../config/runtime-config.js';
import { remainingInvocationMs } from '../observability/invocation-deadline.js';
import type { MemoryExtractor, SessionSummarizer } from '../ports/memory-extractor.js';
import type { ViewSummarizer } from '../ports/summary-views.js';

/**
 * The extractor and summarizer: Bedrock Converse, in AWS and locally alike (the local stack points
 * the client at its Bedrock fake, whose default responder plays the model with the offline
 * extractor in `dev/offline-models/`). Both load on first use, so functions that never extract
 * never load them (or the SDK).
 */
export function createExtraction(config: RuntimeConfig): {
  extractor: MemoryExtractor;
  summarizer: SessionSummarizer;
  viewSummarizer: ViewSummarizer;
} {
  const { modelId } = config.extraction;
  const get = lazy(
    async (): Promise<{
      extractor: MemoryExtractor;
      summarizer: SessionSummarizer;
      viewSummarizer: ViewSummarizer;
    }> => {
      requireNeed(config, 'extraction', 'extracting memories');
      const [
        { createBedrockRuntimeClient },
        { BedrockConverseExtractor, BedrockConverseSummarizer },
        { BedrockConverseViewSummarizer },
      ] = await Promise.all([
        import('../adapters/bedrock/bedrock-client.js'),
        import('../adapters/bedrock/bedrock-extractor.js'),
        import('../adapters/bedrock/bedrock-view-summarizer.js'),
      ]);
      const client = await createBedrockRuntimeClient({ region: config.region });
      return {
        // Throttling backoff and call timeouts stay inside the consumer invocation's remaining time.
        extractor: new BedrockConverseExtractor({ client, modelId, timeBudgetMs: remainingInvocationMs }),
        summarizer: new BedrockConverseSummarizer({ client, modelId, timeBudgetMs: remainingInvocationMs }),
        viewSummarizer: new BedrockConverseViewSummarizer({
          client,
          modelId,
          timeBudgetMs: remainingInvocationMs,
        }),
      };
    },
  );
  const id = modelId;
  return {
    extractor: { id, extract: async (input) => (await get()).extractor.extract(input) },
    summarizer: { id, summarize: async (input) => (await get()).summarizer.summarize(input) },
    viewSummarizer: { id, summarize: async (input) => (await get()).viewSummarizer.summarize(input) },
  };
}
