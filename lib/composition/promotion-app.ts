import type { RuntimeConfig } from '../config/runtime-config.js';
import type { MemoryExtractor, SessionSummarizer } from '../ports/memory-extractor.js';
import type { ViewSummarizer } from '../ports/summary-views.js';
import { oncePerColdStart } from './cold-start.js';
import { createExtraction } from './extraction.js';
import { createMemoryApp, type MemoryApp } from './memory-app.js';

/** Everything: memory plus the extractor and summarizer that promotion uses. */
export interface PromotionApp extends MemoryApp {
  readonly extractor: MemoryExtractor;
  readonly summarizer: SessionSummarizer;
  /** Summary-view refreshes (the view-refresh consumer). */
  readonly viewSummarizer: ViewSummarizer;
}

export function createPromotionApp(config: RuntimeConfig): PromotionApp {
  return { ...createMemoryApp(config), ...createExtraction(config) };
}

/** The process's app: built from the environment on the first call (cold start), then reused. */
export const promotionApp: () => Promise<PromotionApp> = oncePerColdStart(createPromotionApp);
