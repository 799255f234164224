import { createHash } from 'node:crypto';

/*
 * Embeddings are meaningful, so that search quality measured through the fake is real: every text
 * is embedded by a 512-d base embedder (Universal Sentence Encoder Lite by default, see
 * dev/offline-models/use-lite-embedder.ts) and mapped to the requested dimensions by a fixed random
 * projection seeded by (model id, dimensions): zero-padded to a power of two, rotated by a seeded
 * random orthogonal map (three rounds of permutation, random signs and Walsh–Hadamard transform, a
 * cheap stand-in for a dense random rotation) and cut to the requested dimensions:
 * - to 512 or 1024 dimensions nothing is cut, the map is an isometry: cosine similarities, hence
 *   rankings, are exactly the base model's;
 * - to 256 it is an orthogonal projection onto a random subspace: similarities are approximated
 *   (as a smaller real model would approximate its larger self);
 * - each model id gets its own map, so vectors of different models do not compare, as in reality.
 * Titan vectors are then normalized (unless `normalize: false`); Cohere vectors are given a fixed
 * non-unit length of `COHERE_VECTOR_LENGTH` (cohere.ts), so clients must normalize them, as with the real model.
 * Query and document input types are embedded alike (USE is symmetric) but counted apart in `stats`.
 */

/** `vector` scaled to `length`, or as is when `length` is undefined; as plain numbers for JSON. */
export function scaled(vector: Float64Array, length: number | undefined): number[] {
  if (length === undefined) return Array.from(vector);
  let sumOfSquares = 0;
  for (const value of vector) sumOfSquares += value * value;
  const factor = length / Math.sqrt(sumOfSquares);
  return Array.from(vector, (value) => value * factor);
}

// --- fixed random projections -------------------------------------------------------------------

export const BASE_DIMENSIONS = 512;
const ROUNDS = 3;

/**
 * A fixed random orthogonal map of R^size (size a power of two, ≥ 512): `ROUNDS` times a seeded
 * permutation, seeded random signs and a normalized Walsh–Hadamard transform, each orthogonal.
 */
interface Projection {
  readonly size: number;
  readonly permutations: Uint32Array[];
  readonly signs: Int8Array[];
}

const projections = new Map<string, Projection>();

/**
 * `vector` (512-d) mapped to `dimensions` by the fixed map of (`modelId`, `dimensions`): padded with
 * zeros to `size`, rotated, and cut to its first `dimensions` coordinates. For 512 and 1024 nothing is
 * cut, so the map is an isometry; for 256 it is an orthogonal projection onto a random subspace.
 */
export function project(vector: Float32Array, modelId: string, dimensions: number): Float64Array {
  const key = `${modelId}\u0000${dimensions}`;
  let projection = projections.get(key);
  if (!projection) {
    let size = BASE_DIMENSIONS;
    while (size < dimensions) size *= 2;
    const uniform = seededUniform(key);
    const permutations: Uint32Array[] = [];
    const signs: Int8Array[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const permutation = Uint32Array.from({ length: size }, (_, i) => i);
      for (let i = size - 1; i > 0; i--) {
        const j = Math.floor(uniform() * (i + 1));
        [permutation[i], permutation[j]] = [permutation[j]!, permutation[i]!];
      }
      permutations.push(permutation);
      signs.push(Int8Array.from({ length: size }, () => (uniform() < 0.5 ? -1 : 1)));
    }
    projection = { size, permutations, signs };
    projections.set(key, projection);
  }
  const { size, permutations, signs } = projection;
  let current = new Float64Array(size);
  current.set(vector);
  const scale = 1 / Math.sqrt(size);
  for (let round = 0; round < ROUNDS; round++) {
    const permutation = permutations[round]!;
    const sign = signs[round]!;
    const next = new Float64Array(size);
    for (let i = 0; i < size; i++) next[i] = current[permutation[i]!]! * sign[i]!;
    walshHadamard(next);
    for (let i = 0; i < size; i++) next[i]! *= scale;
    current = next;
  }
  return current.slice(0, dimensions);
}

/** In-place fast Walsh–Hadamard transform (unnormalized); `values.length` is a power of two. */
function walshHadamard(values: Float64Array): void {
  for (let half = 1; half < values.length; half *= 2) {
    for (let start = 0; start < values.length; start += half * 2) {
      for (let i = start; i < start + half; i++) {
        const a = values[i]!;
        const b = values[i + half]!;
        values[i] = a + b;
        values[i + half] = a - b;
      }
    }
  }
}

/** Uniform draws in (0, 1) from sfc32 seeded by sha256(seed). */
function seededUniform(seed: string): () => number {
  const state = createHash('sha256').update(seed).digest();
  let a = state.readUInt32LE(0);
  let b = state.readUInt32LE(4);
  let c = state.readUInt32LE(8);
  let d = state.readUInt32LE(12);
  const uniform = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return ((t >>> 0) + 0.5) / 4294967296;
  };
  for (let i = 0; i < 16; i++) uniform(); // sfc32's customary warm-up
  return uniform;
}
