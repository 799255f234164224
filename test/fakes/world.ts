import { type StoreConfig, type StoreRecord, storeConfigSchema } from '../../lib/contracts/store-config.js';
import { createPageTokenCodec } from '../../lib/domain/page-token.js';
import { FakeClock } from './clock.js';
import { HashEmbedder } from './hash-embedder.js';
import { InMemoryIdempotencyStore } from './in-memory-idempotency-store.js';
import { InMemoryKeywordIndex } from './in-memory-keyword-index.js';
import { InMemoryMemoryRecordStore } from './in-memory-memory-record-store.js';
import { InMemoryPromotionLedger } from './in-memory-promotion-ledger.js';
import { InMemoryApiKeyRegistry, InMemoryStoreRegistry } from './in-memory-registry.js';
import { InMemorySessionStore } from './in-memory-session-store.js';
import { InMemoryVectorIndex } from './in-memory-vector-index.js';
import { RecordingLogger } from './logger.js';
import { RecordingPromotionQueue } from './recording-promotion-queue.js';
import { ScriptedExtractor, ScriptedSummarizer } from './scripted-extractor.js';

export const STORE_ID = 'store0000000000000000000000000001';

/** A store record with the schema's defaults and `config` laid over them. */
export function storeRecord(config: Record<string, unknown> = {}, storeId = STORE_ID): StoreRecord {
  const parsed: StoreConfig = storeConfigSchema.parse(config);
  return { storeId, name: 'test store', createdAt: '2026-06-01T00:00:00.000Z', config: parsed };
}

/**
 * Every port faked in memory and wired like an app (the shape the use cases take), around one
 * store. Parts can be swapped by spreading: `{ ...world(), extractor: new ScriptedExtractor(…) }`.
 */
export function world(
  options: { config?: Record<string, unknown>; maxTopK?: number; maxBatch?: number } = {},
) {
  const clock = new FakeClock();
  const stores = new InMemoryStoreRegistry(storeRecord(options.config));
  const sessions = new InMemorySessionStore(stores, clock);
  return {
    clock,
    stores,
    sessions,
    ledger: new InMemoryPromotionLedger(sessions, clock),
    promotionQueue: new RecordingPromotionQueue(),
    records: new InMemoryMemoryRecordStore(),
    idempotency: new InMemoryIdempotencyStore(clock),
    vectors: new InMemoryVectorIndex({ maxTopK: options.maxTopK }),
    keywords: new InMemoryKeywordIndex(),
    embedder: new HashEmbedder({ maxBatch: options.maxBatch }),
    extractor: new ScriptedExtractor(),
    summarizer: new ScriptedSummarizer(),
    apiKeys: new InMemoryApiKeyRegistry(),
    logger: new RecordingLogger(),
    pageTokens: createPageTokenCodec('unit-test-page-token-secret'),
  };
}

export type World = ReturnType<typeof world>;
