import type { StoredMemory } from '../contracts/long-term-memory.js';
import type { NamespaceScope, NamespaceState } from '../contracts/namespaces.js';

/** A namespace as stored, with its path as it is now (derived from its ancestors' names). */
export interface StoredNamespace {
  readonly namespaceId: string;
  readonly name: string;
  readonly path: string;
  readonly scope: NamespaceScope;
  readonly ownerId?: string;
  readonly parentId?: string;
  readonly state: NamespaceState;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Where a new namespace (or the first missing segment of a path) goes. */
export type NamespaceLocation =
  | { readonly kind: 'root'; readonly scope: NamespaceScope; readonly ownerId?: string }
  | { readonly kind: 'child'; readonly parentId: string };

export type CreateNamespaceOutcome =
  | { readonly status: 'created'; readonly namespace: StoredNamespace }
  | { readonly status: 'occupied'; readonly namespaceId: string }
  | { readonly status: 'parent-missing' }
  | { readonly status: 'parent-archived'; readonly namespaceId: string }
  | { readonly status: 'too-deep' }
  | { readonly status: 'path-too-long' };

export type UpdateNamespaceOutcome =
  | { readonly status: 'updated'; readonly namespace: StoredNamespace }
  | { readonly status: 'missing' }
  | { readonly status: 'occupied' }
  | { readonly status: 'archived' }
  | { readonly status: 'path-too-long' };

export type DeleteNamespaceOutcome = 'deleted' | 'missing' | 'has-children' | 'not-empty';

export type MoveOutcome = 'moved' | 'missing' | 'conflict';

/** Namespaces of a store; every method is one round trip. */
export interface NamespaceStore {
  /**
   * Creates `segments` below `location`: the segments that exist are walked (an archived one stops
   * the walk), the missing ones created with `newIds` (one per segment); the last must not exist.
   */
  create(
    storeId: string,
    location: NamespaceLocation,
    segments: readonly string[],
    newIds: readonly string[],
    now: number,
  ): Promise<CreateNamespaceOutcome>;
  /** Namespaces by id, undefined where missing. */
  getMany(storeId: string, ids: readonly string[]): Promise<Array<StoredNamespace | undefined>>;
  /** One page of the namespaces at a location, by name, and how many there are. */
  list(
    storeId: string,
    location: NamespaceLocation,
    offset: number,
    count: number,
  ): Promise<{ namespaces: StoredNamespace[]; total: number } | 'parent-missing'>;
  update(
    storeId: string,
    namespaceId: string,
    change: { readonly name?: string; readonly archive?: boolean },
    now: number,
  ): Promise<UpdateNamespaceOutcome>;
  /** Deletes an empty leaf: no children, no live memory or session filed under it. */
  delete(storeId: string, namespaceId: string): Promise<DeleteNamespaceOutcome>;
  /**
   * Notes that these memories were filed under a namespace, so delete can tell an empty one (the
   * list is checked against the records when read, so deletes and moves need not update it).
   */
  noteMembers(storeId: string, namespaceId: string, memoryIds: readonly string[]): Promise<void>;
  /**
   * Files records under `namespaceId` (compare-and-set on each record's `updatedAt`, writing the
   * new JSON), notes them as members, all only while the namespace is active. One round trip.
   */
  moveRecords(
    storeId: string,
    namespaceId: string,
    moves: ReadonlyArray<{ readonly record: StoredMemory; readonly expectedUpdatedAt: number }>,
  ): Promise<MoveOutcome[] | 'namespace-missing' | 'namespace-archived'>;
}
