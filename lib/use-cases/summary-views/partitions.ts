import type { GroupValues, ViewPartition } from '../../contracts/summary-views.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
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

/**
 * A view's partition for the memory prompt: the group values come from the prompt's request (owner,
 * namespace, session); a view grouped by a field the request does not give is a 400 naming
 * `summaryViewId`. No partition yet, or one never computed, gives no content (not an error).
 */
export async function getPartitionForPrompt(
  deps: Pick<ViewDeps, 'views'>,
  storeId: string,
  viewId: string,
  caller: ViewCaller,
  available: { ownerId?: string; namespace?: string; sessionId?: string },
) {
  const view = await requireView(deps, storeId, viewId, caller);
  const given: GroupValues = {};
  for (const field of view.groupBy) {
    const value = field === 'memoryType' ? undefined : available[field];
    if (value === undefined) {
      throw new ValidationError(`The summary view is grouped by ${field}, which this request does not give`, [
        {
          field: 'summaryViewId',
          rule: 'group',
          message: `the view is grouped by ${field}; give it (ownerId, namespace and sessionId can be given)`,
        },
      ]);
    }
    given[field] = value;
  }
  const group = exactGroup(view, given, '');
  const partition = await deps.views.getPartition(storeId, viewId, partitionIdOf(group));
  if (!partition) return { viewId };
  const shown = toApiPartition(view, partition);
  const content =
    partition.text !== undefined
      ? partition.text
      : partition.fields !== undefined
        ? JSON.stringify(partition.fields)
        : undefined;
  return {
    viewId,
    partitionId: shown.partitionId,
    state: shown.state,
    ...(content !== undefined && content.length > 0 ? { content } : {}),
  };
}
