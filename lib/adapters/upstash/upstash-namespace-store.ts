import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import {
  NAMESPACE_DEPTH_MAX,
  NAMESPACE_PATH_MAX,
  namespaceScopeSchema,
  namespaceStateSchema,
} from '../../contracts/namespaces.js';
import type {
  CreateNamespaceOutcome,
  DeleteNamespaceOutcome,
  MoveOutcome,
  NamespaceLocation,
  NamespaceStore,
  StoredNamespace,
  UpdateNamespaceOutcome,
} from '../../ports/namespace-store.js';
import { namespaceKeys, storeKeys, storePrefix } from './keys.js';
import { redisCall } from './redis-call.js';
import {
  CREATE_NAMESPACE,
  DELETE_NAMESPACE,
  GET_NAMESPACES,
  LIST_NAMESPACES,
  MOVE_RECORDS,
  UPDATE_NAMESPACE,
} from './scripts/generated.js';
import { serializeRecord } from './upstash-memory-record-store.js';

/** A namespace as the scripts reply (includes/namespaces.lua `namespace_read`). */
const namespaceTuple = z
  .tuple([
    z.string(),
    z.string(),
    z.string(),
    namespaceScopeSchema,
    z.string(),
    z.string(),
    namespaceStateSchema,
    z.coerce.number(),
    z.coerce.number(),
    z.number(),
  ])
  .transform(
    ([namespaceId, name, path, scope, ownerId, parentId, state, createdAt, updatedAt]): StoredNamespace => ({
      namespaceId,
      name,
      path,
      scope,
      ...(ownerId ? { ownerId } : {}),
      ...(parentId ? { parentId } : {}),
      state,
      createdAt,
      updatedAt,
    }),
  );
const namespaceOrMissing = z.union([namespaceTuple, z.literal(0)]);

/**
 * Namespaces in Redis (keys.ts `namespaceKeys`); every method is one script or one command, so one
 * round trip. The scripts, with their keys and arguments, are `scripts/*-namespace*.lua` and
 * `scripts/move-records.lua`.
 */
export class UpstashNamespaceStore implements NamespaceStore {
  private readonly createScript;
  private readonly getScript;
  private readonly listScript;
  private readonly updateScript;
  private readonly deleteScript;
  private readonly moveScript;

  constructor(private readonly redis: Redis) {
    this.createScript = redis.createScript<unknown>(CREATE_NAMESPACE.source);
    this.getScript = redis.createScript<unknown, true>(GET_NAMESPACES.source, { readonly: true });
    this.listScript = redis.createScript<unknown, true>(LIST_NAMESPACES.source, { readonly: true });
    this.updateScript = redis.createScript<unknown>(UPDATE_NAMESPACE.source);
    this.deleteScript = redis.createScript<unknown>(DELETE_NAMESPACE.source);
    this.moveScript = redis.createScript<unknown>(MOVE_RECORDS.source);
  }

  async create(
    storeId: string,
    location: NamespaceLocation,
    segments: readonly string[],
    newIds: readonly string[],
    now: number,
  ): Promise<CreateNamespaceOutcome> {
    const reply = await redisCall('create namespace', () =>
      this.createScript.exec(
        [],
        [
          storePrefix(storeId),
          ...locationArgs(location),
          String(now),
          String(NAMESPACE_PATH_MAX),
          String(NAMESPACE_DEPTH_MAX),
          String(segments.length),
          ...segments,
          ...newIds,
        ],
      ),
    );
    const [status, ...rest] = z.tuple([z.number()], z.unknown()).parse(reply);
    if (status === 1) return { status: 'created', namespace: namespaceTuple.parse(rest) };
    if (status === 0) return { status: 'parent-missing' };
    if (status === -1) return { status: 'occupied', namespaceId: z.string().parse(rest[0]) };
    if (status === -2) return { status: 'parent-archived', namespaceId: z.string().parse(rest[0]) };
    return status === -3 ? { status: 'path-too-long' } : { status: 'too-deep' };
  }

