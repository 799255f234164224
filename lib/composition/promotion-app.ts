import { loadRuntimeConfig, type RuntimeConfig } from '../config/runtime-config.js';
import type { MemoryExtractor, SessionSummarizer } from '../ports/memory-extractor.js';
import { createExtraction } from './extraction.js';
import { createMemoryApp, type MemoryApp } from './memory-app.js';

/** Everything: memory plus the extractor and summarizer that promotion uses. */
export interface PromotionApp extends MemoryApp {
  readonly extractor: MemoryExtractor;
  readonly summarizer: SessionSummarizer;
}

export function createPromotionApp(config: RuntimeConfig): PromotionApp {
  return { ...createMemoryApp(config), ...createExtraction(config) };
}

let current: PromotionApp | undefined;

/** The process's promotion app, built once per cold start. */
export function promotionApp(): PromotionApp {
  current ??= createPromotionApp(loadRuntimeConfig());
  return current;
}
