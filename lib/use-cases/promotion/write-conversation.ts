import type { StoredMemory } from '../../contracts/long-term-memory.js';
import type { StoreRecord } from '../../contracts/store-config.js';
import {
  conversationIndexTexts,
  conversationRecords,
  conversationRetention,
  keepsTurn,
  type ScreenedTurn,
} from '../../domain/conversation-records.js';
import { contentHash } from '../../domain/records/content-hash.js';
import { createIndexedRecords, embedTexts, logOwnerFull, logQuotaDrop } from '../long-term/indexing.js';
import type { PromotionDeps } from './run-context.js';

/**
 * Writes the turns' conversation records and indexes them, when the store keeps them. Ids come
 * from (session, event): a retried run finds what an earlier try wrote and re-indexes it (that try
 * may have died between writing and indexing), so it never writes a second copy. One embedding
 * batch for the run's turns.
 */
export async function writeConversation(
  deps: PromotionDeps,
  store: StoreRecord,
  session: { ownerId: string; namespace?: string; namespaceId?: string; sessionId: string },
  turns: readonly ScreenedTurn[],
  before: readonly ScreenedTurn[],
): Promise<number> {
  const retention = conversationRetention(store.config);
  if (!retention.enabled) return 0;
  const records = conversationRecords({
    session,
    turns,
    now: deps.clock.now(),
    ttlSeconds: retention.ttlSeconds,
    embeddingModel: deps.embedder.model.id,
  }).map((r): StoredMemory => ({ ...r, contentHash: contentHash(r) }));
  if (records.length === 0) return 0;
  const indexTexts = conversationIndexTexts(
    records,
    before.filter(keepsTurn).map((t) => t.text.trim()),
  );
  const vectors = await embedTexts(deps.embedder, indexTexts);
  const vectorOf = new Map(records.map((r, i) => [r.id, vectors[i]!]));
  const indexTextOf = new Map(records.map((r, i) => [r.id, indexTexts[i]!]));
  const { created, ownerFull, overQuota } = await createIndexedRecords(
    deps,
    store.storeId,
    records,
    vectorOf,
    [],
    indexTextOf,
  );
  logQuotaDrop(deps.logger, store.storeId, 'conversation records', overQuota);
  logOwnerFull(deps.logger, store.storeId, 'conversation records', ownerFull.length);
  return created.length;
}
