/** The model behind an embedder; stored with every vector so a mismatch is caught, not searched. */
export interface EmbeddingModelInfo {
  /** Stable id, e.g. `amazon.titan-embed-text-v2:0`, `cohere.embed-english-v3`, `use-lite-512`. */
  readonly id: string;
  readonly dimensions: number;
}

/** Turns text into unit-length vectors (cosine similarity = dot product). */
export interface Embedder {
  readonly model: EmbeddingModelInfo;
  /**
   * Longest text (characters) the model reliably accepts, if it has a limit. Callers embed a
   * prefix of longer texts: the meaning of a memory sits in its start, and the keyword index still
   * covers the whole text.
   */
  readonly maxInputCharacters?: number;
  /**
   * Most texts one `embedDocuments` call should carry, if the model has a limit; callers embedding
   * more send several calls. Undefined: any number (the adapter splits batches itself).
   */
  readonly maxBatch?: number;
  /** Vectors for texts to be stored, in input order. An empty input gives an empty output. */
  embedDocuments(texts: readonly string[]): Promise<Float32Array[]>;
  /** The vector for a search query (some models embed queries differently from documents). */
  embedQuery(text: string): Promise<Float32Array>;
}
