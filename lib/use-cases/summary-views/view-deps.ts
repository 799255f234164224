import type { StoredSummaryView, SummaryView, ViewPartition } from '../../contracts/summary-views.js';
import { NotFoundError } from '../../domain/errors.js';
import type { PageTokenDeps } from '../../domain/page-token.js';
import { mayUseView, VIEW_LIMITS } from '../../domain/summary-views.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../ports/clock.js';
import type { StoreLookup } from '../../ports/registry.js';
import type { PartitionView, SummaryViewStore, ViewRefreshQueue } from '../../ports/summary-views.js';

/** What the view routes need. */
export interface ViewDeps extends PageTokenDeps {
  readonly views: SummaryViewStore;
  readonly viewQueue: ViewRefreshQueue;
  readonly stores: StoreLookup;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Who calls: the principal of the caller's key (decision record 0020). */
export interface ViewCaller {
  readonly principal: string;
}

/**
 * The view if the caller may see it. Another principal's private view is a 404, like a view that
 * does not exist: its existence is not disclosed.
 */
export async function requireView(
  deps: Pick<ViewDeps, 'views'>,
  storeId: string,
  viewId: string,
  caller: ViewCaller,
): Promise<StoredSummaryView> {
  const view = await deps.views.getView(storeId, viewId);
  if (!view || !mayUseView(view, caller.principal)) throw new NotFoundError('Summary view not found');
  return view;
}

export function toApiView(view: StoredSummaryView): SummaryView {
  const { revision: _revision, createdAt, updatedAt, ...rest } = view;
  return {
    ...rest,
    createdAt: new Date(createdAt).toISOString(),
    updatedAt: new Date(updatedAt).toISOString(),
  };
}

/**
 * A partition as the API shows it. `stale`: a result exists but memories changed since, or the
 * definition changed in a way that alters results.
 */
export function toApiPartition(view: StoredSummaryView, p: PartitionView): ViewPartition {
  const outdated = p.newerCount > 0 || (p.revision !== undefined && p.revision !== view.revision);
  const state = p.state === 'ready' && outdated ? 'stale' : p.state;
  return {
    viewId: view.id,
    partitionId: p.partitionId,
    group: p.group,
    state,
    memoryCount: p.memoryCount,
    ...(p.computedAt !== undefined ? { computedAt: new Date(p.computedAt).toISOString() } : {}),
    ...(p.text !== undefined ? { text: p.text } : {}),
    ...(p.fields !== undefined ? { fields: p.fields } : {}),
    coverage: {
      memoryIds: [...p.coveredIds],
      memoryIdsTruncated: p.memoryCount > Math.min(p.coveredIds.length, VIEW_LIMITS.memoryIdsListed),
      newerCount: p.newerCount,
    },
    ...(p.usage ? { usage: p.usage } : {}),
    ...(p.error ? { error: { ...p.error, at: new Date(p.error.at).toISOString() } } : {}),
    refreshes: p.refreshes,
  };
}
