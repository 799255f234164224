import type { ChunkResult, StoredDocument, StoredExtractor } from '../contracts/documents.js';

/** A store's extractors (control plane writes them; ingestion and submission read them). */
export interface ExtractorStore {
  getExtractor(storeId: string, extractorId: string): Promise<StoredExtractor | undefined>;
  listExtractors(storeId: string): Promise<StoredExtractor[]>;
  /** Creates or replaces. */
  putExtractor(storeId: string, extractor: StoredExtractor): Promise<void>;
  /** @returns whether it existed. */
  deleteExtractor(storeId: string, extractorId: string): Promise<boolean>;
  countExtractors(storeId: string): Promise<number>;
}

/** Submitted documents: their record, their text and the result of each chunk. */
export interface DocumentStore {
  /**
   * Stores a new document with its text, unless a document with its id exists (the id derives from
   * the content: see lib/domain/documents/document-refs.ts): `exists` then, and nothing changes.
   */
  createDocument(storeId: string, document: StoredDocument, text: string): Promise<'created' | 'exists'>;
  getDocument(storeId: string, documentId: string): Promise<StoredDocument | undefined>;
  /** Replaces the record of a document that exists; @returns false when it was deleted meanwhile. */
  saveDocument(storeId: string, document: StoredDocument): Promise<boolean>;
  getText(storeId: string, documentId: string): Promise<string | undefined>;
  /** Characters [start, end) of the text, without reading the whole document. */
  getSpan(storeId: string, documentId: string, start: number, end: number): Promise<string | undefined>;
  chunkResults(storeId: string, documentId: string): Promise<Map<number, ChunkResult>>;
  saveChunkResult(storeId: string, documentId: string, index: number, result: ChunkResult): Promise<void>;
  /** Removes the record, the text and the chunk results. */
  deleteDocument(storeId: string, documentId: string): Promise<void>;
}

/** Where submissions hand off ingestion work. Implemented over SQS (the document queue). */
export interface DocumentQueue {
  enqueue(storeId: string, documentId: string): Promise<void>;
}
