import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmbeddingStore } from '../../lib/adapters/decorators/caching-embedder.js';
import type { EmbeddingModelInfo } from '../../lib/ports/embedder.js';

/** File header: magic (8 bytes), format version and dimensions (uint32 LE each), reserved (4 bytes). */
const MAGIC = Buffer.from('AMEMBCAC', 'latin1');
const HEADER_BYTES = 20;
const FORMAT_VERSION = 1;
const KEY_BYTES = 32;

/**
 * An {@link EmbeddingStore} in one append-only binary file per model and dimensions,
 * `<directory>/<model id>-<dimensions>.embeddings`, so that benchmark reruns skip the embedding calls.
 *
 * Format: a 20-byte header (magic `AMEMBCAC`, version, dimensions), then fixed-size records of
 * sha256(key) (32 bytes) followed by the vector as float32 little-endian. The file is read once, on
 * first use, into memory (a partial record left by a crash is cut off); `setMany` appends its new
 * entries in a single write. Meant for one process at a time: concurrent appenders on a local Linux
 * file system do not interleave records in practice, but nothing guarantees it.
 */
export class FileEmbeddingCache implements EmbeddingStore {
  readonly path: string;
  readonly #directory: string;
  readonly #dimensions: number;
  #entries: Promise<Map<string, Float32Array>> | undefined;
  /** Appends run one after another. */
  #writes: Promise<void> = Promise.resolve();

  constructor(options: { directory: string; model: EmbeddingModelInfo }) {
    this.#directory = options.directory;
    this.#dimensions = options.model.dimensions;
    const safeId = options.model.id.replace(/[^A-Za-z0-9._-]/g, '_');
    this.path = join(options.directory, `${safeId}-${options.model.dimensions}.embeddings`);
  }

  async getMany(keys: readonly string[]): Promise<(Float32Array | undefined)[]> {
    const entries = await this.#load();
    return keys.map((key) => entries.get(digest(key)));
  }

  async setMany(entries: readonly { key: string; vector: Float32Array }[]): Promise<void> {
    const loaded = await this.#load();
    const fresh = entries.filter(({ key, vector }) => {
      if (vector.length !== this.#dimensions) {
        throw new Error(`a vector of ${vector.length} dimensions does not fit the cache ${this.path}`);
      }
      return !loaded.has(digest(key));
    });
    if (fresh.length === 0) return;
    const recordBytes = KEY_BYTES + this.#dimensions * 4;
    const buffer = Buffer.alloc(fresh.length * recordBytes);
    fresh.forEach(({ key, vector }, index) => {
      const offset = index * recordBytes;
      const hash = digest(key);
      buffer.write(hash, offset, 'hex');
      for (let i = 0; i < vector.length; i++) buffer.writeFloatLE(vector[i]!, offset + KEY_BYTES + i * 4);
      loaded.set(hash, Float32Array.from(vector));
    });
    const write = this.#writes.then(() => appendFile(this.path, buffer));
    this.#writes = write.catch(() => undefined);
    await write;
  }

  #load(): Promise<Map<string, Float32Array>> {
    this.#entries ??= this.#read().catch((error: unknown) => {
      this.#entries = undefined;
      throw error;
    });
    return this.#entries;
  }

  async #read(): Promise<Map<string, Float32Array>> {
    const entries = new Map<string, Float32Array>();
    await mkdir(this.#directory, { recursive: true });
    let data: Buffer;
    try {
      data = await readFile(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      data = Buffer.alloc(0);
    }
    if (data.length === 0) {
      const header = Buffer.alloc(HEADER_BYTES);
      MAGIC.copy(header, 0);
      header.writeUInt32LE(FORMAT_VERSION, 8);
      header.writeUInt32LE(this.#dimensions, 12);
      await appendFile(this.path, header);
      return entries;
    }
    if (
      data.length < HEADER_BYTES ||
      !data.subarray(0, MAGIC.length).equals(MAGIC) ||
      data.readUInt32LE(8) !== FORMAT_VERSION ||
      data.readUInt32LE(12) !== this.#dimensions
    ) {
      throw new Error(`${this.path} is not an embedding cache of ${this.#dimensions} dimensions`);
    }
    const recordBytes = KEY_BYTES + this.#dimensions * 4;
    const end = HEADER_BYTES + Math.floor((data.length - HEADER_BYTES) / recordBytes) * recordBytes;
    // A partial record left by an interrupted append: cut it off, or every later record would be misaligned.
    if (end < data.length) await truncate(this.path, end);
    for (let offset = HEADER_BYTES; offset < end; offset += recordBytes) {
      const key = data.toString('hex', offset, offset + KEY_BYTES);
      const vector = new Float32Array(this.#dimensions);
      for (let i = 0; i < this.#dimensions; i++) vector[i] = data.readFloatLE(offset + KEY_BYTES + i * 4);
      entries.set(key, vector);
    }
    return entries;
  }
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
