import { idSchema } from '../../contracts/common.js';
import { type BulkOperationError, describeIssues, labelOf } from '../shared/bulk-items.js';
import { deleteIndexedRecords, type IndexingDeps } from './indexing.js';

/** Reference BulkDeleteLongTermMemories. Search indexes are cleared before the records go. */
export async function bulkDeleteMemories(
  deps: Pick<IndexingDeps, 'records' | 'vectors' | 'keywords'>,
  storeId: string,
  items: readonly unknown[],
): Promise<{ deleted: string[]; errors: BulkOperationError[] }> {
  const errors: BulkOperationError[] = [];
  const ids: string[] = [];
  items.forEach((item, index) => {
    const parsed = idSchema.safeParse(item);
    if (!parsed.success)
      errors.push({ id: labelOf(item, index, 'memoryIds'), error: describeIssues(parsed.error) });
    else if (!ids.includes(parsed.data)) ids.push(parsed.data);
  });
  const deletedIds = await deleteIndexedRecords(deps, storeId, ids);
  for (const id of ids) if (!deletedIds.has(id)) errors.push({ id, error: 'not found' });
  return { deleted: ids.filter((id) => deletedIds.has(id)), errors };
}
