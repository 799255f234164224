import { DomainError } from './errors.js';

/** An embedding model as recorded with a store's vectors (the shape of the port's `EmbeddingModelInfo`). */
export interface EmbeddingModelRef {
  readonly id: string;
  readonly dimensions: number;
}

/**
 * The store's vectors were made with another embedding model than the one this service embeds
 * with. Searching them with a vector from another model would return meaningless neighbours (or,
 * with another dimension, fail), and writing would mix two models in one store; so both are refused
 * until the store is re-embedded or the service is configured with the recorded model.
 */
export class EmbeddingModelMismatchError extends DomainError {
  readonly code = 'conflict';
  constructor(
    readonly recorded: EmbeddingModelRef,
    readonly configured: EmbeddingModelRef,
  ) {
    super(
      `This store's vectors were made with embedding model "${recorded.id}" (${recorded.dimensions} dimensions), ` +
        `but this service embeds with "${configured.id}" (${configured.dimensions} dimensions); ` +
        're-embed the store or configure the recorded model',
    );
    this.name = 'EmbeddingModelMismatchError';
  }
}
