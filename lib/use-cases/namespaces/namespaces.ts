import type {
  CreateNamespaceRequest,
  ListNamespacesQuery,
  NamespaceView,
  UpdateNamespaceRequest,
} from '../../contracts/namespaces.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { newSessionId } from '../../domain/ids.js';
import type { PageTokenDeps } from '../../domain/page-token.js';
import type { Clock } from '../../ports/clock.js';
import type { NamespaceLocation, NamespaceStore, StoredNamespace } from '../../ports/namespace-store.js';
import type { StoreLookup } from '../../ports/registry.js';
import { requireStore } from '../shared/require-store.js';

/** What the namespace routes use. */
export interface NamespaceDeps extends PageTokenDeps {
  readonly namespaces: NamespaceStore;
  readonly stores: StoreLookup;
  readonly clock: Clock;
}

export function toNamespaceView(ns: StoredNamespace): NamespaceView {
  return {
    namespaceId: ns.namespaceId,
    name: ns.name,
    path: ns.path,
    scope: ns.scope,
    ...(ns.ownerId ? { ownerId: ns.ownerId } : {}),
    ...(ns.parentId ? { parentId: ns.parentId } : {}),
    state: ns.state,
    createdAt: new Date(ns.createdAt).toISOString(),
    updatedAt: new Date(ns.updatedAt).toISOString(),
  };
}

/**
 * Reference CreateNamespace (§3.16): `{name, scope, ownerId?}`, `{name, parentId}` or
 * `{path, scope, ownerId?}` (missing segments created). The location must be free: an occupant,
 * archived or not, is a 409. Ids are server-generated and never change.
 */
export async function createNamespace(
  deps: NamespaceDeps,
  storeId: string,
  request: CreateNamespaceRequest,
): Promise<{ namespace: NamespaceView }> {
  await requireStore(deps, storeId);
  const segments = request.path !== undefined ? request.path.split('/') : [request.name!];
  const location: NamespaceLocation =
    request.parentId !== undefined
      ? { kind: 'child', parentId: request.parentId }
      : { kind: 'root', scope: request.scope!, ...(request.ownerId ? { ownerId: request.ownerId } : {}) };
  const outcome = await deps.namespaces.create(
    storeId,
    location,
    segments,
    segments.map(() => newSessionId()),
    deps.clock.now(),
  );
  switch (outcome.status) {
    case 'created':
      return { namespace: toNamespaceView(outcome.namespace) };
    case 'parent-missing':
      throw new NotFoundError('Parent namespace not found');
    case 'occupied':
      throw new ConflictError(
        `A namespace already exists at this location (${outcome.namespaceId}), archived or not`,
      );
    case 'parent-archived':
      throw new ConflictError(
        `Namespace ${outcome.namespaceId} on the way is archived and takes no children`,
      );
    case 'path-too-long':
      throw new ValidationError('The namespace path would exceed 1024 characters', [
        { field: request.path !== undefined ? 'path' : 'name', rule: 'maxLength', message: 'path too long' },
      ]);
    case 'too-deep':
      throw new ValidationError('The namespace would be nested too deep', [
        { field: request.path !== undefined ? 'path' : 'parentId', rule: 'maxDepth', message: 'too deep' },
      ]);
  }
}

/** Reference GetNamespace. */
export async function getNamespace(
  deps: NamespaceDeps,
  storeId: string,
  namespaceId: string,
): Promise<{ namespace: NamespaceView }> {
  await requireStore(deps, storeId);
  const [ns] = await deps.namespaces.getMany(storeId, [namespaceId]);
  if (!ns) throw new NotFoundError('Namespace not found');
  return { namespace: toNamespaceView(ns) };
}

/** Reference ListNamespaces: roots of a scope (and owner), or a parent's children, by name, paged. */
export async function listNamespaces(
  deps: NamespaceDeps,
  storeId: string,
  query: ListNamespacesQuery,
): Promise<{ namespaces: NamespaceView[]; nextPageToken?: string }> {
  await requireStore(deps, storeId);
  const { limit, pageToken, ...filters } = query;
  const scope = `${storeId}|namespaces|${JSON.stringify(filters)}`;
  const offset = pageToken ? deps.pageTokens.decode(pageToken, scope) : 0;
  const location: NamespaceLocation =
    filters.parentId !== undefined
      ? { kind: 'child', parentId: filters.parentId }
      : { kind: 'root', scope: filters.scope!, ...(filters.ownerId ? { ownerId: filters.ownerId } : {}) };
  const page = await deps.namespaces.list(storeId, location, offset, limit);
  if (page === 'parent-missing') throw new NotFoundError('Parent namespace not found');
  const next = offset + limit;
  return {
    namespaces: page.namespaces.map(toNamespaceView),
    ...(next < page.total ? { nextPageToken: deps.pageTokens.encode(scope, next) } : {}),
  };
}

/** Reference UpdateNamespace: rename (`name`), archive (`state: ARCHIVED`); no unarchive. */
export async function updateNamespace(
  deps: NamespaceDeps,
  storeId: string,
  namespaceId: string,
  request: UpdateNamespaceRequest,
): Promise<{ namespace: NamespaceView }> {
  await requireStore(deps, storeId);
  if (request.state === 'ACTIVE') {
    const [ns] = await deps.namespaces.getMany(storeId, [namespaceId]);
    if (!ns) throw new NotFoundError('Namespace not found');
    if (ns.state === 'ARCHIVED') throw new ConflictError('An archived namespace cannot be unarchived');
  }
  const outcome = await deps.namespaces.update(
    storeId,
    namespaceId,
    { ...(request.name ? { name: request.name } : {}), archive: request.state === 'ARCHIVED' },
    deps.clock.now(),
  );
  switch (outcome.status) {
    case 'updated':
      return { namespace: toNamespaceView(outcome.namespace) };
    case 'missing':
      throw new NotFoundError('Namespace not found');
    case 'occupied':
      throw new ConflictError('A namespace with this name already exists at this location');
    case 'archived':
      throw new ConflictError('The namespace is archived and cannot be renamed');
    case 'path-too-long':
      throw new ValidationError('The namespace path would exceed 1024 characters', [
        { field: 'name', rule: 'maxLength', message: 'path too long' },
      ]);
  }
}

/** Reference DeleteNamespace: only an empty leaf (no children, no live memory or session). */
export async function deleteNamespace(
  deps: NamespaceDeps,
  storeId: string,
  namespaceId: string,
): Promise<void> {
  await requireStore(deps, storeId);
  const outcome = await deps.namespaces.delete(storeId, namespaceId);
  if (outcome === 'missing') throw new NotFoundError('Namespace not found');
  if (outcome === 'has-children') throw new ConflictError('The namespace has child namespaces');
  if (outcome === 'not-empty') throw new ConflictError('The namespace still holds memories or sessions');
}
