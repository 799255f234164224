import { createHash } from 'node:crypto';
import type { Embedder, EmbeddingModelInfo } from '../../lib/ports/embedder.js';

/**
 * A deterministic bag-of-words embedder: each lower-cased word adds a fixed pseudo-random unit
 * direction (from its hash), and the sum is normalized. Texts sharing words are close, the same
 * text gives the same vector, and no model runs. Records every call.
 */
export class HashEmbedder implements Embedder {
  readonly model: EmbeddingModelInfo;
  readonly maxInputCharacters: number | undefined;
  readonly maxBatch: number | undefined;
  /** Each `embedDocuments` call's texts, in call order. */
  readonly documentCalls: string[][] = [];
  readonly queryCalls: string[] = [];

  constructor(options: { dimensions?: number; maxInputCharacters?: number; maxBatch?: number } = {}) {
    this.model = { id: 'hash-embedder-v1', dimensions: options.dimensions ?? 64 };
    this.maxInputCharacters = options.maxInputCharacters;
    this.maxBatch = options.maxBatch;
  }

  async embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.maxBatch !== undefined && texts.length > this.maxBatch) {
      throw new RangeError(`at most ${this.maxBatch} texts per call, got ${texts.length}`);
    }
    this.documentCalls.push([...texts]);
    return texts.map((t) => this.vector(t));
  }

  async embedQuery(text: string): Promise<Float32Array> {
    this.queryCalls.push(text);
    return this.vector(text);
  }

  vector(text: string): Float32Array {
    const out = new Float32Array(this.model.dimensions);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      const digest = createHash('sha256').update(word).digest();
      for (let i = 0; i < out.length; i++) out[i]! += (digest[i % digest.length]! - 127.5) / 127.5;
    }
    const norm = Math.hypot(...out) || 1;
    return out.map((v) => v / norm);
  }
}
