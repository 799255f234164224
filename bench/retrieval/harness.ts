import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileEmbeddingCache } from '../../dev/offline-models/file-embedding-cache.js';
import { UseLiteEmbedder } from '../../dev/offline-models/use-lite-embedder.js';
import { CachingEmbedder } from '../../lib/adapters/decorators/caching-embedder.js';
import type { Conversation } from './locomo.js';

/** What the LoCoMo benchmarks (bench:retrieval, bench:recall) share: selection, pacing, caching, results. */

/** `--conversations`: the first n (`3`), or those sample ids (`conv-26,conv-41`); all when unset. */
export function selectConversations(list: Conversation[], option: string | undefined): Conversation[] {
  if (!option) return list;
  if (/^\d+$/.test(option)) return list.slice(0, Number(option));
  const ids = option.split(',').map((s) => s.trim());
  const chosen = list.filter((c) => ids.includes(c.sampleId));
  if (chosen.length !== ids.length) throw new Error(`unknown conversation in ${option}`);
  return chosen;
}

/** Ids are 1–64 of [a-zA-Z0-9-]. */
export function sanitizeId(value: string): string {
  return value
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

/** `fn` over the items with at most `limit` calls in flight; results in the items' order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Seconds since a `performance.now()` reading, to 0.1 s. */
export function secondsSince(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

/**
 * USE-Lite behind a cache in `$AGENT_MEMORY_CACHE/embeddings` (default
 * ~/.cache/agent-memory/embeddings): the Bedrock fake's base model, so reruns skip the embedding.
 */
export function cachedUseLite(): CachingEmbedder {
  const cacheRoot = process.env.AGENT_MEMORY_CACHE ?? join(homedir(), '.cache', 'agent-memory');
  const useLite = new UseLiteEmbedder();
  return new CachingEmbedder({
    inner: useLite,
    maxEntries: 50_000,
    store: new FileEmbeddingCache({ directory: join(cacheRoot, 'embeddings'), model: useLite.model }),
  });
}

/** The checked-out commit (short), with `-dirty` when the work tree has changes; undefined outside git. */
export function gitCommit(): string | undefined {
  try {
    const run = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const commit = run('rev-parse', '--short', 'HEAD');
    return run('status', '--porcelain', '--untracked-files=no') ? `${commit}-dirty` : commit;
  } catch {
    return undefined;
  }
}

/** Writes bench/results/<name>-latest.json and appends the same result to <name>-history.jsonl. */
export async function writeResults(name: string, result: unknown): Promise<string> {
  const dir = resolve(import.meta.dirname, '../results');
  await mkdir(dir, { recursive: true });
  await writeFile(resolve(dir, `${name}-latest.json`), `${JSON.stringify(result, null, 2)}\n`);
  await appendFile(resolve(dir, `${name}-history.jsonl`), `${JSON.stringify(result)}\n`);
  return `bench/results/${name}-latest.json`;
}
