import type { GroupValues, ViewPartition } from '../../contracts/summary-views.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { exactGroup, partitionIdOf } from '../../domain/summary-views.js';
import { requireView, toApiPartition, type ViewCaller, type ViewDeps } from './view-deps.js';

/** One partition by its group values (exactly the view's `groupBy`). */
export async function getViewPartition(
  deps: Pick<ViewDeps, 'views'>,
  storeId: string,
  viewId: string,
  caller: ViewCaller,
  given: GroupValues,
): Promise<ViewPartition> {
  const view = await requireView(deps, storeId, viewId, caller);
  const group = exactGroup(view, given, '');
  const partition = await deps.views.getPartition(storeId, viewId, partitionIdOf(group));
  if (!partition) throw new NotFoundError('No partition of this view has these group values yet');
  return toApiPartition(view, partition);
}

export async function listViewPartitions(
  deps: ViewDeps,
  storeId: string,
  viewId: string,
  caller: ViewCaller,
  query: { limit: number; pageToken?: string | undefined },
) {
  const view = await requireView(deps, storeId, viewId, caller);
  const scope = `${storeId}|summary-views|${viewId}|partitions`;
  const offset = query.pageToken ? deps.pageTokens.decode(query.pageToken, scope) : 0;
  const { items, total } = await deps.views.listPartitions(storeId, viewId, offset, query.limit);
  const next = offset + items.length;
  return {
    items: items.map((p) => toApiPartition(view, p)),
    total,
    ...(items.length > 0 && next < total ? { nextPageToken: deps.pageTokens.encode(scope, next) } : {}),
  };
}

/**
 * Queues a refresh of one partition (created pending when new) or of the whole view (which also
 * finds partitions not seen yet). Asynchronous: the answer is 202 and the partition's state tells
 * when it is done.
 */
export async function requestViewRefresh(
  deps: ViewDeps,
  storeId: string,
  viewId: string,
  caller: ViewCaller,
  given: GroupValues | undefined,
) {
  const view = await requireView(deps, storeId, viewId, caller);
  const requestedAt = new Date(deps.clock.now()).toISOString();
  if (given === undefined) {
    await deps.viewQueue.enqueue({ version: 1, kind: 'view-refresh', storeId, viewId, reason: 'request' }, 0);
    return { viewId, status: 'queued' as const, requestedAt };
  }
  const group = exactGroup(view, given, 'group.');
  const partitionId = partitionIdOf(group);
  if (
    (await deps.views.ensurePartition(storeId, viewId, partitionId, group, view.maxPartitions)) === 'over-cap'
  ) {
    throw new ConflictError(`The view has ${view.maxPartitions} partitions, its maxPartitions`);
  }
  await deps.viewQueue.enqueue(
    { version: 1, kind: 'view-refresh', storeId, viewId, partitionId, reason: 'request' },
    0,
  );
  return { viewId, partitionId, status: 'queued' as const, requestedAt };
}
