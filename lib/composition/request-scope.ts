import type { MemoryRecordStore } from '../ports/memory-record-store.js';

/** Who a request acts for: the path's store and whether the caller's key may write it. */
export interface RequestScope {
  readonly storeId: string;
  readonly mayWrite: boolean;
}

/**
 * An app whose tenant-sensitive parts differ per request. `httpRoute` hands every store route the
 * scoped app, so no handler can forget it.
 */
export interface RequestScoped<App> {
  forRequest(scope: RequestScope): App;
}

/** The app for one request: scoped where the app supports it, the same app otherwise (core). */
export function scopeToRequest<App>(app: App, scope: RequestScope): App {
  const scoped = app as Partial<RequestScoped<App>> | undefined;
  return typeof scoped?.forRequest === 'function' ? scoped.forRequest(scope) : app;
}

/**
 * The record store as a read-only key sees it: reads record no "last access". Recency by last access
 * is shared by every caller of a store, so letting a `read` key update it would let a read-only key
 * change stored state and reorder everyone's results (security review 2026-12, finding 13). Skipping
 * the write is simpler than keeping recency per caller, and a read key's reads do not count as use.
 */
export function withoutAccessRecording(records: MemoryRecordStore): MemoryRecordStore {
  return {
    getMany: (storeId, ids, now) => records.getMany(storeId, ids, now),
    createMany: (storeId, created) => records.createMany(storeId, created),
    replace: (storeId, record, expectedUpdatedAt) => records.replace(storeId, record, expectedUpdatedAt),
    deleteMany: (storeId, ids) => records.deleteMany(storeId, ids),
    listPartitions: (storeId) => records.listPartitions(storeId),
    scanByCreated: (storeId, query) => records.scanByCreated(storeId, query),
    expiredIds: (storeId, now, limit) => records.expiredIds(storeId, now, limit),
    readAndTouch: async (storeId, id, now) => (await records.getMany(storeId, [id], now))[0],
    recordAccess: async () => {},
    lastAccess: (storeId, ids) => records.lastAccess(storeId, ids),
  };
}
