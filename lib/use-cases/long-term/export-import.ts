import {
  type ExportLine,
  type ExportQuery,
  IMPORT_LINES_MAX,
  type ImportResponse,
} from '../../contracts/export-import.js';
import { BULK_MAX } from '../../contracts/long-term-memory.js';
import { ValidationError } from '../../domain/errors.js';
import type { PageTokenDeps } from '../../domain/page-token.js';
import { toView } from '../../domain/records/view.js';
import type { Clock } from '../../ports/clock.js';
import type { MemoryListing } from '../../ports/memory-record-store.js';
import type { StoreLookup } from '../../ports/registry.js';
import { requireStore } from '../shared/require-store.js';
import { bulkCreateMemories } from './bulk-create.js';
import type { MemoryDeps } from './indexing.js';

export interface ExportDeps extends PageTokenDeps {
  readonly records: Pick<MemoryListing, 'scanByCreated'>;
  readonly stores: StoreLookup;
  readonly clock: Clock;
}

/**
 * One page of an owner's or a namespace's long-term records, in creation order. A page reads
 * `limit` entries of the owner's creation index (or the store's, for a namespace alone) and keeps
 * those in the namespace, so a namespace page may hold fewer lines than `limit` (even none) and
 * still have a next page: follow `nextPageToken` until it is absent.
 */
export async function exportMemories(
  deps: ExportDeps,
  storeId: string,
  query: ExportQuery,
): Promise<{ lines: ExportLine[]; nextPageToken?: string }> {
  await requireStore(deps, storeId);
  if (!query.ownerId && !query.namespace) {
    throw new ValidationError('Export needs an owner or a namespace', [
      { field: 'ownerId', rule: 'required', message: 'ownerId or namespace is required' },
    ]);
  }
  const namespace = query.namespace?.toLowerCase();
  const scope = `${storeId}|export|${query.ownerId ?? '*'}|${namespace ?? '*'}|${query.limit}`;
  const offset = query.pageToken ? deps.pageTokens.decode(query.pageToken, scope) : 0;
  const { records, total } = await deps.records.scanByCreated(storeId, {
    ownerId: query.ownerId,
    offset,
    count: query.limit,
    now: deps.clock.now(),
  });
  const lines = records.flatMap((record) =>
    record && (namespace === undefined || record.namespace?.toLowerCase() === namespace)
      ? [{ ...toView(record), embeddingModel: record.embeddingModel }]
      : [],
  );
  const next = offset + query.limit;
  return { lines, ...(next < total ? { nextPageToken: deps.pageTokens.encode(scope, next) } : {}) };
}

/**
 * Imports NDJSON lines in the export's format (fields the create schema does not know, such as
 * `createdAt` or `embeddingModel`, are ignored): each line is a BulkCreate item, so an id already
 * there with the same content succeeds again (re-embedded with the store's model, re-indexed) and
 * one with other content is that line's error. Lines go in batches of the bulk limit.
 */
export async function importMemories(
  deps: MemoryDeps,
  storeId: string,
  text: string,
): Promise<ImportResponse> {
  const rows = text.split('\n');
  const items: Array<{ line: number; item: unknown }> = [];
  const errors: ImportResponse['errors'] = [];
  rows.forEach((row, i) => {
    if (row.trim() === '') return;
    try {
      items.push({ line: i + 1, item: JSON.parse(row) });
    } catch {
      errors.push({ line: i + 1, error: 'not a JSON value' });
    }
  });
  const lines = items.length + errors.length;
  if (lines === 0) {
    throw new ValidationError('The body holds no NDJSON line', [
      { field: 'body', rule: 'required', message: 'must hold at least one line' },
    ]);
  }
  if (lines > IMPORT_LINES_MAX) {
    throw new ValidationError(`At most ${IMPORT_LINES_MAX} lines per import`, [
      { field: 'body', rule: 'maxLines', message: `must have at most ${IMPORT_LINES_MAX} lines` },
    ]);
  }
  const imported: string[] = [];
  for (let start = 0; start < items.length; start += BULK_MAX) {
    const batch = items.slice(start, start + BULK_MAX);
    const result = await bulkCreateMemories(
      deps,
      storeId,
      batch.map((b) => b.item),
    );
    imported.push(...result.created);
    // Bulk errors name an item by its id, or by its position (`memories[3]`) when it had none.
    const lineOfId = new Map<string, number>();
    batch.forEach((b, i) => {
      const id = (b.item as { id?: unknown } | null)?.id;
      if (typeof id === 'string' && !lineOfId.has(id)) lineOfId.set(id, b.line);
      lineOfId.set(`memories[${i}]`, b.line);
    });
    for (const error of result.errors) {
      const line = lineOfId.get(error.id) ?? 0;
      errors.push({
        line,
        ...(error.id.startsWith('memories[') ? {} : { id: error.id }),
        error: error.error,
      });
    }
  }
  errors.sort((a, b) => a.line - b.line);
  return { lines, imported, errors };
}
