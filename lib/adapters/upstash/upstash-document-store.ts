import type { Redis } from '@upstash/redis';
import {
  type ChunkResult,
  chunkResultSchema,
  type StoredDocument,
  type StoredExtractor,
  storedDocumentSchema,
  storedExtractorSchema,
} from '../../contracts/documents.js';
import type { DocumentStore, ExtractorStore } from '../../ports/document-store.js';
import { documentKeys } from './keys.js';
import { redisCall } from './redis-call.js';

/**
 * Extractors as one hash per store; a document as three keys (record, text, chunk results). Plain
 * commands suffice: creation is one `SET NX` on the record after the text (a crash between the two
 * leaves a text without a record, which the same submission overwrites), and each chunk's result is
 * its own hash field, written once by the one consumer that holds the message.
 */
export class UpstashDocumentStore implements DocumentStore, ExtractorStore {
  constructor(private readonly redis: Redis) {}

  async getExtractor(storeId: string, extractorId: string): Promise<StoredExtractor | undefined> {
    const raw = await redisCall('get extractor', () =>
      this.redis.hget<string>(documentKeys.extractors(storeId), extractorId),
    );
    return raw == null ? undefined : storedExtractorSchema.parse(JSON.parse(raw));
  }

  async listExtractors(storeId: string): Promise<StoredExtractor[]> {
    const all = await redisCall('list extractors', () =>
      this.redis.hgetall(documentKeys.extractors(storeId)),
    );
    return hashEntries(all)
      .map(([, raw]) => storedExtractorSchema.parse(JSON.parse(raw)))
      .sort((a, b) => a.createdAt - b.createdAt || a.extractorId.localeCompare(b.extractorId));
  }

  async putExtractor(storeId: string, extractor: StoredExtractor): Promise<void> {
    const record = storedExtractorSchema.parse(extractor);
    await redisCall('save extractor', () =>
      this.redis.hset(documentKeys.extractors(storeId), { [record.extractorId]: JSON.stringify(record) }),
    );
  }

  async deleteExtractor(storeId: string, extractorId: string): Promise<boolean> {
    const removed = await redisCall('delete extractor', () =>
      this.redis.hdel(documentKeys.extractors(storeId), extractorId),
    );
    return Number(removed) > 0;
  }

  async countExtractors(storeId: string): Promise<number> {
    return Number(
      await redisCall('count extractors', () => this.redis.hlen(documentKeys.extractors(storeId))),
    );
  }

  async createDocument(
    storeId: string,
    document: StoredDocument,
    text: string,
  ): Promise<'created' | 'exists'> {
    const record = storedDocumentSchema.parse(document);
    const { documentId } = record;
    const set = await redisCall('create document', async () => {
      const tx = this.redis.multi();
      // The text first: a record is never visible without its text.
      tx.set(documentKeys.text(storeId, documentId), text);
      tx.set(documentKeys.record(storeId, documentId), JSON.stringify(record), { nx: true });
      return tx.exec<[unknown, unknown]>();
    });
    return set[1] === 'OK' ? 'created' : 'exists';
  }

  async getDocument(storeId: string, documentId: string): Promise<StoredDocument | undefined> {
    const raw = await redisCall('get document', () =>
      this.redis.get<string>(documentKeys.record(storeId, documentId)),
    );
    return raw == null ? undefined : storedDocumentSchema.parse(JSON.parse(raw));
  }

  async saveDocument(storeId: string, document: StoredDocument): Promise<boolean> {
    const record = storedDocumentSchema.parse(document);
    const result = await redisCall('save document', () =>
      this.redis.set(documentKeys.record(storeId, record.documentId), JSON.stringify(record), { xx: true }),
    );
    return result === 'OK';
  }

  async getText(storeId: string, documentId: string): Promise<string | undefined> {
    const raw = await redisCall('get document text', () =>
      this.redis.get<string>(documentKeys.text(storeId, documentId)),
    );
    return raw ?? undefined;
  }

  async getSpan(
    storeId: string,
    documentId: string,
    start: number,
    end: number,
  ): Promise<string | undefined> {
    // GETRANGE counts bytes and the spans count UTF-16 units: read the text, cut it here.
    const text = await this.getText(storeId, documentId);
    return text === undefined ? undefined : text.slice(start, end);
  }

  async chunkResults(storeId: string, documentId: string): Promise<Map<number, ChunkResult>> {
    const all = await redisCall('get chunk results', () =>
      this.redis.hgetall(documentKeys.chunks(storeId, documentId)),
    );
    return new Map(
      hashEntries(all).map(([index, raw]) => [Number(index), chunkResultSchema.parse(JSON.parse(raw))]),
    );
  }

  async saveChunkResult(
    storeId: string,
    documentId: string,
    index: number,
    result: ChunkResult,
  ): Promise<void> {
    const record = chunkResultSchema.parse(result);
    await redisCall('save chunk result', () =>
      this.redis.hset(documentKeys.chunks(storeId, documentId), { [String(index)]: JSON.stringify(record) }),
    );
  }

  async deleteDocument(storeId: string, documentId: string): Promise<void> {
    await redisCall('delete document', () =>
      this.redis.del(
        documentKeys.record(storeId, documentId),
        documentKeys.text(storeId, documentId),
        documentKeys.chunks(storeId, documentId),
      ),
    );
  }
}

/**
 * HGETALL's reply as field/value pairs. Without automatic deserialization the client may hand back
 * Redis's flat `[field, value, …]` array or an object whose values it parsed; both become strings.
 */
function hashEntries(reply: unknown): Array<[string, string]> {
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  if (Array.isArray(reply)) {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([String(reply[i]), text(reply[i + 1])]);
    return pairs;
  }
  if (reply && typeof reply === 'object') {
    return Object.entries(reply as Record<string, unknown>).map(([field, value]) => [field, text(value)]);
  }
  return [];
}
