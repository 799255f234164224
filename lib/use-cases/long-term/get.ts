import type { MemoryRecordView } from '../../contracts/long-term-memory.js';
import { NotFoundError } from '../../domain/errors.js';
import { toView } from '../../domain/records/view.js';
import type { Clock } from '../../ports/clock.js';
import type { MemoryAccessLog } from '../../ports/memory-record-store.js';
import { type NamespaceRefDeps, namespaceRefsOf } from '../shared/namespace-refs.js';

/** Reference GetLongTermMemory; records the access in the same round trip. */
export async function getMemory(
  deps: { readonly records: Pick<MemoryAccessLog, 'readAndTouch'>; readonly clock: Clock } & NamespaceRefDeps,
  storeId: string,
  memoryId: string,
): Promise<MemoryRecordView> {
  const record = await deps.records.readAndTouch(storeId, memoryId, deps.clock.now());
  if (!record) throw new NotFoundError('Memory not found');
  return toView(record, undefined, await namespaceRefsOf(deps, storeId, [record]));
}
