import { randomUUID } from 'node:crypto';
import type {
  CreateSummaryViewRequest,
  StoredSummaryView,
  SummaryView,
  UpdateSummaryViewRequest,
} from '../../contracts/summary-views.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { changesResults, mayUseView, VIEW_LIMITS } from '../../domain/summary-views.js';
import { requireStore } from '../shared/require-store.js';
import { requireView, toApiView, type ViewCaller, type ViewDeps } from './view-deps.js';

/** Creates a view owned by the caller's principal (immutable). Partitions appear as memories do. */
export async function createSummaryView(
  deps: ViewDeps,
  storeId: string,
  caller: ViewCaller,
  request: CreateSummaryViewRequest,
): Promise<SummaryView> {
  await requireStore(deps, storeId);
  const now = deps.clock.now();
  const view: StoredSummaryView = {
    id: randomUUID(),
    name: request.name,
    ownerId: caller.principal,
    visibility: request.visibility,
    source: request.source,
    groupBy: request.groupBy,
    filters: request.filters,
    output: request.output,
    ...(request.instructions !== undefined ? { instructions: request.instructions } : {}),
    refresh: request.refresh,
    maxPartitions: request.maxPartitions,
    createdAt: now,
    updatedAt: now,
    revision: 1,
  };
  if ((await deps.views.createView(storeId, view)) === 'full') {
    throw new ConflictError(`The store holds ${VIEW_LIMITS.viewsPerStore} summary views, its limit`);
  }
  deps.logger.info('summary view created', { storeId, viewId: view.id, refresh: view.refresh.mode });
  return toApiView(view);
}

export async function getSummaryView(
  deps: ViewDeps,
  storeId: string,
  viewId: string,
  caller: ViewCaller,
): Promise<SummaryView> {
  return toApiView(await requireView(deps, storeId, viewId, caller));
}

/** The views the caller may see (shared ones and its own private ones), oldest first, paged. */
export async function listSummaryViews(
  deps: ViewDeps,
  storeId: string,
  caller: ViewCaller,
  query: { limit: number; pageToken?: string | undefined },
) {
  await requireStore(deps, storeId);
  // The principal is part of the scope: a token from another key's listing is refused.
  const scope = `${storeId}|summary-views|${caller.principal}`;
  const offset = query.pageToken ? deps.pageTokens.decode(query.pageToken, scope) : 0;
  const visible = (await deps.views.listViews(storeId)).filter((v) => mayUseView(v, caller.principal));
  const items = visible.slice(offset, offset + query.limit).map(toApiView);
  const next = offset + items.length;
  return {
    items,
    total: visible.length,
    ...(items.length > 0 && next < visible.length
      ? { nextPageToken: deps.pageTokens.encode(scope, next) }
      : {}),
  };
}

/**
 * Changes a view. A change of filters, output or instructions alters results: the revision moves on,
 * so every partition shows `stale` until refreshed (continuous views: queued at once).
 */
export async function updateSummaryView(
  deps: ViewDeps,
  storeId: string,
  viewId: string,
  caller: ViewCaller,
  request: UpdateSummaryViewRequest,
): Promise<SummaryView> {
  const current = await requireView(deps, storeId, viewId, caller);
  const { instructions, ...rest } = request;
  const next: StoredSummaryView = {
    ...current,
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    updatedAt: deps.clock.now(),
  };
  if (instructions === null) delete (next as { instructions?: string }).instructions;
  else if (instructions !== undefined) next.instructions = instructions;
  const alters = changesResults(current, next);
  if (alters) next.revision = current.revision + 1;
  await deps.views.replaceView(storeId, next);
  if (alters && next.refresh.mode === 'continuous') {
    await deps.viewQueue.enqueue(
      { version: 1, kind: 'view-refresh', storeId, viewId, reason: 'request' },
      next.refresh.debounceSeconds,
    );
  }
  return toApiView(next);
}

export async function deleteSummaryView(
  deps: ViewDeps,
  storeId: string,
  viewId: string,
  caller: ViewCaller,
): Promise<void> {
  await requireView(deps, storeId, viewId, caller);
  if (!(await deps.views.deleteView(storeId, viewId))) throw new NotFoundError('Summary view not found');
  deps.logger.info('summary view deleted', { storeId, viewId });
}