  async getMany(storeId: string, ids: readonly string[]): Promise<Array<StoredNamespace | undefined>> {
    if (ids.length === 0) return [];
    const reply = await redisCall('read namespaces', () =>
      this.getScript.exec([], [storePrefix(storeId), ...ids.map((id) => namespaceKeyPart(storeId, id))]),
    );
    return z
      .array(namespaceOrMissing)
      .parse(reply)
      .map((v) => (v === 0 ? undefined : v));
  }

  async list(
    storeId: string,
    location: NamespaceLocation,
    offset: number,
    count: number,
  ): Promise<{ namespaces: StoredNamespace[]; total: number } | 'parent-missing'> {
    const reply = await redisCall('list namespaces', () =>
      this.listScript.exec(
        [],
        [storePrefix(storeId), ...locationArgs(location), String(offset), String(offset + count - 1)],
      ),
    );
    const [total, ...items] = z.tuple([z.number()], namespaceOrMissing).parse(reply);
    if (total === -1) return 'parent-missing';
    return { total, namespaces: items.filter((v): v is StoredNamespace => v !== 0) };
  }

  async update(
    storeId: string,
    namespaceId: string,
    change: { readonly name?: string; readonly archive?: boolean },
    now: number,
  ): Promise<UpdateNamespaceOutcome> {
    const reply = await redisCall('update namespace', () =>
      this.updateScript.exec(
        [],
        [
          storePrefix(storeId),
          namespaceKeyPart(storeId, namespaceId),
          change.name ?? '',
          change.archive ? '1' : '0',
          String(now),
          String(NAMESPACE_PATH_MAX),
        ],
      ),
    );
    const [status, ...rest] = z.tuple([z.number()], z.unknown()).parse(reply);
    if (status === 1) return { status: 'updated', namespace: namespaceTuple.parse(rest) };
    if (status === 0) return { status: 'missing' };
    if (status === -1) return { status: 'occupied' };
    return status === -2 ? { status: 'archived' } : { status: 'path-too-long' };
  }

  async delete(storeId: string, namespaceId: string): Promise<DeleteNamespaceOutcome> {
    const reply = await redisCall('delete namespace', () =>
      this.deleteScript.exec(
        [],
        [storePrefix(storeId), namespaceKeyPart(storeId, namespaceId), String(Date.now())],
      ),
    );
    const outcome = z.number().parse(reply);
    if (outcome === 1) return 'deleted';
    if (outcome === 0) return 'missing';
    return outcome === -1 ? 'has-children' : 'not-empty';
  }

  async noteMembers(storeId: string, namespaceId: string, memoryIds: readonly string[]): Promise<void> {
    if (memoryIds.length === 0) return;
    const [first, ...more] = memoryIds.map((id) => `m:${id}`) as [string, ...string[]];
    await redisCall('note namespace members', () =>
      this.redis.sadd(namespaceKeys.members(storeId, namespaceId), first, ...more),
    );
  }

  async moveRecords(
    storeId: string,
    namespaceId: string,
    moves: Parameters<NamespaceStore['moveRecords']>[2],
  ): Promise<MoveOutcome[] | 'namespace-missing' | 'namespace-archived'> {
    const reply = await redisCall('move memories', () =>
      this.moveScript.exec(
        [storeKeys.usage(storeId)],
        [
          storePrefix(storeId),
          namespaceKeyPart(storeId, namespaceId),
          ...moves.flatMap(({ record, expectedUpdatedAt }) => [
            record.id,
            String(expectedUpdatedAt),
            serializeRecord(record),
          ]),
        ],
      ),
    );
    const [status, ...outcomes] = z.tuple([z.number()], z.number()).parse(reply);
    if (status === 0) return 'namespace-missing';
    if (status === -1) return 'namespace-archived';
    return outcomes.map((v) => (v === 1 ? 'moved' : v === 0 ? 'missing' : 'conflict'));
  }
}

function locationArgs(location: NamespaceLocation): [parentId: string, scope: string, ownerId: string] {
  return location.kind === 'child'
    ? [namespaceKeyPart('x', location.parentId), '', '']
    : ['', location.scope, location.ownerId ?? ''];
}

/** The id as a key part: validated by keys.ts (a hostile id never reaches a script). */
function namespaceKeyPart(storeId: string, namespaceId: string): string {
  namespaceKeys.namespace(storeId, namespaceId);
  return namespaceId;
}
